// SPDX-License-Identifier: Apache-2.0
// Copyright 2026 the swift-perc authors

import PERC
import SRTP
import TestSupport
import Testing

/// Chains of one and two media distributors (RFC 8723 5.2) with every OHB update rule:
/// record a changed field's original once, drop it when set back, never overwrite what an
/// earlier relay recorded; setting a field to its current value changes nothing. After each
/// hop the OHB is read with the hop key; the receiver must return the sender's packet.
@Suite struct RelayChainTests {
    /// One relay's edits: PT and M set to a value, SEQ moved by a delta from the incoming SEQ.
    struct Edit: Sendable {
        var payloadType: UInt8? = nil
        var sequenceDelta: Int? = nil
        var marker: Bool? = nil

        func headerEdits(incoming sequence: UInt16) -> HeaderEdits {
            HeaderEdits(payloadType: payloadType,
                        sequenceNumber: sequenceDelta.map { UInt16(truncatingIfNeeded: Int(sequence) + $0) },
                        marker: marker)
        }
    }

    struct Case: Sendable, CustomTestStringConvertible {
        let name: String
        var originalMarker = false
        let relays: [Edit]
        /// After each relay, which originals the OHB holds: "P" PT, "Q" SEQ, "M" marker.
        let recorded: [String]
        var testDescription: String { name }
    }

    static let cases: [Case] = [
        Case(name: "PT only", relays: [Edit(payloadType: 100)], recorded: ["P"]),
        Case(name: "SEQ only", relays: [Edit(sequenceDelta: 500)], recorded: ["Q"]),
        Case(name: "M only, original 0", relays: [Edit(marker: true)], recorded: ["M"]),
        Case(name: "M only, original 1", originalMarker: true, relays: [Edit(marker: false)], recorded: ["M"]),
        Case(name: "PT and SEQ", relays: [Edit(payloadType: 100, sequenceDelta: 3)], recorded: ["PQ"]),
        Case(name: "PT, SEQ and M (original 1)", originalMarker: true,
             relays: [Edit(payloadType: 100, sequenceDelta: 3, marker: false)], recorded: ["PQM"]),
        Case(name: "PT and M (original 0)", relays: [Edit(payloadType: 101, marker: true)], recorded: ["PM"]),
        Case(name: "SEQ and M (original 1)", originalMarker: true, relays: [Edit(sequenceDelta: -700, marker: false)],
             recorded: ["QM"]),
        Case(name: "SEQ edit across the 16-bit wrap", relays: [Edit(sequenceDelta: 65_000)], recorded: ["Q"]),
        Case(name: "fields set to their current values", originalMarker: true,
             relays: [Edit(payloadType: 96, sequenceDelta: 0, marker: true)], recorded: [""]),
        Case(name: "second relay sets PT back (OHB shrinks to 00)", relays: [Edit(payloadType: 100), Edit(payloadType: 96)],
             recorded: ["P", ""]),
        Case(name: "second relay sets PT back, SEQ stays recorded",
             relays: [Edit(payloadType: 100, sequenceDelta: 5), Edit(payloadType: 96)], recorded: ["PQ", "Q"]),
        Case(name: "second relay changes the recorded PT again", relays: [Edit(payloadType: 100), Edit(payloadType: 110)],
             recorded: ["P", "P"]),
        Case(name: "second relay changes the recorded SEQ again", relays: [Edit(sequenceDelta: 5), Edit(sequenceDelta: 10)],
             recorded: ["Q", "Q"]),
        Case(name: "second relay changes the recorded M back", relays: [Edit(marker: true), Edit(marker: false)],
             recorded: ["M", ""]),
        Case(name: "second relay sets M to its current value", relays: [Edit(marker: true), Edit(marker: true)],
             recorded: ["M", "M"]),
        Case(name: "only the second relay edits", relays: [Edit(), Edit(payloadType: 100)], recorded: ["", "P"]),
        Case(name: "second relay adds SEQ (OHB grows)", relays: [Edit(payloadType: 100), Edit(sequenceDelta: 7)],
             recorded: ["P", "PQ"]),
        Case(name: "second relay sets SEQ back and changes PT", relays: [Edit(sequenceDelta: 9), Edit(payloadType: 50, sequenceDelta: -9)],
             recorded: ["Q", "P"]),
        Case(name: "second relay sets everything back", originalMarker: true,
             relays: [Edit(payloadType: 100, sequenceDelta: 9, marker: false), Edit(payloadType: 96, sequenceDelta: -9, marker: true)],
             recorded: ["PQM", ""]),
        Case(name: "second relay sets SEQ back, keeps PT and M",
             relays: [Edit(payloadType: 100, sequenceDelta: 9, marker: true), Edit(sequenceDelta: -9)], recorded: ["PQM", "PM"]),
    ]

    static let arguments = DoubleProfile.allCases.flatMap { profile in cases.map { (profile, $0) } }

