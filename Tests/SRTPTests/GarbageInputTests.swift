// SPDX-License-Identifier: Apache-2.0
// Copyright 2026 the swift-perc authors

import SRTP
import TestSupport
import Testing

/// Bad input never crashes and never changes state: seeded random bytes, and valid packets
/// with random bytes overwritten, cut or appended, through every receiver entry point. The
/// receiver's state afterwards must equal that of a receiver that saw only the valid packets.
@Suite struct GarbageInputTests {
    @Test(arguments: ProtectionProfile.allCases)
    func randomAndMutatedPackets(profile: ProtectionProfile) throws {
        var rng = SeededGenerator(seed: 0x6A5B + UInt64(ProtectionProfile.allCases.firstIndex(of: profile)!))
        let sender = try TestPackets.sender(profile)
        let receiver = try TestPackets.receiver(profile)
        let ssrc: UInt32 = 0x1122_3344
        var accepted = 0
        for round in 0..<100 {
            let plain = RandomPacket.rtp(sequenceNumber: UInt16(round * 700 & 0xFFFF), ssrc: ssrc, using: &rng, maximumPayload: 200)
            let srtp = try sender.protect(plain)
            let rtcp = RandomPacket.rtcp(ssrc: ssrc, using: &rng)
            let srtcp = try sender.protectRTCP(rtcp)
            for _ in 0..<10 {
                for base in [srtp, srtcp] {
                    var bad = base
                    switch Int.random(in: 0..<4, using: &rng) {
                    case 0: bad = rng.bytes(Int.random(in: 0...80, using: &rng))
                    case 1: bad = Array(bad.prefix(Int.random(in: 0..<bad.count, using: &rng)))
                    case 2: bad += rng.bytes(Int.random(in: 1...8, using: &rng))
                    default:
                        for _ in 0..<Int.random(in: 1...3, using: &rng) {
                            bad[Int.random(in: 0..<bad.count, using: &rng)] ^= UInt8.random(in: 1...255, using: &rng)
                        }
                    }
                    if bad == base { continue }
                    #expect(thrownError { try receiver.unprotect(bad) } != nil)
                    #expect(thrownError { try receiver.unprotectRTCP(bad) } != nil)
                    let batch = PacketBatch(maximumCount: 1, slotCapacity: max(1, bad.count))
                    batch.append(bad)
                    receiver.unprotect(batch)
                    if case .failed = batch.result(at: 0) {} else { Issue.record("\(profile): garbage accepted in a batch") }
                    #expect(batch.packet(at: 0) == bad)
                }
            }
            // The genuine packets still go through, in order, with the ROC a clean receiver has.
            #expect(try receiver.unprotect(srtp) == plain)
            #expect(try receiver.unprotectRTCP(srtcp) == rtcp)
            accepted += 1
        }
        #expect(accepted == 100)
        #expect(receiver.rolloverCounter(for: ssrc) == UInt32((99 * 700) >> 16))
    }
}
