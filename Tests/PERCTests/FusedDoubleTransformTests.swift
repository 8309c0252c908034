// SPDX-License-Identifier: Apache-2.0
// Copyright 2026 the swift-perc authors

import TestSupport
import PERC
import SRTP
import Testing

/// The transforms on the fused kernels (one-call double seal and open, the fan-out seal) give
/// exactly what the layer-by-layer path gives, with the process's backend
/// (PERC_CRYPTO_BACKEND) against the OpenSSL backend's separate calls, across payload
/// lengths on both sides of the kernels' short-packet and chunk limits.
@Suite struct FusedDoubleTransformTests {
    static let lengths = [0, 1, 15, 16, 17, 100, 160, 191, 192, 207, 208, 223, 224, 239, 240, 241, 255, 256, 257, 300,
                          511, 512, 700, 1000, 1200, 1400]

    func configuration(_ backend: CryptoBackend, roc: UInt32 = 0) -> SRTPConfiguration {
        var configuration = SRTPConfiguration()
        configuration.backend = backend
        configuration.initialROC = roc
        return configuration
    }

    @Test(arguments: [DoubleProfile.aes128Gcm, .aes256Gcm])
    func senderAndReceiverMatchTheOpenSSLPath(profile: DoubleProfile) throws {
        let keys = DoubleTestKeys(profile, hopCount: 2, seed: 61)
        let fused = try DoubleSender(profile: profile, inner: keys.inner, outer: keys.hops[0],
                                     configuration: configuration(.default, roc: 3))
        let portable = try DoubleSender(profile: profile, inner: keys.inner, outer: keys.hops[0],
                                        configuration: configuration(.openssl, roc: 3))
        let receiver = try DoubleReceiver(profile: profile, inner: keys.inner, outer: keys.hops[0],
                                          configuration: configuration(.default, roc: 3))
        var rng = SeededGenerator(seed: 62)
        for (n, length) in Self.lengths.enumerated() {
            let packet = RTPPacketFactory.packet(sequenceNumber: UInt16(100 + n), marker: n % 2 == 0,
                                                 csrcs: n % 3 == 0 ? [1, 2] : [], payload: rng.bytes(length))
            let wire = try fused.protect(packet)
            #expect(wire == (try portable.protect(packet)), "\(profile) length \(length)")
            #expect(try receiver.unprotect(wire) == packet, "\(profile) length \(length)")
            // A flipped bit anywhere is refused, and the next packet still opens.
            var forged = wire
            forged[12 + (n * 7919) % (forged.count - 12)] ^= 0x10
            #expect(throws: SRTPError.self) { try receiver.unprotect(forged) }
        }
    }

    /// A fan-out to 30 targets (several kernel calls: see `RelayHop.fanOutGroup`) with different keys and header edits (so different OHBs) equals 30 separate OpenSSL-backend forwards, and every copy opens at its receiver.
    @Test func fanOutMatchesSeparateForwards() throws {
        let profile = DoubleProfile.aes128Gcm, copies = 30
        let keys = DoubleTestKeys(profile, hopCount: copies + 1, seed: 63)
        let sender = try keys.sender()
        // PT and marker edits: OHBs of 1 and 2 bytes that every receiver can still open
        // (a rewritten sequence number would repeat across packets and trip its replay window).
        let edits = [HeaderEdits(), HeaderEdits(payloadType: 111), HeaderEdits(payloadType: 100, marker: true),
                     HeaderEdits(marker: true)]
        func hops(_ backend: CryptoBackend) throws -> (RelayHop, [RelayTarget]) {
            let inbound = try RelayHop(profile: profile, direction: .inbound, outer: keys.hops[0],
                                       configuration: configuration(backend))
            let targets = try (1...copies).map { hop in
                RelayTarget(hop: try RelayHop(profile: profile, direction: .outbound, outer: keys.hops[hop],
                                              configuration: configuration(backend)),
                            edits: edits[hop % edits.count])
            }
            return (inbound, targets)
        }
        let (inbound, targets) = try hops(.default)
        let separate = try (0..<copies).map { _ in try hops(.openssl) }
        let receivers = try (1...copies).map { hop in
            try DoubleReceiver(profile: profile, inner: keys.inner, outer: keys.hops[hop],
                               configuration: configuration(.default))
        }
        let output = PacketBatch(maximumCount: copies)
        var rng = SeededGenerator(seed: 64)
        for (n, length) in Self.lengths.enumerated() {
            let packet = RTPPacketFactory.packet(sequenceNumber: UInt16(500 + n), payload: rng.bytes(length))
            let wire = try sender.protect(packet)
            try wire.withUnsafeBytes { try inbound.fanOut($0, to: targets, into: output) }
            #expect(output.count == copies)
            for t in 0..<copies {
                #expect(output.result(at: t) == .ok)
                let expected = try separate[t].0.forward(wire, to: separate[t].1[t])
                #expect(output.packet(at: t) == expected, "length \(length) copy \(t)")
                let opened = try receivers[t].unprotect(output.packet(at: t))
                #expect(Array(opened[12...]) == Array(packet[12...]), "length \(length) copy \(t) payload")
            }
        }
    }

    /// A hop named twice takes the copy-by-copy path: the copies equal separate forwards, the
    /// first copy to a hop seals the index and a second with the same header is refused (it
    /// would seal that index again: see `RelaySealsEachIndexOnceTests`).
    @Test func fanOutWithARepeatedHop() throws {
        let keys = DoubleTestKeys(.aes128Gcm, hopCount: 3, seed: 65)
        let sender = try keys.sender()
        let (inbound, first) = try keys.relay(from: 0)
        let second = try RelayHop(profile: .aes128Gcm, direction: .outbound, outer: keys.hops[2])
        let referenceFirst = try keys.relay(from: 0).1
        let referenceSecond = try RelayHop(profile: .aes128Gcm, direction: .outbound, outer: keys.hops[2])
        let output = PacketBatch(maximumCount: 4)
        let wire = try sender.protect(RTPPacketFactory.packet(sequenceNumber: 1, payload: Array("repeat".utf8)))
        try wire.withUnsafeBytes {
            try inbound.fanOut($0, to: [RelayTarget(hop: first), RelayTarget(hop: second, edits: HeaderEdits(marker: true)),
                                        RelayTarget(hop: first)], into: output)
        }
        let expected = try [RelayTarget(hop: referenceFirst), RelayTarget(hop: referenceSecond, edits: HeaderEdits(marker: true))]
            .map { target in try keys.relay(from: 0).0.forward(wire, to: target) }
        #expect(output.count == 3 && output.succeededCount == 2)
        for t in 0..<2 { #expect(output.packet(at: t) == expected[t], "copy \(t)") }
        #expect(output.result(at: 2) == .failed(.replayed(ssrc: 0xCAFE_BABE, index: 1)))
    }
}
