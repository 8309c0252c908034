// SPDX-License-Identifier: Apache-2.0
// Copyright 2026 the swift-perc authors

import TestSupport

/// Builds RTP packets for the tests: fixed fields, CSRCs, an RFC 8285 header extension
/// (one-byte or two-byte form), payload and RTP padding.
struct RTPPacketFactory {
    /// A packet from explicit fields.
    static func packet(payloadType: UInt8 = 96, sequenceNumber: UInt16, timestamp: UInt32 = 0xDECA_FBAD,
                       ssrc: UInt32 = 0xCAFE_BABE, marker: Bool = false, csrcs: [UInt32] = [],
                       extensionProfile: UInt16? = nil, extensionBody: [UInt8] = [],
                       payload: [UInt8], padding: Int = 0) -> [UInt8] {
        precondition(csrcs.count <= 15 && extensionBody.count % 4 == 0 && padding <= 255)
        var bytes: [UInt8] = [0x80 | (padding > 0 ? 0x20 : 0) | (extensionProfile != nil ? 0x10 : 0) | UInt8(csrcs.count),
                              (marker ? 0x80 : 0) | (payloadType & 0x7F),
                              UInt8(sequenceNumber >> 8), UInt8(truncatingIfNeeded: sequenceNumber)]
        bytes += bigEndian(timestamp) + bigEndian(ssrc)
        for csrc in csrcs { bytes += bigEndian(csrc) }
        if let extensionProfile {
            let words = UInt16(extensionBody.count / 4)
            bytes += [UInt8(extensionProfile >> 8), UInt8(truncatingIfNeeded: extensionProfile),
                      UInt8(words >> 8), UInt8(truncatingIfNeeded: words)] + extensionBody
        }
        bytes += payload
        if padding > 0 { bytes += [UInt8](repeating: 0, count: padding - 1) + [UInt8(padding)] }
        return bytes
    }

    /// A random packet of stream `ssrc` with sequence number `sequenceNumber`: random PT, M,
    /// timestamp, 0...15 CSRCs (mostly few), an optional one- or two-byte-form extension,
    /// 0...160 payload bytes and optional padding.
    static func random(ssrc: UInt32, sequenceNumber: UInt16, using rng: inout SeededGenerator) -> [UInt8] {
        let csrcCount = Int.random(in: 0...7, using: &rng) == 0 ? Int.random(in: 0...15, using: &rng)
                                                                 : Int.random(in: 0...2, using: &rng)
        let csrcs = (0..<csrcCount).map { _ in UInt32.random(in: 0...UInt32.max, using: &rng) }
        var extensionProfile: UInt16? = nil
        var extensionBody: [UInt8] = []
        switch Int.random(in: 0...2, using: &rng) {
        case 1: extensionProfile = 0xBEDE; extensionBody = oneByteExtension(using: &rng)
        case 2: extensionProfile = 0x1000; extensionBody = twoByteExtension(using: &rng)
        default: break
        }
        let padding = Bool.random(using: &rng) ? 0 : Int.random(in: 1...32, using: &rng)
        return packet(payloadType: UInt8.random(in: 0...127, using: &rng), sequenceNumber: sequenceNumber,
                      timestamp: UInt32.random(in: 0...UInt32.max, using: &rng), ssrc: ssrc,
                      marker: Bool.random(using: &rng), csrcs: csrcs, extensionProfile: extensionProfile,
                      extensionBody: extensionBody, payload: rng.bytes(Int.random(in: 0...160, using: &rng)),
                      padding: padding)
    }

    /// One-byte-form elements (RFC 8285 4.2) padded to a word boundary.
    static func oneByteExtension(using rng: inout SeededGenerator) -> [UInt8] {
        var body: [UInt8] = []
        for _ in 0..<Int.random(in: 1...3, using: &rng) {
            let length = Int.random(in: 1...8, using: &rng)
            body.append(UInt8(Int.random(in: 1...14, using: &rng) << 4 | (length - 1)))
            body += rng.bytes(length)
        }
        while body.count % 4 != 0 { body.append(0) }
        return body
    }

    /// Two-byte-form elements (RFC 8285 4.3) padded to a word boundary.
    static func twoByteExtension(using rng: inout SeededGenerator) -> [UInt8] {
        var body: [UInt8] = []
        for _ in 0..<Int.random(in: 1...2, using: &rng) {
            let length = Int.random(in: 0...20, using: &rng)
            body += [UInt8.random(in: 1...255, using: &rng), UInt8(length)] + rng.bytes(length)
        }
        while body.count % 4 != 0 { body.append(0) }
        return body
    }

    /// Length of the fixed header plus CSRC list (the part the inner AAD covers).
    static func baseHeaderLength(_ packet: [UInt8]) -> Int { 12 + 4 * Int(packet[0] & 0x0F) }

    /// Length of the whole header including any extension.
    static func headerLength(_ packet: [UInt8]) -> Int {
        var length = baseHeaderLength(packet)
        if packet[0] & 0x10 != 0 { length += 4 + 4 * (Int(packet[length + 2]) << 8 | Int(packet[length + 3])) }
        return length
    }

    /// The synthetic header of RFC 8723 5.1 step 3: the first 12 + 4*CC bytes with X = 0.
    static func syntheticHeader(_ packet: [UInt8]) -> [UInt8] {
        var header = Array(packet[0..<baseHeaderLength(packet)])
        header[0] &= ~0x10
        return header
    }

    static func bigEndian(_ value: UInt32) -> [UInt8] {
        [UInt8(value >> 24), UInt8(truncatingIfNeeded: value >> 16), UInt8(truncatingIfNeeded: value >> 8),
         UInt8(truncatingIfNeeded: value)]
    }
}

extension Array where Element == UInt8 {
    /// A copy with the sequence number, payload type and marker of an RTP header replaced.
    func withHeaderFields(payloadType: UInt8? = nil, sequenceNumber: UInt16? = nil, marker: Bool? = nil) -> [UInt8] {
        var copy = self
        if let payloadType { copy[1] = copy[1] & 0x80 | payloadType }
        if let marker { copy[1] = copy[1] & 0x7F | (marker ? 0x80 : 0) }
        if let sequenceNumber { copy[2] = UInt8(sequenceNumber >> 8); copy[3] = UInt8(truncatingIfNeeded: sequenceNumber) }
        return copy
    }
}
