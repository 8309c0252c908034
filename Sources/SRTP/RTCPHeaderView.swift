// SPDX-License-Identifier: Apache-2.0
// Copyright 2026 the swift-perc authors

/// A read-only view of the first RTCP header of a compound packet (RFC 3550 6.4).
///
/// SRTCP needs only the first 8 bytes: version, and the sender SSRC that keys the crypto
/// context. Length fields are not checked (RFC 3711: the transform must not rely on them).
public struct RTCPHeaderView {
    /// The bytes the view reads.
    public let bytes: UnsafeRawBufferPointer

    /// Parses the first RTCP header.
    /// - Throws: ``SRTPError/malformed(_:)`` when shorter than 8 bytes or the version is not 2.
    public init(_ bytes: UnsafeRawBufferPointer) throws(SRTPError) {
        try Self.validate(bytes)
        self.bytes = bytes
    }

    @inline(__always)
    static func validate(_ bytes: UnsafeRawBufferPointer) throws(SRTPError) {
        guard bytes.count >= 8 else { throw .malformed(.tooShort(length: bytes.count, needed: 8)) }
        guard bytes[0] >> 6 == 2 else { throw .malformed(.badVersion(Int(bytes[0] >> 6))) }
    }

    /// The padding bit P.
    public var hasPadding: Bool { bytes[0] & 0x20 != 0 }
    /// The report count / subtype (5 bits).
    public var count: Int { Int(bytes[0] & 0x1F) }
    /// The packet type (200 = SR, 201 = RR, ...).
    public var packetType: UInt8 { bytes[1] }
    /// The length field: 32-bit words minus one, of the first packet only.
    public var lengthField: UInt16 { UInt16(bytes[2]) << 8 | UInt16(bytes[3]) }
    /// The SSRC of the sender, which selects the SRTCP crypto context.
    public var ssrc: UInt32 { bytes.loadBigEndianUInt32(at: 4) }
}
