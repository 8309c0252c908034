// SPDX-License-Identifier: Apache-2.0
// Copyright 2026 the swift-perc authors

/// A read-only view of an RTP header (RFC 3550 5.1) over caller memory.
///
/// The view checks that the fixed header, the CSRC list and the header extension fit in the
/// bytes it was given; everything after ``headerLength`` is the payload. Padding is reported
/// (``hasPadding``) but not interpreted: SRTP encrypts it as payload.
public struct RTPHeaderView {
    /// The bytes the view reads; never read past `bytes.count`.
    public let bytes: UnsafeRawBufferPointer
    /// Length of the whole header: 12 + 4*CC, plus 4 + 4*length when X=1.
    public let headerLength: Int

    /// Parses the header at the start of `bytes`.
    /// - Throws: ``SRTPError/malformed(_:)`` when the version is not 2 or the header does not fit.
    public init(_ bytes: UnsafeRawBufferPointer) throws(SRTPError) {
        self.bytes = bytes
        self.headerLength = try Self.parseHeaderLength(bytes)
    }

    /// The header length of the RTP packet in `bytes`, checking version and bounds.
    @inline(__always)
    package static func parseHeaderLength(_ bytes: UnsafeRawBufferPointer) throws(SRTPError) -> Int {
        let length = bytes.count
        guard length >= 12 else { throw .malformed(.tooShort(length: length, needed: 12)) }
        let first = bytes[0]
        guard first >> 6 == 2 else { throw .malformed(.badVersion(Int(first >> 6))) }
        let csrcCount = Int(first & 0x0F)
        var headerLength = 12 + 4 * csrcCount
        guard headerLength <= length else { throw .malformed(.csrcPastEnd(count: csrcCount, length: length)) }
        if first & 0x10 != 0 {
            guard headerLength + 4 <= length else { throw .malformed(.extensionPastEnd(length: length)) }
            let words = Int(bytes[headerLength + 2]) << 8 | Int(bytes[headerLength + 3])
            headerLength += 4 + 4 * words
            guard headerLength <= length else { throw .malformed(.extensionPastEnd(length: length)) }
        }
        return headerLength
    }

    /// The padding bit P.
    public var hasPadding: Bool { bytes[0] & 0x20 != 0 }
    /// The extension bit X.
    public var hasExtension: Bool { bytes[0] & 0x10 != 0 }
    /// The number of CSRCs (CC).
    public var csrcCount: Int { Int(bytes[0] & 0x0F) }
    /// The marker bit M.
    public var marker: Bool { bytes[1] & 0x80 != 0 }
    /// The 7-bit payload type.
    public var payloadType: UInt8 { bytes[1] & 0x7F }
    /// The sequence number.
    public var sequenceNumber: UInt16 { UInt16(bytes[2]) << 8 | UInt16(bytes[3]) }
    /// The RTP timestamp.
    public var timestamp: UInt32 { bytes.loadBigEndianUInt32(at: 4) }
    /// The synchronization source.
    public var ssrc: UInt32 { bytes.loadBigEndianUInt32(at: 8) }
    /// The contributing source at `index` (0 ..< csrcCount).
    public func csrc(at index: Int) -> UInt32 {
        precondition(index >= 0 && index < csrcCount, "CSRC index out of range")
        return bytes.loadBigEndianUInt32(at: 12 + 4 * index)
    }
    /// Length of the fixed header plus the CSRC list (the part RFC 8723 protects end to end).
    public var baseHeaderLength: Int { 12 + 4 * csrcCount }

    /// The header extension, when X=1.
    public var headerExtension: RTPHeaderExtension? {
        guard hasExtension else { return nil }
        let start = baseHeaderLength
        return RTPHeaderExtension(
            profile: UInt16(bytes[start]) << 8 | UInt16(bytes[start + 1]),
            data: UnsafeRawBufferPointer(rebasing: bytes[(start + 4)..<headerLength])
        )
    }

    /// The RTP padding count from the last byte of the packet, when P=1 and the count fits
    /// in the payload; `nil` otherwise. Only meaningful on a plaintext packet.
    public var paddingLength: Int? {
        guard hasPadding, bytes.count > headerLength else { return nil }
        let count = Int(bytes[bytes.count - 1])
        return count >= 1 && count <= bytes.count - headerLength ? count : nil
    }
}

extension UnsafeRawBufferPointer {
    @inline(__always)
    package func loadBigEndianUInt32(at offset: Int) -> UInt32 {
        UInt32(bigEndian: loadUnaligned(fromByteOffset: offset, as: UInt32.self))
    }
}
