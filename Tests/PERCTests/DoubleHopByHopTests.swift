// SPDX-License-Identifier: Apache-2.0
// Copyright 2026 the swift-perc authors

import PERC
import SRTP
import SRTPPeers
import Testing

/// What a double profile protects with the outer (hop-by-hop) half only: SRTCP (RFC 8723 6,
/// plain RFC 7714 AEAD SRTCP) and repair-mode packets such as RTX and FEC (RFC 8723 5.1 step
/// 2, 7). Checked against libsrtp2 with the outer half.
@Suite struct DoubleHopByHopTests {
    /// A compound-free RTCP sender report: SSRC 0x0BADCAFE, NTP/RTP times, counts.
    let senderReport: [UInt8] = [0x80, 0xC8, 0x00, 0x06, 0x0B, 0xAD, 0xCA, 0xFE,
                                 0xE8, 0x7F, 0x3A, 0x10, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01, 0x5F, 0x90,
                                 0x00, 0x00, 0x00, 0x10, 0x00, 0x00, 0x04, 0x00]

    @Test(arguments: DoubleProfile.allCases)
    func srtcpIsOuterOnly(profile: DoubleProfile) throws {
        let keys = DoubleTestKeys(profile, seed: 12)
        let sender = try keys.sender()
        let receiver = try keys.receiver(hop: 0)
        let libsrtp = try LibSRTPLayer(profile: profile, key: keys.hops[0].key, salt: keys.hops[0].salt, ssrc: 0x0BAD_CAFE)
        for _ in 0..<3 {
            let protected = try sender.hopByHop.protectRTCP(senderReport)
            #expect(protected.count == senderReport.count + 16 + 4)
            #expect(try libsrtp.unprotectRTCP(protected) == senderReport)
            #expect(try receiver.hopByHop.unprotectRTCP(protected) == senderReport)
        }
        // And the other way: libsrtp2 with the outer half, our receiver's hop-by-hop side.
        let libsrtpSender = try LibSRTPLayer(profile: profile, key: keys.hops[0].key, salt: keys.hops[0].salt, ssrc: 0x0BAD_CAFE)
        let fromLibSRTP = try libsrtpSender.protectRTCP(senderReport)
        let fresh = try keys.receiver(hop: 0)
        #expect(try fresh.hopByHop.unprotectRTCP(fromLibSRTP) == senderReport)
        // The inner half does not open it.
        let innerOnly = try LibSRTPLayer(profile: profile, key: keys.inner.key, salt: keys.inner.salt, ssrc: 0x0BAD_CAFE)
        #expect(throws: LibSRTPSession.Status.self) { try innerOnly.unprotectRTCP(fromLibSRTP) }
    }

    /// An RTX packet (its own SSRC and PT, OSN in front of the payload) is protected once,
    /// with the outer half: a plain RFC 7714 packet with no OHB and no inner tag.
    @Test(arguments: DoubleProfile.allCases)
    func repairModePacketsAreOuterOnly(profile: DoubleProfile) throws {
        let keys = DoubleTestKeys(profile, seed: 13)
        let sender = try keys.sender()
        let receiver = try keys.receiver(hop: 0)
        let libsrtp = try LibSRTPLayer(profile: profile, key: keys.hops[0].key, salt: keys.hops[0].salt, ssrc: 0x5254_5800)
        for n in 0..<3 {
            let rtx = RTPPacketFactory.packet(payloadType: 97, sequenceNumber: UInt16(n), ssrc: 0x5254_5800,
                                              payload: [0x12, 0x34] + Array("cached double packet \(n)".utf8))
            let protected = try sender.hopByHop.protect(rtx)
            #expect(protected.count == rtx.count + 16)
            #expect(try libsrtp.unprotect(protected) == rtx)
            #expect(try receiver.hopByHop.unprotect(protected) == rtx)
            #expect(throws: SRTPError.self) { try receiver.unprotect(protected) }   // not a double packet
        }
    }
}
