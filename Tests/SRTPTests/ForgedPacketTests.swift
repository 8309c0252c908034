// SPDX-License-Identifier: Apache-2.0
// Copyright 2026 the swift-perc authors

import SRTP
import Testing

/// Forgery (RFC 3711 3.3 step 5, 3.4; RFC 7714 8.2, 9.2): flipping any single bit of a
/// protected packet, in the header, the payload, the E||index word or the tag, makes the
/// receiver refuse it with the exact error, and leaves its state untouched: the ROC stays,
/// and the genuine packet still decrypts afterwards.
@Suite struct ForgedPacketTests {
    @Test(arguments: ProtectionProfile.allCases)
    func everyBitOfAnSRTPPacket(profile: ProtectionProfile) throws {
        let ssrc: UInt32 = 0x1122_3344
        let sender = try TestPackets.sender(profile)
        // The receiver holds ROC 0 and s_l 0x0FF0; the forged packet is SEQ 0x1000. The large
        // window keeps every SEQ a flip can produce inside it, so each flip reaches the tag check.
        let receiver = try TestPackets.receiver(profile) { $0.replayWindowSize = 32768 }
        let earlier = TestPackets.rtp(sequenceNumber: 0x0FF0, csrcCount: 2, extensionWords: 2)
        #expect(try receiver.unprotect(sender.protect(earlier)) == earlier)
        let plain = TestPackets.rtp(sequenceNumber: 0x1000, csrcCount: 2, extensionWords: 2)
        let genuine = try sender.protect(plain)

        for bit in 0..<(genuine.count * 8) {
            var forged = genuine
            forged[bit / 8] ^= 1 << (7 - bit % 8)
            let expected: SRTPError
            if bit < 2 {                                   // the version field
                expected = .malformed(.badVersion(Int(forged[0] >> 6)))
            } else if let malformed = Self.headerProblem(forged, authenticatedLength: genuine.count - profile.srtpTagLength) {
                expected = .malformed(malformed)           // X, CC or the extension length now overrun
            } else if (64..<96).contains(bit) {            // the SSRC: another stream, still a forgery
                expected = .authenticationFailed(ssrc: forged[8..<12].reduce(0) { $0 << 8 | UInt32($1) })
            } else {
                expected = .authenticationFailed(ssrc: ssrc)
            }
            #expect(thrownError { try receiver.unprotect(forged) } == expected, "\(profile) bit \(bit)")
            #expect(receiver.rolloverCounter(for: ssrc) == 0)
        }
        #expect(try receiver.unprotect(genuine) == plain)
        #expect(receiver.rolloverCounter(for: ssrc) == 0)
    }

    /// Whether the RTP header (CSRCs, extension) overruns the authenticated part (RFC 3550 5.1).
    static func headerProblem(_ packet: [UInt8], authenticatedLength length: Int) -> MalformedReason? {
        let count = Int(packet[0] & 0x0F)
        var end = 12 + 4 * count
        if end > length { return .csrcPastEnd(count: count, length: length) }
        guard packet[0] & 0x10 != 0 else { return nil }
        if end + 4 > length { return .extensionPastEnd(length: length) }
        end += 4 + 4 * (Int(packet[end + 2]) << 8 | Int(packet[end + 3]))
        return end > length ? .extensionPastEnd(length: length) : nil
    }

    @Test(arguments: ProtectionProfile.allCases)
    func everyBitOfAnSRTCPPacket(profile: ProtectionProfile) throws {
        let ssrc: UInt32 = 0x1122_3344
        let sender = try TestPackets.sender(profile) { $0.initialSRTCPIndex = 5 }
        let receiver = try TestPackets.receiver(profile)
        let earlier = TestPackets.rtcp()
        #expect(try receiver.unprotectRTCP(sender.protectRTCP(earlier)) == earlier)   // index 5
        let plain = TestPackets.rtcp(body: Array(100..<140))
        let genuine = try sender.protectRTCP(plain)                                     // index 6
        for bit in 0..<(genuine.count * 8) {
            var forged = genuine
            forged[bit / 8] ^= 1 << (7 - bit % 8)
            let expected: SRTPError = switch bit {
            case 0, 1: .malformed(.badVersion(Int(forged[0] >> 6)))
            case 32..<64: .authenticationFailed(ssrc: forged[4..<8].reduce(0) { $0 << 8 | UInt32($1) })
            default: .authenticationFailed(ssrc: ssrc)   // 6 ^ (1 << k) is never 5
            }
            #expect(thrownError { try receiver.unprotectRTCP(forged) } == expected, "\(profile) bit \(bit)")
        }
        #expect(try receiver.unprotectRTCP(genuine) == plain)
        #expect(thrownError { try receiver.unprotectRTCP(genuine) } == .replayed(ssrc: ssrc, index: 6))
    }
}
