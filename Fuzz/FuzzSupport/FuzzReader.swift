// SPDX-License-Identifier: Apache-2.0
// Copyright 2026 the swift-perc authors

/// Takes structure out of a fuzz input front to back: a selector byte, lengths, then the rest.
/// Reading past the end yields zeros and empty slices, so every input is usable.
public struct FuzzReader {
    public let bytes: [UInt8]
    public private(set) var offset = 0

    public init(_ bytes: [UInt8]) { self.bytes = bytes }

    /// Bytes not yet taken.
    public var remaining: Int { bytes.count - offset }

    /// The next byte, or 0 past the end.
    public mutating func byte() -> UInt8 {
        guard offset < bytes.count else { return 0 }
        defer { offset += 1 }
        return bytes[offset]
    }

    /// The next two bytes, big-endian.
    public mutating func uint16() -> UInt16 { UInt16(byte()) << 8 | UInt16(byte()) }

    /// Up to `count` next bytes.
    public mutating func take(_ count: Int) -> [UInt8] {
        let end = min(bytes.count, offset + max(0, count))
        defer { offset = end }
        return Array(bytes[offset..<end])
    }

    /// Everything not yet taken.
    public mutating func rest() -> [UInt8] { take(remaining) }
}

/// The bytes of a hex string (pairs of hex digits; a trailing odd digit is ignored).
public func hex(_ string: String) -> [UInt8] {
    let digits = Array(string.utf8)
    return stride(from: 0, to: digits.count - 1, by: 2).map {
        UInt8(String(decoding: digits[$0...($0 + 1)], as: UTF8.self), radix: 16)!
    }
}
