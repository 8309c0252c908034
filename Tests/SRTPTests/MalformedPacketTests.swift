// SPDX-License-Identifier: Apache-2.0
// Copyright 2026 the swift-perc authors

import SRTP
import Testing

/// Malformed input (RFC 3550 5.1 / 6.4 header rules as SRTP needs them): bad version, CSRC
/// list or extension past the end, packets shorter than a header, RTCP under 8 bytes. Each
/// gives the exact `SRTPError.malformed` reason, on protect and on unprotect, and changes no
/// state: the next valid packet gives what a fresh sender would give, or still decrypts.
@Suite struct MalformedPacketTests {
    /// (packet, reason) pairs for RTP, for a sender (no tag to strip).
    static let rtpCases: [(String, [UInt8], MalformedReason)] = [
        ("empty", [], .tooShort(length: 0, needed: 12)),
        ("11 bytes", Array(TestPackets.rtp(sequenceNumber: 1).prefix(11)), .tooShort(length: 11, needed: 12)),
        ("version 0", version(0), .badVersion(0)),
        ("version 1", version(1), .badVersion(1)),
        ("version 3", version(3), .badVersion(3)),
        ("15 CSRCs in 40 bytes", Array(TestPackets.rtp(sequenceNumber: 1, csrcCount: 15).prefix(40)), .csrcPastEnd(count: 15, length: 40)),
        ("extension header cut", Array(TestPackets.rtp(sequenceNumber: 1, csrcCount: 1, extensionWords: 1).prefix(18)),
         .extensionPastEnd(length: 18)),
        ("extension data cut", Array(TestPackets.rtp(sequenceNumber: 1, extensionWords: 3).prefix(27)), .extensionPastEnd(length: 27)),
        ("extension length 0xffff", TestPackets.rtp(sequenceNumber: 1, extensionWords: 0xFFFF, payload: []).prefix(16) + [1, 2, 3, 4],
         .extensionPastEnd(length: 20)),
    ]

    static func version(_ v: UInt8) -> [UInt8] {
        var packet = TestPackets.rtp(sequenceNumber: 1)
        packet[0] = packet[0] & 0x3F | v << 6
        return packet
    }

    @Test(arguments: ProtectionProfile.allCases)
    func protectRefusesMalformedRTP(profile: ProtectionProfile) throws {
        let sender = try TestPackets.sender(profile)
        let reference = try TestPackets.sender(profile)
        for (name, packet, reason) in Self.rtpCases {
            #expect(thrownError { try sender.protect(packet) } == .malformed(reason), "\(name)")
        }
        let valid = TestPackets.rtp(sequenceNumber: 7)
        #expect(try sender.protect(valid) == reference.protect(valid))
    }

    /// The receiver checks the header inside the authenticated part (before MKI and tag).
    @Test(arguments: ProtectionProfile.allCases)
    func unprotectRefusesMalformedSRTP(profile: ProtectionProfile) throws {
        let sender = try TestPackets.sender(profile)
        let receiver = try TestPackets.receiver(profile)
        let first = TestPackets.rtp(sequenceNumber: 7)
        #expect(try receiver.unprotect(sender.protect(first)) == first)
        let tag = [UInt8](repeating: 0xA5, count: profile.srtpTagLength)
        for (name, packet, reason) in Self.rtpCases where packet.count >= 12 {
            #expect(thrownError { try receiver.unprotect(packet + tag) } == .malformed(reason), "\(name)")
        }
        let needed = 12 + profile.srtpTagLength
        for length in 0..<needed {
            let short = Array((try sender.protect(TestPackets.rtp(sequenceNumber: 100))).prefix(length))
            #expect(thrownError { try receiver.unprotect(short) } == .malformed(.tooShort(length: length, needed: needed)))
        }
        #expect(receiver.rolloverCounter(for: 0x1122_3344) == 0)
        let next = TestPackets.rtp(sequenceNumber: 8)
        #expect(try receiver.unprotect(sender.protect(next)) == next)
    }

    /// A version other than 2 is refused even when the tag is right.
    @Test(arguments: [ProtectionProfile.aes128CmSha1_80, .nullSha1_32])
    func badVersionEvenIfAuthentic(profile: ProtectionProfile) throws {
        let sender = try TestPackets.sender(profile)
        let receiver = try TestPackets.receiver(profile)
        var packet = try sender.protect(TestPackets.rtp(sequenceNumber: 9))
        let authenticated = packet.count - profile.srtpTagLength
        packet[0] = packet[0] & 0x3F | 1 << 6
        // Re-tag the altered header with the real SRTP authentication key (ROC 0).
        let hmac = try #require(sender.keys.rtp.hmac)
        packet.withUnsafeMutableBytes { p in
            appendHMACTag(hmac, authenticated: UnsafeRawBufferPointer(rebasing: p[0..<authenticated]), roc: 0,
                          tag: p.baseAddress! + authenticated, tagLength: profile.srtpTagLength)
        }
        #expect(thrownError { try receiver.unprotect(packet) } == .malformed(.badVersion(1)))
        packet[0] = packet[0] & 0x3F | 2 << 6
        #expect(thrownError { try receiver.unprotect(packet) } == .authenticationFailed(ssrc: 0x1122_3344))
    }

    @Test(arguments: ProtectionProfile.allCases)
    func rtcpShorterThanEightBytesOrBadVersion(profile: ProtectionProfile) throws {
        let sender = try TestPackets.sender(profile)
        let reference = try TestPackets.sender(profile)
        let receiver = try TestPackets.receiver(profile)
        let rtcp = TestPackets.rtcp()
        for length in 0..<8 {
            #expect(thrownError { try sender.protectRTCP(Array(rtcp.prefix(length))) } == .malformed(.tooShort(length: length, needed: 8)))
        }
        var wrongVersion = rtcp
        wrongVersion[0] = 0x41
        #expect(thrownError { try sender.protectRTCP(wrongVersion) } == .malformed(.badVersion(1)))
        // The sender's SRTCP index did not move.
        let protected = try sender.protectRTCP(rtcp)
        #expect(protected == (try reference.protectRTCP(rtcp)))

        let needed = 8 + 4 + profile.srtcpTagLength
        for length in 1..<needed {
            #expect(thrownError { try receiver.unprotectRTCP(Array(protected.prefix(length))) }
                == .malformed(.tooShort(length: length, needed: needed)))
        }
        var badProtected = protected
        badProtected[0] = 0xC1
        #expect(thrownError { try receiver.unprotectRTCP(badProtected) } == .malformed(.badVersion(3)))
        #expect(try receiver.unprotectRTCP(protected) == rtcp)
    }

    /// RTCP length fields are not checked (RFC 3711 3.4): a lying length still round-trips.
    @Test func rtcpLengthFieldIsNotChecked() throws {
        let sender = try TestPackets.sender(.aes128CmSha1_80)
        let receiver = try TestPackets.receiver(.aes128CmSha1_80)
        var rtcp = TestPackets.rtcp()
        rtcp[2] = 0xFF; rtcp[3] = 0xFF
        #expect(try receiver.unprotectRTCP(sender.protectRTCP(rtcp)) == rtcp)
    }
}
