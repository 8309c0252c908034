// SPDX-License-Identifier: Apache-2.0
// Copyright 2026 the swift-perc authors

/// Reads a message body front to back, throwing `malformedBody` on a short read. Used by the
/// message decoders only.
struct WireReader {
    let type: TunnelMessageType
    let body: ArraySlice<UInt8>
    private(set) var offset: Int

    init(_ body: ArraySlice<UInt8>, type: TunnelMessageType) {
        self.type = type
        self.body = body
        offset = body.startIndex
    }

    var remaining: Int { body.endIndex - offset }

    mutating func bytes(_ count: Int, _ what: String) throws(TunnelError) -> ArraySlice<UInt8> {
        guard count <= remaining else {
            throw .malformedBody(type: type, reason: "\(what) needs \(count) bytes, \(remaining) left")
        }
        defer { offset += count }
        return body[offset..<(offset + count)]
    }

    mutating func uint8(_ what: String) throws(TunnelError) -> UInt8 { try bytes(1, what).first! }

    mutating func uint16(_ what: String) throws(TunnelError) -> UInt16 {
        let two = try bytes(2, what)
        return UInt16(two[two.startIndex]) << 8 | UInt16(two[two.startIndex + 1])
    }

    /// A vector with a 1- or 2-byte length prefix whose length must lie in `allowed`.
    mutating func vector(lengthBytes: Int, allowed: ClosedRange<Int>, _ what: String) throws(TunnelError)
        -> ArraySlice<UInt8>
    {
        let length = lengthBytes == 1 ? Int(try uint8("\(what) length")) : Int(try uint16("\(what) length"))
        guard allowed.contains(length) else {
            throw .malformedBody(type: type, reason: "\(what) length \(length) outside \(allowed.lowerBound)...\(allowed.upperBound)")
        }
        return try bytes(length, what)
    }

    func expectEnd() throws(TunnelError) {
        guard remaining == 0 else { throw .malformedBody(type: type, reason: "\(remaining) trailing bytes") }
    }
}

extension Array where Element == UInt8 {
    mutating func appendUInt16(_ value: UInt16) {
        append(UInt8(value >> 8))
        append(UInt8(truncatingIfNeeded: value))
    }

    /// Appends a vector with a `lengthBytes`-byte length prefix, checking its bounds.
    mutating func appendVector(_ bytes: some Collection<UInt8>, lengthBytes: Int, allowed: ClosedRange<Int>,
                               _ what: String) throws(TunnelError) {
        guard allowed.contains(bytes.count) else {
            throw .fieldOutOfRange(field: what, length: bytes.count, allowed: allowed)
        }
        if lengthBytes == 1 { append(UInt8(bytes.count)) } else { appendUInt16(UInt16(bytes.count)) }
        append(contentsOf: bytes)
    }
}
