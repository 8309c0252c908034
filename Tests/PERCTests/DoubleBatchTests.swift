// SPDX-License-Identifier: Apache-2.0
// Copyright 2026 the swift-perc authors

import PERC
import SRTP
import TestSupport
import Testing

/// The batch API of the double sender, relay and receiver: in place and into another batch,
/// equal to packet-by-packet processing; a slot that does not fit fails without side effects.
@Suite struct DoubleBatchTests {
    @Test(arguments: DoubleProfile.allCases)
    func batchesEqualSinglePackets(profile: DoubleProfile) throws {
        let keys = DoubleTestKeys(profile, seed: 17)
        var rng = SeededGenerator(seed: 18)
        let packets = (0..<16).map { RTPPacketFactory.random(ssrc: 0xABCD_0001, sequenceNumber: UInt16(truncatingIfNeeded: 0xFFF8 + $0), using: &rng) }
        let expected = try { () throws -> [[UInt8]] in
            let sender = try keys.sender()
            return try packets.map { try sender.protect($0) }
        }()

        let inPlace = PacketBatch(maximumCount: 16, slotCapacity: 512)
        for packet in packets { inPlace.append(packet) }
        try keys.sender().protect(inPlace)
        let input = PacketBatch(maximumCount: 16, slotCapacity: 512), output = PacketBatch(maximumCount: 16, slotCapacity: 512)
        for packet in packets { input.append(packet) }
        try keys.sender().protect(input, into: output)
        for i in 0..<16 {
            #expect(inPlace.result(at: i) == .ok && inPlace.packet(at: i) == expected[i])
            #expect(output.result(at: i) == .ok && output.packet(at: i) == expected[i])
            #expect(input.packet(at: i) == packets[i], "the input batch is unchanged")
        }

        let (inbound, outbound) = try keys.relay(from: 0)
        let relayed = PacketBatch(maximumCount: 16, slotCapacity: 512)
        inbound.forward(output, to: RelayTarget(hop: outbound, edits: HeaderEdits(payloadType: 3, marker: true)), into: relayed)
        let receiver = try keys.receiver(hop: 1)
        receiver.unprotect(relayed)
        for i in 0..<16 { #expect(relayed.result(at: i) == .ok && relayed.packet(at: i) == packets[i]) }

        let receiver2 = try keys.receiver(hop: 0)
        let opened = PacketBatch(maximumCount: 16, slotCapacity: 512)
        receiver2.unprotect(output, into: opened)
        for i in 0..<16 { #expect(opened.packet(at: i) == packets[i] && output.packet(at: i) == expected[i]) }
        #expect(receiver2.innerRolloverCounter(for: 0xABCD_0001) == 1 && receiver2.outerRolloverCounter(for: 0xABCD_0001) == 1)
    }

    /// A packet whose protected form does not fit its slot fails, stays as it was, and the
    /// sender's state does not move (the next packet gets the index it would have had).
    @Test func slotTooSmallChangesNothing() throws {
        let keys = DoubleTestKeys(.aes128Gcm, seed: 19)
        let big = RTPPacketFactory.packet(sequenceNumber: 0xFFFF, payload: [UInt8](repeating: 7, count: 100))
        let next = RTPPacketFactory.packet(sequenceNumber: 0x0000, payload: [1])
        let batch = PacketBatch(maximumCount: 2, slotCapacity: big.count + 32)   // one byte short
        batch.append(big)
        batch.append(next)
        let sender = try keys.sender()
        sender.protect(batch)
        #expect(batch.result(at: 0) == .failed(.bufferTooSmall(needed: big.count + 33, capacity: big.count + 32)))
        #expect(batch.packet(at: 0) == big)
        #expect(batch.result(at: 1) == .ok)
        // 0x0000 was the stream's first packet, so it went out at ROC 0 (not 1, as after 0xFFFF).
        let receiver = try keys.receiver(hop: 0)
        #expect(try receiver.unprotect(batch.packet(at: 1)) == next)
        #expect(receiver.outerRolloverCounter(for: 0xCAFE_BABE) == 0)
    }
}
