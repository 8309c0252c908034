// SPDX-License-Identifier: Apache-2.0
// Copyright 2026 the swift-perc authors
//
// The media distributor's relay step (RelayHop: outer open, header edits recorded in the OHB,
// outer seal per receiver; RFC 8723 5.2), with and without EKT fields passed through.
//
// Input: a selector byte, an edits byte (bit 0 PT, bit 1 SEQ, bit 2 M, bit 3 the M value), a
// PT byte, two SEQ bytes, then a packet. Selector bit 0: packets carry EKT fields; bit 1: the
// round-trip mode.
// - Forward mode: a fresh inbound hop (sender A's outer key) forwards the packet in place to
//   an outbound hop (receiver B's) in a slot 3 bytes larger than the packet (the OHB's
//   growth). Rejected: slot unchanged, no ROC on either hop, the same error again. Accepted:
//   at most 3 bytes longer, B's receiver opens it exactly when a receiver on A's hop opens
//   the original, to the same packet, and the packet is then refused as a replay.
// - Round-trip mode: the packet is plaintext; A's DoubleSender protects it; a copy with one
//   bit flipped in the SRTP part is refused without a trace; the real one fans out to B
//   (with the edits) and C (none), and each receiver gets the original packet back.
// Keys: Tests/Fixtures/perc-double-selfgen.json (sender A, MD->B hop); C's hop is made up.
import FuzzSupport
import PERC
import SRTP

let profile = DoubleProfile.aes128Gcm
nonisolated(unsafe) let inner = SRTPMasterKey(key: hex("0f0e0d0c0b0a09080706050403020100"), salt: hex("a0a1a2a3a4a5a6a7a8a9aaab"))
nonisolated(unsafe) let outerA = SRTPMasterKey(key: hex("101112131415161718191a1b1c1d1e1f"), salt: hex("4c4d4e4f5051525354555657"))
nonisolated(unsafe) let outerB = SRTPMasterKey(key: hex("202122232425262728292a2b2c2d2e2f"), salt: hex("303132333435363738393a3b"))
nonisolated(unsafe) let outerC = SRTPMasterKey(key: hex("404142434445464748494a4b4c4d4e4f"), salt: hex("505152535455565758595a5b"))
nonisolated(unsafe) let ektParameters = try! EKTParameterSet(spi: 1, cipher: .aesKeyWrap128,
                                                             key: hex("000102030405060708090a0b0c0d0e0f"),
                                                             masterSalt: hex("a0a1a2a3a4a5a6a7a8a9aaab"))

func hop(_ key: SRTPMasterKey, _ direction: RelayHop.Direction, ekt: Bool) -> RelayHop {
    try! RelayHop(profile: profile, direction: direction, outer: key, carriesEKT: ekt)
}

func receiver(_ outer: SRTPMasterKey, ekt: Bool) -> DoubleReceiver {
    guard ekt else { return try! DoubleReceiver(profile: profile, inner: inner, outer: outer) }
    let keys = EKTReceiver(keyLength: 16, saltLength: 12)
    keys.install(ektParameters)
    return try! DoubleReceiver(profile: profile, inner: nil, outer: outer, ekt: keys)
}

func ssrc(_ packet: [UInt8]) -> UInt32? {
    packet.count >= 12 ? packet[8..<12].reduce(0) { $0 << 8 | UInt32($1) } : nil
}

func forwardInPlace(_ packet: [UInt8], from inbound: RelayHop, to target: RelayTarget) -> (PacketResult, [UInt8]) {
    let batch = PacketBatch(maximumCount: 1, slotCapacity: packet.count + 3)
    batch.append(packet)
    inbound.forward(batch, to: target)
    return (batch.result(at: 0), batch.packet(at: 0))
}

func requireNoTrace(_ packet: [UInt8], _ result: PacketResult, _ slot: [UInt8], _ inbound: RelayHop, _ target: RelayTarget) {
    require(slot == packet, "a rejected packet's slot changed")
    if let ssrc = ssrc(packet) {
        require(inbound.rolloverCounter(for: ssrc) == nil && target.hop.rolloverCounter(for: ssrc) == nil,
                "a rejected packet created hop state")
    }
    let (again, _) = forwardInPlace(packet, from: inbound, to: target)
    require(again == result, "the same packet was first \(result), then \(again)")
}