    @Test(arguments: arguments)
    func chain(profile: DoubleProfile, testCase: Case) throws {
        let keys = DoubleTestKeys(profile, hopCount: testCase.relays.count + 1)
        let sender = try keys.sender()
        let relays = try (0..<testCase.relays.count).map { try keys.relay(from: $0) }
        let receiver = try keys.receiver(hop: testCase.relays.count)
        for n in 0..<3 {
            let sequence = UInt16(1000 + n)
            let packet = RTPPacketFactory.packet(sequenceNumber: sequence, marker: testCase.originalMarker,
                                                 csrcs: [0x1111_1111, 0x2222_2222], extensionProfile: 0xBEDE,
                                                 extensionBody: [0x10, 0x42, 0, 0], payload: Array("payload \(n)".utf8))
            var wire = try sender.protect(packet)
            var header = (payloadType: UInt8(96), sequence: sequence, marker: testCase.originalMarker)
            for (i, edit) in testCase.relays.enumerated() {
                wire = try relays[i].0.forward(wire, to: RelayTarget(hop: relays[i].1, edits: edit.headerEdits(incoming: header.sequence)))
                header = (edit.payloadType ?? header.payloadType,
                          edit.headerEdits(incoming: header.sequence).sequenceNumber ?? header.sequence,
                          edit.marker ?? header.marker)
                // What this hop carries: the edited header and the expected OHB.
                let plain = try OuterLayer.open(wire, profile: profile, key: keys.hops[i + 1])
                let expectedHeader = Array(packet.prefix(28)).withHeaderFields(
                    payloadType: header.payloadType, sequenceNumber: header.sequence, marker: header.marker)
                #expect(Array(plain.prefix(28)) == expectedHeader, "after relay \(i + 1)")
                let ohb = Self.ohb(recording: testCase.recorded[i], sequence: sequence, marker: testCase.originalMarker)
                #expect(Array(plain.suffix(ohb.count)) == ohb, "after relay \(i + 1)")
                #expect(plain.count == packet.count + 16 + ohb.count, "after relay \(i + 1)")
            }
            #expect(try receiver.unprotect(wire) == packet)
        }
        #expect(receiver.innerRolloverCounter(for: 0xCAFE_BABE) == 0)
    }

    /// Random chains of one to three relays with random edits (a field set to a random value,
    /// to its current value, or back to the original). The update rules amount to one
    /// invariant, checked after every hop: the OHB holds exactly the fields whose current value
    /// differs from the original, with the original value.
    @Test(arguments: DoubleProfile.allCases)
    func randomChainsKeepTheInvariant(profile: DoubleProfile) throws {
        var rng = SeededGenerator(seed: 8723)
        let keys = DoubleTestKeys(profile, hopCount: 4, seed: 8)
        let sender = try keys.sender()
        let relays = try (0..<3).map { try keys.relay(from: $0) }
        let receivers = try (1...3).map { try keys.receiver(hop: $0) }
        var nonEmpty = 0
        for n in 0..<300 {
            let packet = RTPPacketFactory.random(ssrc: 0xCAFE_BABE, sequenceNumber: UInt16(2 * n), using: &rng)
            let original = (pt: packet[1] & 0x7F, seq: UInt16(2 * n), marker: packet[1] & 0x80 != 0)
            var current = original
            var wire = try sender.protect(packet)
            let hops = Int.random(in: 1...3, using: &rng)
            for i in 0..<hops {
                var edits = HeaderEdits()
                switch Int.random(in: 0...3, using: &rng) {
                case 0: edits.payloadType = UInt8.random(in: 0...127, using: &rng)
                case 1: edits.payloadType = current.pt
                case 2: edits.payloadType = original.pt
                default: break
                }
                switch Int.random(in: 0...3, using: &rng) {
                // Originals are even; a moved SEQ is odd and unique per packet, so no hop sends
                // an index twice and every hop stays inside its 1024-packet window.
                case 0: edits.sequenceNumber = UInt16(2 * n + 301)
                case 1: edits.sequenceNumber = current.seq
                case 2: edits.sequenceNumber = original.seq
                default: break
                }
                if Bool.random(using: &rng) { edits.marker = Bool.random(using: &rng) }
                wire = try relays[i].0.forward(wire, to: RelayTarget(hop: relays[i].1, edits: edits))
                current = (edits.payloadType ?? current.pt, edits.sequenceNumber ?? current.seq, edits.marker ?? current.marker)
                var expected: [UInt8] = []
                var config: UInt8 = 0
                if current.pt != original.pt { expected.append(original.pt); config |= 0x02 }
                if current.seq != original.seq { expected += [UInt8(original.seq >> 8), UInt8(original.seq & 0xFF)]; config |= 0x01 }
                if current.marker != original.marker { config |= original.marker ? 0x0C : 0x04 }
                expected.append(config)
                if config != 0 { nonEmpty += 1 }
                let plain = try OuterLayer.open(wire, profile: profile, key: keys.hops[i + 1],
                                                roc: relays[i].1.rolloverCounter(for: 0xCAFE_BABE) ?? 0)
                #expect(Array(plain.suffix(expected.count)) == expected, "packet \(n) hop \(i + 1) edits \(edits)")
                #expect(plain.count == packet.count + 16 + expected.count)
            }
            #expect(try receivers[hops - 1].unprotect(wire) == packet, "packet \(n)")
        }
        #expect(nonEmpty > 300)
    }

    /// The OHB holding the originals named in `recording` (PT 96, `sequence`, `marker`).
    static func ohb(recording: String, sequence: UInt16, marker: Bool) -> [UInt8] {
        var bytes: [UInt8] = []
        var config: UInt8 = 0
        if recording.contains("P") { bytes.append(96); config |= 0x02 }
        if recording.contains("Q") { bytes += [UInt8(sequence >> 8), UInt8(sequence & 0xFF)]; config |= 0x01 }
        if recording.contains("M") { config |= marker ? 0x0C : 0x04 }
        return bytes + [config]
    }
}
