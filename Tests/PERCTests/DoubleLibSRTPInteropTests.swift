// SPDX-License-Identifier: Apache-2.0
// Copyright 2026 the swift-perc authors

import PERC
import SRTP
import TestSupport
import Testing

/// RFC 8723 layering checked against libsrtp2 2.5 (system library), which knows only plain
/// RFC 7714 AEAD_AES_128_GCM / AEAD_AES_256_GCM: each of our layers must be exactly such a
/// packet, and packets whose two layers libsrtp2 produced must pass our receiver. Randomized
/// (seeded) packets with CSRCs, one- and two-byte extensions, padding, and a SEQ wrap.
@Suite struct DoubleLibSRTPInteropTests {
    /// One run: a stream's keys, starting SEQ/ROC and how many packets.
    struct Run: CustomTestStringConvertible, Sendable {
        let profile: DoubleProfile
        let seed: UInt64
        let firstSequence: UInt16
        let roc: UInt32
        let count: Int
        var testDescription: String { "\(profile) seed \(seed) seq \(firstSequence) roc \(roc)" }
    }

    static let runs: [Run] = DoubleProfile.allCases.flatMap { profile in
        [Run(profile: profile, seed: 1, firstSequence: 0xFC00, roc: 0, count: 1500),   // wraps to ROC 1
         Run(profile: profile, seed: 2, firstSequence: 0xFFF0, roc: 0x2A, count: 500),
         Run(profile: profile, seed: 3, firstSequence: 0x1234, roc: 0xFFFF_FFFE, count: 500)]
    }

    /// A stream's keys: inner and outer halves of one direction, plus a second outer key for
    /// the hop behind a relay.
    struct Keys {
        let inner: SRTPMasterKey
        let outer: SRTPMasterKey
        let nextHop: SRTPMasterKey
        let ssrc: UInt32

        init(_ profile: DoubleProfile, using rng: inout SeededGenerator) {
            let k = profile.halfKeyLength
            inner = SRTPMasterKey(key: rng.bytes(k), salt: rng.bytes(12))
            outer = SRTPMasterKey(key: rng.bytes(k), salt: rng.bytes(12))
            nextHop = SRTPMasterKey(key: rng.bytes(k), salt: rng.bytes(12))
            ssrc = UInt32.random(in: 0...UInt32.max, using: &rng)
        }
    }

    /// The SEQs of a run: mostly consecutive, sometimes a gap of one or two lost packets.
    static func sequenceNumbers(_ run: Run, using rng: inout SeededGenerator) -> [UInt16] {
        var sequence = run.firstSequence
        return (0..<run.count).map { _ in
            defer { sequence &+= Int.random(in: 0...9, using: &rng) == 0 ? UInt16.random(in: 2...3, using: &rng) : 1 }
            return sequence
        }
    }

    /// Our sender's packets: libsrtp2 with the OUTER half opens them to `header | C_in | T_in | 00`;
    /// the synthetic packet (12 + 4*CC header bytes, X = 0, then C_in | T_in) opens with the
    /// INNER half to the original payload.
    @Test(arguments: runs)
    func ourSenderLayersOpenInLibSRTP(run: Run) throws {
        var rng = SeededGenerator(seed: run.seed)
        let keys = Keys(run.profile, using: &rng)
        var configuration = SRTPConfiguration()
        configuration.initialROC = run.roc
        let sender = try DoubleSender(profile: run.profile, inner: keys.inner, outer: keys.outer, configuration: configuration)
        let outer = try LibSRTPLayer(profile: run.profile, key: keys.outer.key, salt: keys.outer.salt, ssrc: keys.ssrc, roc: run.roc)
        let inner = try LibSRTPLayer(profile: run.profile, key: keys.inner.key, salt: keys.inner.salt, ssrc: keys.ssrc, roc: run.roc)
        var checked = 0
        for sequence in Self.sequenceNumbers(run, using: &rng) {
            let packet = RTPPacketFactory.random(ssrc: keys.ssrc, sequenceNumber: sequence, using: &rng)
            let headerLength = RTPPacketFactory.headerLength(packet)
            let protected = try sender.protect(packet)
            #expect(protected.count == packet.count + 33)
            let outerPlain = try outer.unprotect(protected)
            #expect(outerPlain.count == packet.count + 17)
            #expect(Array(outerPlain.prefix(headerLength)) == Array(packet.prefix(headerLength)))
            #expect(outerPlain.last == 0x00, "the sender's OHB is 00")
            let synthetic = RTPPacketFactory.syntheticHeader(packet) + outerPlain[headerLength..<(outerPlain.count - 1)]
            let innerPlain = try inner.unprotect(synthetic)
            #expect(innerPlain == RTPPacketFactory.syntheticHeader(packet) + packet[headerLength...], "seq \(sequence)")
            checked += 1
        }
        #expect(checked == run.count)
    }

