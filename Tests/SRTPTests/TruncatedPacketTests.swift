// SPDX-License-Identifier: Apache-2.0
// Copyright 2026 the swift-perc authors

import SRTP
import Testing

/// Truncation: every prefix of a protected packet is refused with the exact error (too short,
/// a header that no longer fits, or a failed tag), and the receiver's state does not move.
@Suite struct TruncatedPacketTests {
    @Test(arguments: ProtectionProfile.allCases)
    func everyPrefixOfAnSRTPPacket(profile: ProtectionProfile) throws {
        let sender = try TestPackets.sender(profile)
        let receiver = try TestPackets.receiver(profile)
        let plain = TestPackets.rtp(sequenceNumber: 500, csrcCount: 2, extensionWords: 2)   // 32-byte header
        let genuine = try sender.protect(plain)
        let tag = profile.srtpTagLength
        for length in 0..<genuine.count {
            let expected: SRTPError
            let authenticated = length - tag
            if length < 12 + tag {
                expected = .malformed(.tooShort(length: length, needed: 12 + tag))
            } else if authenticated < 20 {
                expected = .malformed(.csrcPastEnd(count: 2, length: authenticated))
            } else if authenticated < 32 {
                expected = .malformed(.extensionPastEnd(length: authenticated))
            } else {
                expected = .authenticationFailed(ssrc: 0x1122_3344)
            }
            #expect(thrownError { try receiver.unprotect(Array(genuine.prefix(length))) } == expected, "length \(length)")
            #expect(receiver.rolloverCounter(for: 0x1122_3344) == nil)
        }
        #expect(try receiver.unprotect(genuine) == plain)
    }

    @Test(arguments: ProtectionProfile.allCases)
    func everyPrefixOfAnSRTCPPacket(profile: ProtectionProfile) throws {
        let sender = try TestPackets.sender(profile)
        let receiver = try TestPackets.receiver(profile)
        let plain = TestPackets.rtcp()
        let genuine = try sender.protectRTCP(plain)
        let needed = 12 + profile.srtcpTagLength
        for length in 0..<genuine.count {
            let prefix = Array(genuine.prefix(length))
            let error = thrownError { try receiver.unprotectRTCP(prefix) }
            if length < needed {
                #expect(error == .malformed(.tooShort(length: length, needed: needed)))
            } else {
                // The E||index word is read from where it would be: what it names is a forgery.
                #expect(error == .authenticationFailed(ssrc: 0x1122_3344), "length \(length)")
            }
        }
        #expect(try receiver.unprotectRTCP(genuine) == plain)
    }
}
