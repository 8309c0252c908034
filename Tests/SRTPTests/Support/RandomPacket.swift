// SPDX-License-Identifier: Apache-2.0
// Copyright 2026 the swift-perc authors

import TestSupport

/// Random RTP and RTCP packets for the randomized tests: every header feature SRTP has to
/// step over (RFC 3550 5.1 CSRCs and padding, RFC 8285 one- and two-byte extension blocks,
/// other extension profiles) with payloads of 0...1400 bytes.
enum RandomPacket {
    /// An RTP packet with `sequenceNumber` and `ssrc` and everything else random.
    static func rtp(sequenceNumber: UInt16, ssrc: UInt32, using rng: inout SeededGenerator,
                    maximumPayload: Int = 1400) -> [UInt8] {
        let csrcCount = Int.random(in: 0...15, using: &rng)
        let extensionBlock = randomExtension(using: &rng)
        let padded = Int.random(in: 0..<4, using: &rng) == 0
        var packet: [UInt8] = [
            0x80 | (padded ? 0x20 : 0) | (extensionBlock.isEmpty ? 0 : 0x10) | UInt8(csrcCount),
            UInt8.random(in: 0...255, using: &rng),
            UInt8(sequenceNumber >> 8), UInt8(sequenceNumber & 0xFF),
        ]
        packet += rng.bytes(4)                                       // timestamp
        packet += [UInt8(ssrc >> 24), UInt8(ssrc >> 16 & 0xFF), UInt8(ssrc >> 8 & 0xFF), UInt8(ssrc & 0xFF)]
        packet += rng.bytes(4 * csrcCount)
        packet += extensionBlock
        // Payload: sizes 0...maximumPayload, with the small sizes (0, 1, a block) over-represented.
        var size = Int.random(in: 0...7, using: &rng) == 0
            ? Int.random(in: 0...17, using: &rng) : Int.random(in: 0...maximumPayload, using: &rng)
        if padded {
            let padding = Int.random(in: 1...min(32, max(1, maximumPayload)), using: &rng)
            size = max(size, padding)
            packet += rng.bytes(size - padding)
            packet += [UInt8](repeating: 0, count: padding - 1) + [UInt8(padding)]
        } else {
            packet += rng.bytes(size)
        }
        return packet
    }

    /// An RTCP compound packet: a first header (V=2, SR or RR, the given sender SSRC) and
    /// 0...400 random bytes after it. The length field is random too: the transform must
    /// not rely on it (RFC 3711 3.4).
    static func rtcp(ssrc: UInt32, using rng: inout SeededGenerator) -> [UInt8] {
        var packet: [UInt8] = [
            0x80 | UInt8.random(in: 0...31, using: &rng),
            Bool.random(using: &rng) ? 200 : 201,
        ]
        packet += rng.bytes(2)
        packet += [UInt8(ssrc >> 24), UInt8(ssrc >> 16 & 0xFF), UInt8(ssrc >> 8 & 0xFF), UInt8(ssrc & 0xFF)]
        packet += rng.bytes(Int.random(in: 0...400, using: &rng))
        return packet
    }

    /// A header extension block (4-byte header plus data) or nothing: RFC 8285 one-byte
    /// (0xBEDE) or two-byte (0x100x) elements with padding, or an opaque other profile.
    static func randomExtension(using rng: inout SeededGenerator) -> [UInt8] {
        var data: [UInt8] = []
        let profile: UInt16
        switch Int.random(in: 0..<8, using: &rng) {
        case 0...2:
            return []
        case 3...4:
            profile = 0xBEDE
            for _ in 0..<Int.random(in: 0...5, using: &rng) {
                if Int.random(in: 0..<4, using: &rng) == 0 { data.append(0) }   // padding octet
                let length = Int.random(in: 1...16, using: &rng)
                data.append(UInt8.random(in: 1...14, using: &rng) << 4 | UInt8(length - 1))
                data += rng.bytes(length)
            }
        case 5...6:
            profile = 0x1000 | UInt16.random(in: 0...15, using: &rng)
            for _ in 0..<Int.random(in: 0...5, using: &rng) {
                if Int.random(in: 0..<4, using: &rng) == 0 { data.append(0) }
                let length = Int.random(in: 0...40, using: &rng)
                data += [UInt8.random(in: 1...255, using: &rng), UInt8(length)]
                data += rng.bytes(length)
            }
        default:
            profile = UInt16.random(in: 0...0xFFFF, using: &rng)
            data = rng.bytes(4 * Int.random(in: 0...6, using: &rng))
        }
        while data.count % 4 != 0 { data.append(0) }
        let words = data.count / 4
        return [UInt8(profile >> 8), UInt8(profile & 0xFF), UInt8(words >> 8), UInt8(words & 0xFF)] + data
    }
}