    /// libsrtp2 builds both layers (inner `srtp_protect` on the synthetic packet, then the
    /// real header back, OHB 00, outer `srtp_protect`); our receiver returns the original.
    @Test(arguments: runs)
    func libSRTPLayersOpenInOurReceiver(run: Run) throws {
        var rng = SeededGenerator(seed: run.seed &+ 100)
        let keys = Keys(run.profile, using: &rng)
        var configuration = SRTPConfiguration()
        configuration.initialROC = run.roc
        let receiver = try DoubleReceiver(profile: run.profile, inner: keys.inner, outer: keys.outer, configuration: configuration)
        let outer = try LibSRTPLayer(profile: run.profile, key: keys.outer.key, salt: keys.outer.salt, ssrc: keys.ssrc, roc: run.roc)
        let inner = try LibSRTPLayer(profile: run.profile, key: keys.inner.key, salt: keys.inner.salt, ssrc: keys.ssrc, roc: run.roc)
        for sequence in Self.sequenceNumbers(run, using: &rng) {
            let packet = RTPPacketFactory.random(ssrc: keys.ssrc, sequenceNumber: sequence, using: &rng)
            let protected = try Self.libSRTPDoubleProtect(packet, inner: inner, outer: outer)
            #expect(try receiver.unprotect(protected) == packet, "seq \(sequence)")
        }
        let lastROC = UInt32(truncatingIfNeeded: (UInt64(run.roc) << 16 + UInt64(run.firstSequence) + UInt64(run.count)) >> 16)
        #expect(receiver.innerRolloverCounter(for: keys.ssrc).map { $0 >= run.roc && $0 <= lastROC &+ 1 } == true)
        #expect(receiver.innerRolloverCounter(for: keys.ssrc) == receiver.outerRolloverCounter(for: keys.ssrc))
    }

