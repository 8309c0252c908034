// SPDX-License-Identifier: Apache-2.0
// Copyright 2026 the swift-perc authors

import PERC
import SRTP

/// The packets and keys of one scenario, identical for every implementation.
///
/// Packet i belongs to context (i * 7919) mod N (SSRC 0x10000000 + context; the prime stride
/// scatters consecutive packets over the contexts) and has sequence number 1 + i / N; the
/// priming packets (sequence 0, one per context) are processed before each
/// timed run so that every context exists and the timed packets find warm state paths, not
/// stream creation.
public struct BenchPackets {
    public let scenario: BenchScenario
    /// Plain RTP (or RTCP for srtcp-protect) packets, timed.
    public let plain: [[UInt8]]
    /// One plain packet per context, processed untimed before each run.
    public let priming: [[UInt8]]
    /// The RTP header length of every packet.
    public let headerLength: Int

    /// Key material: a layer's master key and salt, and for double profiles the other half.
    public let outerKey: [UInt8]
    public let outerSalt: [UInt8]
    public let innerKey: [UInt8]
    public let innerSalt: [UInt8]
    /// Second-hop (receiver side) outer keys for forward/fan-out, one per copy.
    public let hopKeys: [[UInt8]]

    public init(scenario: BenchScenario, count: Int) {
        self.scenario = scenario
        var rng = SplitMix64(seed: 0x5EED_0000 + UInt64(scenario.payloadSize))
        let layer = scenario.profile.layerProfile
        outerKey = rng.bytes(layer.masterKeyLength)
        outerSalt = rng.bytes(layer.masterSaltLength)
        innerKey = rng.bytes(layer.masterKeyLength)
        innerSalt = rng.bytes(layer.masterSaltLength)
        hopKeys = (0..<max(scenario.operation.copiesPerPacket, 1)).map { _ in rng.bytes(layer.masterKeyLength) }
        let payload = rng.bytes(scenario.payloadSize)
        let rtcp = scenario.operation == .srtcpProtect
        let contexts = scenario.contexts
        headerLength = rtcp ? 8 : 12 + (scenario.headerExtension ? 16 : 0)
        plain = (0..<count).map { i in
            Self.packet(rtcp: rtcp, ssrc: 0x1000_0000 + UInt32((i &* 7919) % contexts), sequence: UInt16(truncatingIfNeeded: 1 + i / contexts),
                        payload: payload, extensionHeader: scenario.headerExtension)
        }
        priming = (0..<contexts).map { c in
            Self.packet(rtcp: rtcp, ssrc: 0x1000_0000 + UInt32(c), sequence: 0, payload: payload,
                        extensionHeader: scenario.headerExtension)
        }
    }

    private static func packet(rtcp: Bool, ssrc: UInt32, sequence: UInt16, payload: [UInt8], extensionHeader: Bool) -> [UInt8] {
        let ssrcBytes = [UInt8(ssrc >> 24), UInt8(truncatingIfNeeded: ssrc >> 16), UInt8(truncatingIfNeeded: ssrc >> 8),
                         UInt8(truncatingIfNeeded: ssrc)]
        if rtcp {
            let words = (8 + payload.count) / 4 - 1
            return [0x80, 200, UInt8(truncatingIfNeeded: words >> 8), UInt8(truncatingIfNeeded: words)] + ssrcBytes + payload
        }
        var header: [UInt8] = [extensionHeader ? 0x90 : 0x80, 0x60, UInt8(sequence >> 8), UInt8(truncatingIfNeeded: sequence),
                               0x00, 0x01, 0x02, 0x03] + ssrcBytes
        if extensionHeader {
            // One-byte form (RFC 8285): audio level (id 1) and a 3-byte transport sequence (id 5), padded.
            header += [0xBE, 0xDE, 0x00, 0x03, 0x10, 0x7F, 0x52, 0x00, 0x01, 0x02, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00]
        }
        return header + payload
    }
}

/// A small deterministic generator (SplitMix64) so every run measures the same bytes.
public struct SplitMix64: RandomNumberGenerator {
    private var state: UInt64
    public init(seed: UInt64) { state = seed }
    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
    public mutating func bytes(_ count: Int) -> [UInt8] { (0..<count).map { _ in UInt8(truncatingIfNeeded: next()) } }
}
