// SPDX-License-Identifier: Apache-2.0
// Copyright 2026 the swift-perc authors

import SRTP
import Testing

/// Index space limits (RFC 3711 3.2.1, 3.3.1, 9.2): the SRTCP index is 31 bits, so
/// 0x7fffffff is the last one a sender uses; the SRTP index ends at ROC 0xffffffff. Past
/// either the sender refuses with `keyExhausted` and nothing changes.
@Suite struct KeyLimitTests {
    @Test(arguments: ProtectionProfile.allCases)
    func lastSRTCPIndex(profile: ProtectionProfile) throws {
        let sender = try TestPackets.sender(profile) { $0.initialSRTCPIndex = 0x7FFF_FFFF }
        let receiver = try TestPackets.receiver(profile)
        let rtcp = TestPackets.rtcp()
        let last = try sender.protectRTCP(rtcp)
        let wordOffset = profile.cipher == .aesGCM ? last.count - 4 : last.count - 4 - profile.srtcpTagLength
        let flag: UInt8 = profile.encryptsSRTCP ? 0x80 : 0x00
        #expect(Array(last[wordOffset..<(wordOffset + 4)]) == [flag | 0x7F, 0xFF, 0xFF, 0xFF])
        #expect(try receiver.unprotectRTCP(last) == rtcp)
        #expect(thrownError { try sender.protectRTCP(rtcp) } == .keyExhausted(ssrc: 0x1122_3344))
        #expect(thrownError { try sender.protectRTCP(rtcp) } == .keyExhausted(ssrc: 0x1122_3344))
        // Other SSRCs have their own index; SRTP is not affected.
        #expect(throws: Never.self) { try sender.protectRTCP(TestPackets.rtcp(ssrc: 0x5555_5555)) }
        #expect(throws: Never.self) { try sender.protect(TestPackets.rtp(sequenceNumber: 1)) }
    }

    @Test func srtcpIndexAboveThirtyOneBitsIsRefused() {
        var configuration = SRTPConfiguration()
        configuration.initialSRTCPIndex = 0x8000_0000
        #expect(throws: SRTPError.invalidParameter("SRTCP index must be below 2^31, got 2147483648")) {
            try SRTPSender(profile: .aes128CmSha1_80, masterKey: TestPackets.key(.aes128CmSha1_80),
                           masterSalt: TestPackets.salt(.aes128CmSha1_80), configuration: configuration)
        }
    }

    /// At ROC 0xffffffff a SEQ wrap would need ROC 2^32: refused, and the sender carries on
    /// with the indices it still has.
    @Test(arguments: ProtectionProfile.allCases)
    func lastSRTPIndex(profile: ProtectionProfile) throws {
        let sender = try TestPackets.sender(profile) { $0.initialROC = 0xFFFF_FFFF }
        let reference = try TestPackets.sender(profile) { $0.initialROC = 0xFFFF_FFFF }
        let receiver = try TestPackets.receiver(profile) { $0.initialROC = 0xFFFF_FFFF }
        for sequence: UInt16 in [0xFFF0] {
            let plain = TestPackets.rtp(sequenceNumber: sequence)
            #expect(try receiver.unprotect(sender.protect(plain)) == plain)
            _ = try reference.protect(plain)
        }
        #expect(thrownError { try sender.protect(TestPackets.rtp(sequenceNumber: 0x0001)) } == .keyExhausted(ssrc: 0x1122_3344))
        let lastOne = TestPackets.rtp(sequenceNumber: 0xFFFF)
        let protected = try sender.protect(lastOne)
        #expect(protected == (try reference.protect(lastOne)))
        #expect(try receiver.unprotect(protected) == lastOne)
        #expect(receiver.rolloverCounter(for: 0x1122_3344) == 0xFFFF_FFFF)
        // The receiver refuses an index past the end too, before any tag check.
        #expect(thrownError { try receiver.unprotect(protected.prefix(2) + [0x00, 0x01] + protected.dropFirst(4)) }
            == .keyExhausted(ssrc: 0x1122_3344))
    }
}
