// SPDX-License-Identifier: Apache-2.0
// Copyright 2026 the swift-perc authors

import PERC
import SRTP
import Testing

/// What the double receiver (RFC 8723 5.3) and the relay (5.2) must refuse, and that a refused
/// packet changes nothing: the authentic packet of the same SEQ is still accepted afterwards,
/// both ROCs are as before, and an in-place batch slot keeps its bytes.
///
/// Invalid OHBs (RFC 8723 4) are built the way a faulty or malicious distributor would: the
/// outer plaintext is changed and sealed again with the hop key, so only the OHB is wrong.
@Suite struct DoubleReceiverRejectionTests {
    let ssrc: UInt32 = 0xCAFE_BABE

    /// A 28-byte header (one CSRC, an 8-byte extension body), so that a packet of minimum
    /// length (45 bytes) can carry an outer plaintext of a single byte.
    func packet(_ sequence: UInt16) -> [UInt8] {
        RTPPacketFactory.packet(sequenceNumber: sequence, csrcs: [0xAAAA_AAAA], extensionProfile: 0xBEDE,
                                extensionBody: [0x21, 0x01, 0x02, 0x30, 0x04, 0, 0, 0], payload: Array("payload \(sequence)".utf8))
    }

    struct OHBCase: Sendable, CustomTestStringConvertible {
        let name: String
        /// Replaces the outer plaintext (`C_in | T_in | 00`, after the header).
        let rewrite: @Sendable ([UInt8]) -> [UInt8]
        var testDescription: String { name }
    }

    static let invalidOHBs: [OHBCase] = [
        OHBCase(name: "reserved bit 0x10") { $0.dropLast() + [0x10] },
        OHBCase(name: "reserved bit 0x80 with M") { $0.dropLast() + [0x84] },
        OHBCase(name: "B without M") { $0.dropLast() + [0x08] },
        OHBCase(name: "B without M, with PT and SEQ") { $0.dropLast() + [0x60, 0x00, 0x01, 0x0B] },
        OHBCase(name: "PT byte with its top bit set") { $0.dropLast() + [0xE0, 0x02] },
        OHBCase(name: "OHB (SEQ) longer than the outer plaintext") { _ in [0x01] },
        OHBCase(name: "OHB (PT, SEQ) longer than the outer plaintext") { _ in [0x60, 0x03] },
        OHBCase(name: "no room for the E2E tag before the OHB") { _ in [UInt8](repeating: 0x33, count: 15) + [0x60, 0x00, 0x01, 0x03] },
    ]

    static let ohbArguments = DoubleProfile.allCases.flatMap { profile in invalidOHBs.map { (profile, $0) } }

    static func isInvalidOHB(_ error: SRTPError?) -> Bool {
        if case .invalidOriginalHeaderBlock = error { return true }
        return false
    }

    /// The outer plaintext rewritten and sealed again with the hop key (header untouched).
    func craft(_ wire: [UInt8], profile: DoubleProfile, key: SRTPMasterKey, roc: UInt32 = 0,
               _ rewrite: ([UInt8]) -> [UInt8]) throws -> [UInt8] {
        try OuterLayer.reseal(wire, profile: profile, key: key, roc: roc) { plain in
            let headerLength = RTPPacketFactory.headerLength(plain)
            plain = Array(plain.prefix(headerLength)) + rewrite(Array(plain.dropFirst(headerLength)))
        }
    }

