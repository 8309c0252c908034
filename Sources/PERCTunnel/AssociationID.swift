// SPDX-License-Identifier: Apache-2.0
// Copyright 2026 the swift-perc authors

/// The MD's identifier of one endpoint DTLS association (RFC 9185 3): a random (version 4)
/// UUID carried as 16 raw bytes. Stored as two words, so it hashes and compares without
/// allocating.
public struct AssociationID: Hashable, Sendable, CustomStringConvertible {
    /// Bytes 0..<8, big-endian.
    public let high: UInt64
    /// Bytes 8..<16, big-endian.
    public let low: UInt64

    /// The identifier whose 16 bytes are `bytes`.
    /// - Precondition: `bytes.count == 16` (decoders check the length before calling).
    public init(bytes: some Collection<UInt8>) {
        precondition(bytes.count == 16, "an association ID is 16 bytes")
        var high: UInt64 = 0, low: UInt64 = 0
        for (i, byte) in bytes.enumerated() {
            if i < 8 { high = high << 8 | UInt64(byte) } else { low = low << 8 | UInt64(byte) }
        }
        self.high = high
        self.low = low
    }

    /// A fresh random version 4 UUID (RFC 4122 4.4) from the system random generator.
    public static func random() -> AssociationID {
        var generator = SystemRandomNumberGenerator()
        return random(using: &generator)
    }

    /// A version 4 UUID drawn from `generator`.
    public static func random(using generator: inout some RandomNumberGenerator) -> AssociationID {
        let high = (generator.next() as UInt64) & ~0xF000 | 0x4000               // version 4
        let low = (generator.next() as UInt64) & ~(0xC0 << 56) | (0x80 << 56)   // variant 10
        return AssociationID(high: high, low: low)
    }

    private init(high: UInt64, low: UInt64) {
        self.high = high
        self.low = low
    }

    /// The 16 wire bytes.
    public var bytes: [UInt8] {
        (0..<16).map { i in UInt8(truncatingIfNeeded: (i < 8 ? high >> (56 - 8 * i) : low >> (56 - 8 * (i - 8)))) }
    }

    /// The UUID version (4 for identifiers made by `random()`).
    public var version: Int { Int(high >> 12 & 0xF) }

    /// The canonical 8-4-4-4-12 lower-case hex form.
    public var description: String {
        let hex = bytes.map { byte in
            let digits = String(byte, radix: 16)
            return byte < 16 ? "0" + digits : digits
        }
        let groups = [0..<4, 4..<6, 6..<8, 8..<10, 10..<16]
        return groups.map { hex[$0].joined() }.joined(separator: "-")
    }

    func write(to buffer: inout [UInt8]) { buffer.append(contentsOf: bytes) }
}