    /// Non-empty OHBs: packets from libsrtp2 (or our sender) go through our relay, which edits
    /// PT, SEQ and M. libsrtp2 opens the relayed outer layer with the next hop's key to
    /// `header' | C_in | T_in | OHB`, the OHB being exactly what RFC 8723 4 says; the inner
    /// layer rebuilt with the original fields opens in libsrtp2; our receiver returns the original.
    @Test(arguments: runs)
    func relayedPacketsWithOriginalHeaderBlocks(run: Run) throws {
        var rng = SeededGenerator(seed: run.seed &+ 200)
        let keys = Keys(run.profile, using: &rng)
        var configuration = SRTPConfiguration()
        configuration.initialROC = run.roc
        let senderInner = try LibSRTPLayer(profile: run.profile, key: keys.inner.key, salt: keys.inner.salt,
                                             ssrc: keys.ssrc, roc: run.roc)
        let senderOuter = try LibSRTPLayer(profile: run.profile, key: keys.outer.key, salt: keys.outer.salt,
                                             ssrc: keys.ssrc, roc: run.roc)
        let inbound = try RelayHop(profile: run.profile, direction: .inbound, outer: keys.outer, configuration: configuration)
        let outbound = try RelayHop(profile: run.profile, direction: .outbound, outer: keys.nextHop, configuration: configuration)
        let hopOpener = try LibSRTPLayer(profile: run.profile, key: keys.nextHop.key, salt: keys.nextHop.salt,
                                           ssrc: keys.ssrc, roc: run.roc)
        let innerOpener = try LibSRTPLayer(profile: run.profile, key: keys.inner.key, salt: keys.inner.salt,
                                             ssrc: keys.ssrc, roc: run.roc)
        let receiver = try DoubleReceiver(profile: run.profile, inner: keys.inner, outer: keys.nextHop,
                                          configuration: configuration)
        let sequenceOffset: UInt16 = Bool.random(using: &rng) ? 0 : UInt16.random(in: 1...0x7FFF, using: &rng)
        var nonEmpty = 0
        for sequence in Self.sequenceNumbers(run, using: &rng) {
            let packet = RTPPacketFactory.random(ssrc: keys.ssrc, sequenceNumber: sequence, using: &rng)
            let original = RTPHeader(packet)
            var edits = HeaderEdits(sequenceNumber: sequenceOffset == 0 && Bool.random(using: &rng) ? nil : sequence &+ sequenceOffset)
            switch Int.random(in: 0...3, using: &rng) {
            case 0: edits.payloadType = UInt8.random(in: 0...127, using: &rng)
            case 1: edits.payloadType = original.payloadType   // same value: no change
            default: break
            }
            if Bool.random(using: &rng) { edits.marker = Bool.random(using: &rng) }
            let relayed = try inbound.forward(try Self.libSRTPDoubleProtect(packet, inner: senderInner, outer: senderOuter),
                                              to: RelayTarget(hop: outbound, edits: edits))

            let sent = RTPHeader(payloadType: edits.payloadType ?? original.payloadType,
                                 sequenceNumber: edits.sequenceNumber ?? original.sequenceNumber,
                                 marker: edits.marker ?? original.marker)
            let ohb = Self.expectedOHB(original: original, sent: sent)
            if ohb != [0] { nonEmpty += 1 }
            let headerLength = RTPPacketFactory.headerLength(packet)
            let hopPlain = try hopOpener.unprotect(relayed)
            let expectedHeader = Array(packet.prefix(headerLength)).withHeaderFields(
                payloadType: sent.payloadType, sequenceNumber: sent.sequenceNumber, marker: sent.marker)
            #expect(Array(hopPlain.prefix(headerLength)) == expectedHeader)
            #expect(Array(hopPlain.suffix(ohb.count)) == ohb, "seq \(sequence) edits \(edits)")
            let synthetic = RTPPacketFactory.syntheticHeader(packet) + hopPlain[headerLength..<(hopPlain.count - ohb.count)]
            #expect(try innerOpener.unprotect(synthetic) == RTPPacketFactory.syntheticHeader(packet) + packet[headerLength...])
            #expect(try receiver.unprotect(relayed) == packet.withHeaderFields(), "seq \(sequence) edits \(edits)")
        }
        #expect(nonEmpty > run.count / 3)
    }

    /// The three fields a relay may change, read from a packet.
    struct RTPHeader: Equatable {
        var payloadType: UInt8
        var sequenceNumber: UInt16
        var marker: Bool

        init(payloadType: UInt8, sequenceNumber: UInt16, marker: Bool) {
            self.payloadType = payloadType
            self.sequenceNumber = sequenceNumber
            self.marker = marker
        }

        init(_ packet: [UInt8]) {
            self.init(payloadType: packet[1] & 0x7F, sequenceNumber: UInt16(packet[2]) << 8 | UInt16(packet[3]),
                      marker: packet[1] & 0x80 != 0)
        }
    }

    /// The OHB of RFC 8723 4 for a packet sent with `sent` whose original fields were
    /// `original`, written out independently of ``OriginalHeaderBlock``.
    static func expectedOHB(original: RTPHeader, sent: RTPHeader) -> [UInt8] {
        var bytes: [UInt8] = []
        var config: UInt8 = 0
        if sent.payloadType != original.payloadType { bytes.append(original.payloadType); config |= 0x02 }
        if sent.sequenceNumber != original.sequenceNumber {
            bytes += [UInt8(original.sequenceNumber >> 8), UInt8(truncatingIfNeeded: original.sequenceNumber)]
            config |= 0x01
        }
        if sent.marker != original.marker { config |= 0x04 | (original.marker ? 0x08 : 0) }
        return bytes + [config]
    }

    /// Both layers built with libsrtp2 (RFC 8723 5.1 steps 3-6).
    static func libSRTPDoubleProtect(_ packet: [UInt8], inner: LibSRTPLayer, outer: LibSRTPLayer) throws -> [UInt8] {
        let headerLength = RTPPacketFactory.headerLength(packet)
        let synthetic = RTPPacketFactory.syntheticHeader(packet)
        let innerProtected = try inner.protect(synthetic + packet[headerLength...])
        let outerInput = Array(packet.prefix(headerLength)) + innerProtected[synthetic.count...] + [0x00]
        return try outer.protect(outerInput)
    }
}