    @Test(arguments: ohbArguments)
    func invalidOHBIsRejectedByReceiverAndRelay(profile: DoubleProfile, testCase: OHBCase) throws {
        let keys = DoubleTestKeys(profile)
        let sender = try keys.sender()
        let receiver = try keys.receiver(hop: 0)
        let (inbound, outbound) = try keys.relay(from: 0)
        let first = try sender.protect(packet(10)), second = try sender.protect(packet(11))
        #expect(try receiver.unprotect(first) == packet(10))
        _ = try inbound.forward(first, to: RelayTarget(hop: outbound))
        let crafted = try craft(second, profile: profile, key: keys.hops[0], testCase.rewrite)

        #expect(Self.isInvalidOHB(#expect(throws: SRTPError.self) { try receiver.unprotect(crafted) }))
        #expect(Self.isInvalidOHB(#expect(throws: SRTPError.self) {
            try inbound.forward(crafted, to: RelayTarget(hop: outbound, edits: HeaderEdits(payloadType: 5)))
        }))
        let batch = PacketBatch(maximumCount: 1)
        batch.append(crafted)
        receiver.unprotect(batch)
        if case .failed(let error) = batch.result(at: 0) { #expect(Self.isInvalidOHB(error)) } else { Issue.record("slot accepted") }
        #expect(batch.packet(at: 0) == crafted, "the in-place slot is unchanged")
        inbound.forward(batch, to: RelayTarget(hop: outbound))
        #expect(batch.packet(at: 0) == crafted, "the in-place slot is unchanged")

        // Nothing was recorded: the authentic packet 11 still passes, on both.
        #expect(try receiver.unprotect(second) == packet(11))
        _ = try inbound.forward(second, to: RelayTarget(hop: outbound))
        #expect(receiver.innerRolloverCounter(for: ssrc) == 0 && receiver.outerRolloverCounter(for: ssrc) == 0)
    }

    /// A tag failure in either layer on a packet that would advance both ROCs (the first after
    /// the SEQ wrap) leaves the ROCs and windows as they were.
    @Test(arguments: DoubleProfile.allCases)
    func forgedTagsChangeNothing(profile: DoubleProfile) throws {
        let keys = DoubleTestKeys(profile)
        let sender = try keys.sender(roc: 2)
        let receiver = try keys.receiver(hop: 0, roc: 2)
        let wires = try [0xFFFE, 0xFFFF, 0x0000].map { try sender.protect(packet(UInt16($0))) }
        #expect(try receiver.unprotect(wires[0]) == packet(0xFFFE))

        var forgedOuter = wires[2]
        forgedOuter[forgedOuter.count - 1] ^= 0x80
        let forgedInner = try craft(wires[2], profile: profile, key: keys.hops[0], roc: 3) { plain in
            var plain = plain
            plain[plain.count - 2] ^= 0x01   // last byte of T_in
            return plain
        }
        let unrecordedEdit = try OuterLayer.reseal(wires[2], profile: profile, key: keys.hops[0], roc: 3) { plain in
            plain[1] = plain[1] & 0x80 | 97   // PT changed without an OHB entry
        }
        let cases: [([UInt8], SRTPError)] = [
            (forgedOuter, .authenticationFailed(ssrc: ssrc)),
            (forgedInner, .inner(.authenticationFailed(ssrc: ssrc))),
            (unrecordedEdit, .inner(.authenticationFailed(ssrc: ssrc))),
        ]
        for (forged, error) in cases {
            #expect(throws: error) { try receiver.unprotect(forged) }
            #expect(receiver.outerRolloverCounter(for: ssrc) == 2 && receiver.innerRolloverCounter(for: ssrc) == 2)
        }
        let batch = PacketBatch(maximumCount: 4)
        for (forged, _) in cases { batch.append(forged) }
        batch.append(wires[1])
        receiver.unprotect(batch)
        for (i, (forged, error)) in cases.enumerated() {
            #expect(batch.result(at: i) == .failed(error))
            #expect(batch.packet(at: i) == forged, "slot \(i) unchanged")
        }
        #expect(batch.result(at: 3) == .ok && batch.packet(at: 3) == packet(0xFFFF))
        #expect(receiver.outerRolloverCounter(for: ssrc) == 2)
        #expect(try receiver.unprotect(wires[2]) == packet(0x0000))
        #expect(receiver.outerRolloverCounter(for: ssrc) == 3 && receiver.innerRolloverCounter(for: ssrc) == 3)
    }

    /// A distributor re-sends an authentic packet under a fresh outer SEQ (recording the
    /// original SEQ in the OHB, as it must): the outer layer is new, but the inner (original)
    /// index has its own window and refuses it (RFC 8723 5.3 step 6).
    @Test(arguments: DoubleProfile.allCases)
    func innerReplayUnderAFreshOuterSequenceIsRejected(profile: DoubleProfile) throws {
        let keys = DoubleTestKeys(profile)
        let sender = try keys.sender()
        let (inbound, outbound) = try keys.relay(from: 0)
        let receiver = try keys.receiver(hop: 1)
        let wire = try sender.protect(packet(100))
        #expect(try receiver.unprotect(try inbound.forward(wire, to: RelayTarget(hop: outbound))) == packet(100))

        // The malicious copy: opened on another inbound context, sent with outer SEQ 2000.
        let (replayInbound, replayOutbound) = try keys.relay(from: 0)
        let replay = try replayInbound.forward(wire, to: RelayTarget(hop: replayOutbound, edits: HeaderEdits(sequenceNumber: 2000)))
        #expect(throws: SRTPError.inner(.replayed(ssrc: ssrc, index: 100))) { try receiver.unprotect(replay) }
        // The outer SEQ 2000 was not recorded: the next authentic packet may use it.
        let next = try inbound.forward(try sender.protect(packet(101)), to: RelayTarget(hop: outbound, edits: HeaderEdits(sequenceNumber: 2000)))
        #expect(try receiver.unprotect(next) == packet(101))
        #expect(receiver.outerRolloverCounter(for: ssrc) == 0 && receiver.innerRolloverCounter(for: ssrc) == 0)
        // And a plain outer replay is caught by the outer window.
        #expect(throws: SRTPError.replayed(ssrc: ssrc, index: 2000)) { try receiver.unprotect(next) }
    }

    /// Truncated and malformed packets are typed errors, never a crash.
    @Test func malformedPacketsAreErrors() throws {
        let keys = DoubleTestKeys(.aes128Gcm)
        let receiver = try keys.receiver(hop: 0)
        let (inbound, outbound) = try keys.relay(from: 0)
        let wire = try keys.sender().protect(packet(1))
        for length in [0, 1, 11, 12, 20, 44, wire.count - 1] {
            let cut = Array(wire.prefix(length))
            #expect(throws: SRTPError.self) { try receiver.unprotect(cut) }
            #expect(throws: SRTPError.self) { try inbound.forward(cut, to: RelayTarget(hop: outbound)) }
        }
        var badVersion = wire
        badVersion[0] = 0x40 | badVersion[0] & 0x3F
        #expect(throws: SRTPError.malformed(.badVersion(1))) { try receiver.unprotect(badVersion) }
        var extensionPastEnd = wire
        extensionPastEnd[19] = 0xFF   // extension length in words
        #expect(throws: SRTPError.self) { try receiver.unprotect(extensionPastEnd) }
        #expect(try receiver.unprotect(wire) == packet(1))
    }
}
