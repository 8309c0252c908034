// SPDX-License-Identifier: Apache-2.0
// Copyright 2026 the swift-perc authors

import SRTP
import Testing

/// Packet index estimation (RFC 3711 3.3.1 and Appendix A): v from {ROC-1, ROC, ROC+1}
/// closest to ROC*2^16 + s_l, never ROC-1 while ROC = 0 (libsrtp rdbx), nothing past ROC
/// 0xffffffff. Checked on the estimator and end to end through a sender and a receiver.
@Suite struct RolloverEstimationTests {
    /// (ROC, s_l, SEQ, expected v or nil).
    static let cases: [(UInt64, UInt64, UInt16, UInt64?)] = [
        (0, 100, 101, 0),                 // next packet
        (0, 100, 65_500, 0),              // far above s_l at ROC 0: never ROC-1
        (0, 0x7FFF, 0xFFFF, 0),           // SEQ - s_l = 0x8000 exactly: same ROC
        (0, 0x8000, 0x0000, 0),           // s_l - 0x8000 = 0, not > SEQ
        (0, 0x9000, 0x0FFF, 1),           // wrapped: next ROC
        (0, 0x9000, 0x1000, 0),           // s_l - 0x8000 == SEQ: same ROC (older)
        (0, 0xFFFF, 0x0000, 1),
        (5, 100, 100 + 0x8001, 4),        // far above s_l: previous ROC
        (5, 100, 100 + 0x8000, 5),
        (5, 0xFFF0, 0x0005, 6),
        (0xFFFF_FFFE, 0xFFF0, 0x0005, 0xFFFF_FFFF),
        (0xFFFF_FFFF, 0xFFF0, 0x0005, nil),   // would pass the last ROC
        (0xFFFF_FFFF, 0x0010, 0xFFF0, 0xFFFF_FFFE),
    ]

    @Test(arguments: 0..<cases.count)
    func estimator(case number: Int) {
        let (roc, highestSequence, sequence, expected) = Self.cases[number]
        let index = RolloverCounter.estimateIndex(sequenceNumber: sequence, highest: roc << 16 | highestSequence)
        #expect(index == expected.map { $0 << 16 | UInt64(sequence) }, "ROC \(roc) s_l \(highestSequence) SEQ \(sequence)")
    }

    /// At ROC 0 a SEQ far above s_l is taken as ROC 0 by both ends.
    @Test(arguments: ProtectionProfile.allCases)
    func noROCMinusOneAtROCZero(profile: ProtectionProfile) throws {
        let sender = try TestPackets.sender(profile)
        let receiver = try TestPackets.receiver(profile)
        for sequence: UInt16 in [10, 65_530, 65_531] {
            let plain = TestPackets.rtp(sequenceNumber: sequence)
            #expect(try receiver.unprotect(sender.protect(plain)) == plain)
            #expect(receiver.rolloverCounter(for: 0x1122_3344) == 0)
        }
    }

    /// A late packet from before the wrap uses ROC-1 and leaves the ROC alone.
    @Test(arguments: ProtectionProfile.allCases)
    func latePacketFromThePreviousCycle(profile: ProtectionProfile) throws {
        let sender = try TestPackets.sender(profile) { $0.initialROC = 7 }
        let receiver = try TestPackets.receiver(profile) { $0.initialROC = 7 }
        let first = try sender.protect(TestPackets.rtp(sequenceNumber: 0xFFF0))
        let late = try sender.protect(TestPackets.rtp(sequenceNumber: 0xFFF1))
        let afterWrap = try sender.protect(TestPackets.rtp(sequenceNumber: 0x0003))     // ROC 8
        #expect(try receiver.unprotect(first) == TestPackets.rtp(sequenceNumber: 0xFFF0))
        #expect(receiver.rolloverCounter(for: 0x1122_3344) == 7)
        #expect(try receiver.unprotect(afterWrap) == TestPackets.rtp(sequenceNumber: 3))
        #expect(receiver.rolloverCounter(for: 0x1122_3344) == 8)
        #expect(try receiver.unprotect(late) == TestPackets.rtp(sequenceNumber: 0xFFF1))   // v = ROC-1
        #expect(receiver.rolloverCounter(for: 0x1122_3344) == 8)
        // A receiver told the wrong ROC cannot verify the packet, and keeps no state.
        let misinformed = try TestPackets.receiver(profile) { $0.initialROC = 7 }
        #expect(thrownError { try misinformed.unprotect(afterWrap) } == .authenticationFailed(ssrc: 0x1122_3344))
        #expect(misinformed.rolloverCounter(for: 0x1122_3344) == nil)
    }

    /// The receiver's first packet uses exactly the configured ROC, whatever its SEQ.
    @Test(arguments: [UInt32(0), 1, 0x12345, 0xFFFF_FFFF])
    func firstPacketUsesInitialROC(roc: UInt32) throws {
        for sequence: UInt16 in [0, 0x7FFF, 0x8000, 0xFFFF] {
            let sender = try TestPackets.sender(.aes128CmSha1_80) { $0.initialROC = roc }
            let receiver = try TestPackets.receiver(.aes128CmSha1_80) { $0.initialROC = roc }
            let plain = TestPackets.rtp(sequenceNumber: sequence)
            #expect(try receiver.unprotect(sender.protect(plain)) == plain)
            #expect(receiver.rolloverCounter(for: 0x1122_3344) == roc)
        }
    }
}
