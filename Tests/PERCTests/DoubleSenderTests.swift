// SPDX-License-Identifier: Apache-2.0
// Copyright 2026 the swift-perc authors

import PERC
import SRTP
import Testing

/// The double sender (RFC 8723 5.1) beyond the vectors: overhead, malformed input, and the
/// end of the index space.
@Suite struct DoubleSenderTests {
    let keys = DoubleTestKeys(.aes128Gcm, seed: 23)

    @Test func overhead() throws {
        #expect(DoubleSender.overhead == 16 + 16 + 1)
        let plain = try keys.sender()
        #expect(plain.rtpOverhead == 33)
        let parameters = try EKTParameterSet(spi: 1, cipher: .aesKeyWrap128, key: [UInt8](repeating: 1, count: 16),
                                             masterSalt: keys.inner.salt)
        let withEKT = try keys.sender(ekt: try EKTSender(parameters: parameters, masterKey: keys.inner.key))
        #expect(withEKT.rtpOverhead == 33 + 47)
        let packet = RTPPacketFactory.packet(sequenceNumber: 1, payload: [1, 2, 3])
        #expect(try withEKT.protect(packet).count == packet.count + 33 + 47)
    }

    @Test func malformedPacketsAreErrors() throws {
        let sender = try keys.sender()
        let good = RTPPacketFactory.packet(sequenceNumber: 1, csrcs: [1, 2], extensionProfile: 0xBEDE,
                                           extensionBody: [0x10, 1, 0, 0], payload: [9])
        for length in [0, 11, 12, 16, 23] {   // cut inside the fixed header, the CSRCs, the extension
            #expect(throws: SRTPError.self) { try sender.protect(Array(good.prefix(length))) }
        }
        var version1 = good
        version1[0] = 0x40 | version1[0] & 0x3F
        #expect(throws: SRTPError.malformed(.badVersion(1))) { try sender.protect(version1) }
        #expect(try keys.receiver(hop: 0).unprotect(try sender.protect(good)) == good, "nothing was recorded")
    }

    /// Past ROC 0xFFFFFFFF the index space is exhausted: a typed error, no wrap to ROC 0.
    @Test func indexSpaceExhaustion() throws {
        let sender = try keys.sender(roc: 0xFFFF_FFFF)
        let receiver = try keys.receiver(hop: 0, roc: 0xFFFF_FFFF)
        let last = RTPPacketFactory.packet(sequenceNumber: 0xFFFF, payload: [1])
        #expect(try receiver.unprotect(try sender.protect(last)) == last)
        #expect(throws: SRTPError.keyExhausted(ssrc: 0xCAFE_BABE)) {
            try sender.protect(RTPPacketFactory.packet(sequenceNumber: 0x0000, payload: [2]))
        }
        #expect(receiver.innerRolloverCounter(for: 0xCAFE_BABE) == 0xFFFF_FFFF)
    }
}
