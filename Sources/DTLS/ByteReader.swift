// SPDX-License-Identifier: Apache-2.0
// Copyright 2026 the swift-perc authors

/// A bounds-checked cursor over received bytes. Every read either returns what was asked for
/// or throws `DecodeError`; nothing reads past the end.
struct ByteReader {
    /// Thrown when the input ends early or a length field does not fit.
    struct DecodeError: Error, Equatable {}

    private let bytes: ArraySlice<UInt8>
    private var position: Int

    init(_ bytes: ArraySlice<UInt8>) {
        self.bytes = bytes
        self.position = bytes.startIndex
    }

    init(_ bytes: [UInt8]) { self.init(bytes[...]) }

    /// Bytes not yet read.
    var remaining: Int { bytes.endIndex - position }
    var isAtEnd: Bool { remaining == 0 }

    mutating func readUInt8() throws -> UInt8 {
        guard remaining >= 1 else { throw DecodeError() }
        defer { position += 1 }
        return bytes[position]
    }

    /// Reads a big-endian unsigned integer of `width` bytes (1...8).
    mutating func readInteger(width: Int) throws -> UInt64 {
        guard width >= 1, width <= 8, remaining >= width else { throw DecodeError() }
        var value: UInt64 = 0
        for index in position..<(position + width) { value = value << 8 | UInt64(bytes[index]) }
        position += width
        return value
    }

    mutating func readUInt16() throws -> UInt16 { UInt16(try readInteger(width: 2)) }
    mutating func readUInt24() throws -> Int { Int(try readInteger(width: 3)) }
    mutating func readUInt48() throws -> UInt64 { try readInteger(width: 6) }
    mutating func readUInt64() throws -> UInt64 { try readInteger(width: 8) }

    mutating func readBytes(_ count: Int) throws -> ArraySlice<UInt8> {
        guard count >= 0, remaining >= count else { throw DecodeError() }
        defer { position += count }
        return bytes[position..<(position + count)]
    }

    /// Reads a vector with a `lengthWidth`-byte length prefix, checking `range` on its length.
    mutating func readVector(lengthWidth: Int, range: ClosedRange<Int> = 0...Int.max) throws -> ArraySlice<UInt8> {
        let count = Int(try readInteger(width: lengthWidth))
        guard range.contains(count) else { throw DecodeError() }
        return try readBytes(count)
    }

    /// Reads everything left.
    mutating func readRest() -> ArraySlice<UInt8> {
        defer { position = bytes.endIndex }
        return bytes[position...]
    }

    /// Throws unless every byte was consumed.
    func expectEnd() throws {
        guard isAtEnd else { throw DecodeError() }
    }
}