func requireReplayRefused(_ packet: [UInt8], _ inbound: RelayHop, _ target: RelayTarget) {
    let (again, _) = forwardInPlace(packet, from: inbound, to: target)
    guard case .failed(.replayed) = again else { require(false, "a replayed packet was \(again)"); return }
}

fuzzMain { data, size in
    var input = FuzzReader(fuzzBytes(data, size))
    let selector = input.byte(), flags = input.byte(), pt = input.byte() & 0x7F, seq = input.uint16()
    let ekt = selector & 1 != 0
    let edits = HeaderEdits(payloadType: flags & 1 != 0 ? pt : nil, sequenceNumber: flags & 2 != 0 ? seq : nil,
                            marker: flags & 4 != 0 ? flags & 8 != 0 : nil)
    let packet = input.rest()
    let inbound = hop(outerA, .inbound, ekt: ekt)
    let toB = RelayTarget(hop: hop(outerB, .outbound, ekt: ekt), edits: edits)
    if selector & 2 == 0 {
        let (result, slot) = forwardInPlace(packet, from: inbound, to: toB)
        switch result {
        case .ok:
            require(slot.count >= packet.count && slot.count <= packet.count + 3,
                    "relayed \(packet.count) bytes into \(slot.count)")
            // The relay is transparent: B opens the copy exactly when a receiver on A's hop
            // opens the original (the EKT field and the inner layer are not the relay's to
            // check), and to the same original packet.
            let atB = Result { () throws(SRTPError) in try receiver(outerB, ekt: ekt).unprotect(slot) }
            let atA = Result { () throws(SRTPError) in try receiver(outerA, ekt: ekt).unprotect(packet) }
            switch (atA, atB) {
            case (.success(let a), .success(let b)): require(a == b, "the relayed copy opens to another packet")
            case (.failure(let a), .failure(let b)): require(a == b, "the copy fails with \(b), the original with \(a)")
            default: require(false, "the original gives \(atA), the relayed copy \(atB)")
            }
            requireReplayRefused(packet, inbound, toB)
        case .failed:
            requireNoTrace(packet, result, slot, inbound, toB)
        case .pending:
            require(false, "the batch left its slot pending")
        }
        return 0
    }
    let ektSender = ekt ? try! EKTSender(parameters: ektParameters, masterKey: inner.key) : nil
    guard let protected = try? DoubleSender(profile: profile, inner: inner, outer: outerA, ekt: ektSender).protect(packet)
    else { return 0 }
    var authenticated = protected.count
    if ekt, let field = protected.withUnsafeBytes({ try? EKTField.parse(endOf: $0) }) { authenticated -= field.length }
    var forged = protected
    let bit = (Int(selector >> 2) &* 131 &+ packet.count &* 5) % (8 * authenticated)
    forged[bit / 8] ^= 1 << UInt8(bit % 8)
    let (forgedResult, forgedSlot) = forwardInPlace(forged, from: inbound, to: toB)
    guard case .failed = forgedResult else { require(false, "bit \(bit) flipped was relayed"); return 0 }
    requireNoTrace(forged, forgedResult, forgedSlot, inbound, toB)

    let toC = RelayTarget(hop: hop(outerC, .outbound, ekt: ekt))
    let output = PacketBatch(maximumCount: 2, slotCapacity: protected.count + 3)
    do {
        try protected.withUnsafeBytes { try inbound.fanOut($0, to: [toB, toC], into: output) }
    } catch {
        require(false, "fan-out of a valid packet failed: \(error)")
    }
    require(output.count == 2 && output.result(at: 0) == .ok && output.result(at: 1) == .ok, "a fan-out copy failed")
    for (index, outer) in [outerB, outerC].enumerated() {
        let opened = try? receiver(outer, ekt: ekt).unprotect(output.packet(at: index))
        require(opened == packet, "copy \(index) did not open to the original packet")
    }
    requireReplayRefused(protected, inbound, toB)
    return 0
}
