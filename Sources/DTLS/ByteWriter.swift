// SPDX-License-Identifier: Apache-2.0
// Copyright 2026 the swift-perc authors

/// Builds wire bytes: big-endian integers and length-prefixed vectors.
struct ByteWriter {
    private(set) var bytes: [UInt8] = []

    init() {}

    mutating func append(_ value: UInt8) { bytes.append(value) }

    mutating func append<S: Sequence>(contentsOf other: S) where S.Element == UInt8 { bytes.append(contentsOf: other) }

    /// Appends `value` big-endian in `width` bytes.
    mutating func appendInteger(_ value: UInt64, width: Int) {
        for shift in stride(from: (width - 1) * 8, through: 0, by: -8) {
            bytes.append(UInt8(truncatingIfNeeded: value >> UInt64(shift)))
        }
    }

    mutating func append(_ value: UInt16) { appendInteger(UInt64(value), width: 2) }
    mutating func appendUInt24(_ value: Int) { appendInteger(UInt64(value), width: 3) }

    /// Appends a vector: a `lengthWidth`-byte length, then what `body` writes.
    mutating func appendVector(lengthWidth: Int, _ body: (inout ByteWriter) -> Void) {
        var inner = ByteWriter()
        body(&inner)
        appendInteger(UInt64(inner.bytes.count), width: lengthWidth)
        bytes.append(contentsOf: inner.bytes)
    }

    /// Appends `content` as a vector with a `lengthWidth`-byte length.
    mutating func appendVector<C: Collection>(lengthWidth: Int, _ content: C) where C.Element == UInt8 {
        appendInteger(UInt64(content.count), width: lengthWidth)
        bytes.append(contentsOf: content)
    }
}
