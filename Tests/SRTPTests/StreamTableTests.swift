// SPDX-License-Identifier: Apache-2.0
// Copyright 2026 the swift-perc authors

import SRTP
import TestSupport
import Testing

/// Per-SSRC crypto contexts (RFC 3711 3.2.3): many SSRCs through one sender and receiver,
/// interleaved, so the stream table grows while streams are live. Each SSRC keeps its own
/// ROC, replay windows and SRTCP index.
@Suite struct StreamTableTests {
    @Test(arguments: [ProtectionProfile.aes128CmSha1_80, .aeadAes256Gcm])
    func manyInterleavedStreams(profile: ProtectionProfile) throws {
        let sender = try TestPackets.sender(profile) { $0.initialSRTCPIndex = 10 }
        let receiver = try TestPackets.receiver(profile) { $0.replayWindowSize = 64 }
        let ssrcs = (0..<100).map { UInt32(0x1000_0000 + $0 * 7919) }
        var rng = SeededGenerator(seed: 0x57AB1E)
        var delivered: [(UInt32, [UInt8], [UInt8])] = []
        // Each stream i starts at SEQ 65535 - i, so they wrap at different times.
        for round in 0..<40 {
            for (i, ssrc) in ssrcs.enumerated() where round >= i % 3 {
                let sequence = UInt16(truncatingIfNeeded: 65_535 - i + round)
                let plain = TestPackets.rtp(sequenceNumber: sequence, ssrc: ssrc, payload: rng.bytes(Int.random(in: 0...40, using: &rng)))
                let srtp = try sender.protect(plain)
                #expect(try receiver.unprotect(srtp) == plain)
                delivered.append((ssrc, srtp, plain))
            }
            if round % 10 == 0 {
                for ssrc in ssrcs {
                    let rtcp = TestPackets.rtcp(ssrc: ssrc)
                    #expect(try receiver.unprotectRTCP(sender.protectRTCP(rtcp)) == rtcp)
                }
            }
        }
        for (i, ssrc) in ssrcs.enumerated() {
            let last = 65_535 - i + 39
            #expect(receiver.rolloverCounter(for: ssrc) == (last > 65_535 ? 1 : 0), "SSRC \(i)")
        }
        #expect(receiver.rolloverCounter(for: 0xDEAD_BEEF) == nil)
        // Replays are per SSRC: every stream's last packet is a replay, and so is its first (39 back).
        for (ssrc, srtp, _) in delivered.suffix(ssrcs.count) {
            guard case .replayed(let s, _)? = thrownError({ try receiver.unprotect(srtp) }) else {
                Issue.record("SSRC \(ssrc): replay accepted"); continue
            }
            #expect(s == ssrc)
        }
        let (firstSSRC, firstPacket, _) = delivered[0]
        #expect(thrownError { try receiver.unprotect(firstPacket) } == .replayed(ssrc: firstSSRC, index: 65_535))
        // SRTCP indices advanced per SSRC: four packets each, 10...13, next is 14.
        let next = try sender.protectRTCP(TestPackets.rtcp(ssrc: ssrcs[50]))
        let wordOffset = profile.cipher == .aesGCM ? next.count - 4 : next.count - 14
        #expect(next.loadIndex(at: wordOffset) == 14)
    }

    /// The SSRC index itself: 10,000 streams (SSRC 0 and 0xFFFFFFFF among them) keep their slots
    /// and states through every growth and rehash, SSRCs never inserted are not found, and a
    /// second insert of an SSRC returns its slot without adding one.
    @Test func slotsSurviveGrowth() {
        let table = StreamTable(windowSize: 64)
        var rng = SeededGenerator(seed: 0x5107)
        var ssrcs: [UInt32] = [0, 0xFFFF_FFFF]
        var seen: Set<UInt32> = Set(ssrcs)
        while ssrcs.count < 10_000 {
            let ssrc = UInt32.random(in: 0...UInt32.max, using: &rng)
            if seen.insert(ssrc).inserted { ssrcs.append(ssrc) }
        }
        for (i, ssrc) in ssrcs.enumerated() {
            var state = StreamState()
            state.highestIndex = UInt64(i)
            #expect(table.insert(ssrc, initial: state) == i)
        }
        #expect(table.insert(ssrcs[1234], initial: StreamState()) == 1234)
        #expect(table.count == ssrcs.count)
        for (i, ssrc) in ssrcs.enumerated() {
            table.prefetchStream(ssrc: ssrc, sequenceNumber: UInt16(truncatingIfNeeded: i))
            guard let slot = table.slot(for: ssrc) else { Issue.record("SSRC \(ssrc) lost"); continue }
            #expect(slot == i)
            #expect(table.state(slot).pointee.highestIndex == UInt64(i))
        }
        var missing = 0
        while missing < 1000 {
            let ssrc = UInt32.random(in: 0...UInt32.max, using: &rng)
            guard !seen.contains(ssrc) else { continue }
            table.prefetch(ssrc: ssrc)
            #expect(table.slot(for: ssrc) == nil)
            missing += 1
        }
    }
}
