// SPDX-License-Identifier: Apache-2.0
// Copyright 2026 the swift-perc authors

import PERC
import SRTP
import Testing

/// The media distributor's hops (RFC 8723 5.2): each outgoing hop has its own ROC (initial
/// value, then estimated relative to the highest index it sent), the incoming hop its own
/// initial ROC and replay window; fan-out; never re-encrypting with the inbound key.
@Suite struct RelayHopTests {
    let keys = DoubleTestKeys(.aes128Gcm, hopCount: 4)
    let ssrc: UInt32 = 0xCAFE_BABE

    func packet(_ sequence: UInt16, payload: String = "media") -> [UInt8] {
        RTPPacketFactory.packet(sequenceNumber: sequence, csrcs: [7], payload: Array(payload.utf8))
    }

    /// The outgoing hop's first packet uses its initial ROC (`--out-roc`), whatever the sender's.
    @Test func outgoingHopStartsAtItsInitialROC() throws {
        let sender = try keys.sender(roc: 3)
        let (inbound, outbound) = try keys.relay(from: 0, inROC: 3, outROC: 0x1_0000)
        let relayed = try inbound.forward(try sender.protect(packet(10)), to: RelayTarget(hop: outbound))
        #expect(outbound.rolloverCounter(for: ssrc) == 0x1_0000)
        #expect(inbound.rolloverCounter(for: ssrc) == 3)
        // Sealed at ROC 0x10000: opens there, not at the sender's ROC.
        #expect(throws: SRTPError.authenticationFailed(ssrc: ssrc)) {
            try OuterLayer.open(relayed, profile: .aes128Gcm, key: keys.hops[1], roc: 3)
        }
        _ = try OuterLayer.open(relayed, profile: .aes128Gcm, key: keys.hops[1], roc: 0x1_0000)
        let receiver = try keys.receiver(hop: 1, roc: 0x1_0000)
        // The receiver's `roc` is the initial ROC of both layers; the inner one is the sender's 3.
        #expect(throws: SRTPError.inner(.authenticationFailed(ssrc: ssrc))) { try receiver.unprotect(relayed) }
        // Outer at the hop's ROC, inner at the sender's (as EKT would install it): accepted.
        let both = try keys.receiver(hop: 1, roc: 0x1_0000)
        try both.installInnerKey(ssrc: ssrc, masterKey: keys.inner, roc: 3)
        #expect(try both.unprotect(relayed) == packet(10))
        #expect(both.outerRolloverCounter(for: ssrc) == 0x1_0000 && both.innerRolloverCounter(for: ssrc) == 3)
    }

    /// The incoming hop's first accepted packet uses its initial ROC (`--in-roc`).
    @Test func incomingHopUsesItsInitialROC() throws {
        let sender = try keys.sender(roc: 5)
        let wire = try sender.protect(packet(77))
        let (wrongInbound, outbound) = try keys.relay(from: 0, inROC: 4)
        #expect(throws: SRTPError.authenticationFailed(ssrc: ssrc)) { try wrongInbound.forward(wire, to: RelayTarget(hop: outbound)) }
        #expect(wrongInbound.rolloverCounter(for: ssrc) == nil)
        let (inbound, _) = try keys.relay(from: 0, inROC: 5)
        _ = try inbound.forward(wire, to: RelayTarget(hop: outbound))
        #expect(inbound.rolloverCounter(for: ssrc) == 5)
    }

    /// Sender at 0xFFFE, 0xFFFF, 0x0000, 0x0001; the relay forwards 0xFFFF late, after 0x0001.
    /// The outgoing hop estimates relative to the highest index it sent, so the late packet
    /// goes out with the previous ROC; each packet is checked with a context fixed at one ROC.
    @Test func latePacketBehindTheWrapGoesOutWithThePreviousROC() throws {
        let sender = try keys.sender(roc: 7)
        let wires = try [0xFFFE, 0xFFFF, 0x0000, 0x0001].map { try sender.protect(packet(UInt16($0))) }
        let (inbound, outbound) = try keys.relay(from: 0, inROC: 7, outROC: 7)
        let receiver = try keys.receiver(hop: 1, roc: 7)
        for (i, expectedROC) in [(0, UInt32(7)), (2, 8), (3, 8), (1, 7)] {
            let relayed = try inbound.forward(wires[i], to: RelayTarget(hop: outbound))
            _ = try OuterLayer.open(relayed, profile: .aes128Gcm, key: keys.hops[1], roc: expectedROC)
            #expect(throws: SRTPError.self) {
                try OuterLayer.open(relayed, profile: .aes128Gcm, key: keys.hops[1], roc: expectedROC ^ 0xF)
            }
            #expect(try receiver.unprotect(relayed) == packet(UInt16([0xFFFE, 0xFFFF, 0x0000, 0x0001][i])))
        }
        #expect(outbound.rolloverCounter(for: ssrc) == 8)
        #expect(receiver.outerRolloverCounter(for: ssrc) == 8 && receiver.innerRolloverCounter(for: ssrc) == 8)
    }

    /// A relay that rewrites SEQ makes the outgoing hop wrap on its own: outer and inner ROC
    /// differ at the receiver (RFC 8723 3.1: SEQ and ROC are tracked per layer).
    @Test func rewrittenSequenceWrapsOnlyTheOutgoingHop() throws {
        let sender = try keys.sender()
        let (inbound, outbound) = try keys.relay(from: 0)
        let receiver = try keys.receiver(hop: 1)
        for n in 0..<6 {
            let original = packet(UInt16(100 + n))
            let edits = HeaderEdits(sequenceNumber: UInt16(truncatingIfNeeded: 0xFFFD + n))
            let relayed = try inbound.forward(try sender.protect(original), to: RelayTarget(hop: outbound, edits: edits))
            #expect(try receiver.unprotect(relayed) == original)
        }
        #expect(outbound.rolloverCounter(for: ssrc) == 1)
        #expect(receiver.outerRolloverCounter(for: ssrc) == 1)
        #expect(receiver.innerRolloverCounter(for: ssrc) == 0)
    }

    /// The incoming hop keeps a replay window: the same packet twice is refused the second time.
    @Test func incomingHopRejectsReplays() throws {
        let sender = try keys.sender()
        let (inbound, outbound) = try keys.relay(from: 0)
        let wire = try sender.protect(packet(1))
        _ = try inbound.forward(wire, to: RelayTarget(hop: outbound))
        #expect(throws: SRTPError.replayed(ssrc: ssrc, index: 1)) { try inbound.forward(wire, to: RelayTarget(hop: outbound)) }
    }

    /// Fan-out opens once and seals per target: each copy equals a separate forward of the
    /// same packet (a fresh inbound hop per target, each target with its own key and ROC).
    /// The third target rewrites the sequence number, to a new one per packet (the same one
    /// twice would be an index its hop sealed already, which it refuses).
    @Test func fanOutEqualsSeparateForwards() throws {
        let sender = try keys.sender()
        let (inbound, _) = try keys.relay(from: 0)
        func edits(_ n: Int) -> [HeaderEdits] {
            [HeaderEdits(), HeaderEdits(payloadType: 111), HeaderEdits(sequenceNumber: UInt16(900 + n), marker: true)]
        }
        func targets() throws -> [RelayTarget] {
            try (1...3).map { hop in
                var configuration = SRTPConfiguration()
                configuration.initialROC = UInt32(hop * 10)
                return RelayTarget(hop: try RelayHop(profile: .aes128Gcm, direction: .outbound, outer: keys.hops[hop],
                                                     configuration: configuration))
            }
        }
        var fanTargets = try targets()
        let separate = try (0..<3).map { _ in (try keys.relay(from: 0).0) }
        let separateTargets = try targets()
        let output = PacketBatch(maximumCount: 8)
        for n in 0..<4 {
            for t in 0..<3 { fanTargets[t].edits = edits(n)[t] }
            let wire = try sender.protect(packet(UInt16(500 + n), payload: "packet \(n)"))
            try wire.withUnsafeBytes { try inbound.fanOut($0, to: fanTargets, into: output) }
            #expect(output.count == 3)
            for t in 0..<3 {
                #expect(output.result(at: t) == .ok)
                var target = separateTargets[t]
                target.edits = edits(n)[t]
                #expect(output.packet(at: t) == (try separate[t].forward(wire, to: target)), "target \(t) packet \(n)")
            }
        }
        #expect(inbound.rolloverCounter(for: ssrc) == 0)
        #expect(fanTargets.map { $0.hop.rolloverCounter(for: ssrc) } == [10, 20, 30])
    }

    /// RFC 8723 5.2: never re-encrypt with the key the packet was decrypted with. The refused
    /// packet leaves no trace: the same packet then goes to a proper target; in a fan-out only
    /// the offending target's slot fails.
    @Test func reEncryptionWithTheInboundKeyIsRefused() throws {
        let sender = try keys.sender()
        let (inbound, outbound) = try keys.relay(from: 0)
        let sameKey = try RelayHop(profile: .aes128Gcm, direction: .outbound, outer: keys.hops[0])
        #expect(inbound.sharesKey(with: sameKey) && !inbound.sharesKey(with: outbound))
        let wire = try sender.protect(packet(42))
        #expect(throws: SRTPError.relayKeyReuse) { try inbound.forward(wire, to: RelayTarget(hop: sameKey)) }
        #expect(inbound.rolloverCounter(for: ssrc) == nil && sameKey.rolloverCounter(for: ssrc) == nil)

        let batch = PacketBatch(maximumCount: 2)
        batch.append(wire)
        inbound.forward(batch, to: RelayTarget(hop: sameKey, edits: HeaderEdits(payloadType: 1)))
        #expect(batch.result(at: 0) == .failed(.relayKeyReuse))
        #expect(batch.packet(at: 0) == wire, "the in-place slot is unchanged")

        let output = PacketBatch(maximumCount: 4)
        try wire.withUnsafeBytes { try inbound.fanOut($0, to: [RelayTarget(hop: outbound), RelayTarget(hop: sameKey)], into: output) }
        #expect(output.result(at: 0) == .ok && output.result(at: 1) == .failed(.relayKeyReuse))
        #expect(try keys.receiver(hop: 1).unprotect(output.packet(at: 0)) == packet(42))
    }

    /// A fan-out whose open fails throws, leaves the output empty and records nothing.
    @Test func fanOutOfARefusedPacket() throws {
        let sender = try keys.sender()
        let (inbound, outbound) = try keys.relay(from: 0)
        let wire = try sender.protect(packet(8))
        var forged = wire
        forged[20] ^= 0x40
        let output = PacketBatch(maximumCount: 4)
        output.append([1, 2, 3])
        #expect(throws: SRTPError.authenticationFailed(ssrc: ssrc)) {
            try forged.withUnsafeBytes { try inbound.fanOut($0, to: [RelayTarget(hop: outbound)], into: output) }
        }
        #expect(output.count == 0)
        #expect(inbound.rolloverCounter(for: ssrc) == nil && outbound.rolloverCounter(for: ssrc) == nil)
        try wire.withUnsafeBytes { try inbound.fanOut($0, to: [RelayTarget(hop: outbound)], into: output) }
        #expect(output.result(at: 0) == .ok)
        // A slot too small for one copy fails that slot only.
        let small = PacketBatch(maximumCount: 2, slotCapacity: wire.count + 2)
        let next = try sender.protect(packet(9))
        let wide = try RelayHop(profile: .aes128Gcm, direction: .outbound, outer: keys.hops[2])
        try next.withUnsafeBytes { try inbound.fanOut($0, to: [RelayTarget(hop: outbound), RelayTarget(hop: wide)], into: small) }
        #expect(small.count == 2)
        #expect(small.result(at: 0) == .failed(.bufferTooSmall(needed: next.count + 3, capacity: next.count + 2)))
    }

    /// Out-of-range options are typed errors, not traps.
    @Test func badConfigurationsAreErrors() throws {
        var configuration = SRTPConfiguration()
        configuration.replayWindowSize = 10
        #expect(throws: SRTPError.self) {
            try RelayHop(profile: .aes128Gcm, direction: .inbound, outer: keys.hops[0], configuration: configuration)
        }
        #expect(throws: SRTPError.self) {
            try DoubleReceiver(profile: .aes128Gcm, inner: keys.inner, outer: keys.hops[0], configuration: configuration)
        }
        #expect(throws: SRTPError.self) {
            try RelayHop(profile: .aes256Gcm, direction: .inbound, outer: keys.hops[0])   // 16-byte key for AES-256
        }
    }

    @Test func hopsMustFaceTheRightWay() throws {
        let sender = try keys.sender()
        let (inbound, outbound) = try keys.relay(from: 0)
        let wire = try sender.protect(packet(1))
        let wrongInbound = try RelayHop(profile: .aes128Gcm, direction: .outbound, outer: keys.hops[0])
        #expect(throws: SRTPError.self) { try wrongInbound.forward(wire, to: RelayTarget(hop: outbound)) }
        let wrongOutbound = try RelayHop(profile: .aes128Gcm, direction: .inbound, outer: keys.hops[2])
        #expect(throws: SRTPError.self) { try inbound.forward(wire, to: RelayTarget(hop: wrongOutbound)) }
        #expect(inbound.rolloverCounter(for: ssrc) == nil)
        _ = try inbound.forward(wire, to: RelayTarget(hop: outbound))
    }

    /// In-place batch relaying: every slot relayed, a bad slot failed and unchanged.
    @Test func batchInPlace() throws {
        let sender = try keys.sender()
        let (inbound, outbound) = try keys.relay(from: 0)
        let receiver = try keys.receiver(hop: 1)
        let wires = try (0..<5).map { try sender.protect(packet(UInt16(300 + $0), payload: "slot \($0)")) }
        var forged = wires[2]
        forged[forged.count - 1] ^= 0x01
        let batch = PacketBatch(maximumCount: 8)
        for (i, wire) in wires.enumerated() { batch.append(i == 2 ? forged : wire) }
        inbound.forward(batch, to: RelayTarget(hop: outbound, edits: HeaderEdits(payloadType: 120)))
        #expect(batch.result(at: 2) == .failed(.authenticationFailed(ssrc: ssrc)))
        #expect(batch.packet(at: 2) == forged)
        for i in [0, 1, 3, 4] {
            #expect(batch.result(at: i) == .ok)
            #expect(try receiver.unprotect(batch.packet(at: i)) == packet(UInt16(300 + i), payload: "slot \(i)"))
        }
        // The authentic packet 302 was not recorded by the failure: it still goes through.
        let late = try inbound.forward(wires[2], to: RelayTarget(hop: outbound))
        #expect(try receiver.unprotect(late) == packet(302, payload: "slot 2"))
    }
}
