// SPDX-License-Identifier: Apache-2.0
// Copyright 2026 the swift-perc authors

/// The three RTP header fields a media distributor may change (RFC 8723 4).
public struct RTPHeaderFields: Equatable, Sendable {
    public var payloadType: UInt8
    public var sequenceNumber: UInt16
    public var marker: Bool

    public init(payloadType: UInt8, sequenceNumber: UInt16, marker: Bool) {
        self.payloadType = payloadType
        self.sequenceNumber = sequenceNumber
        self.marker = marker
    }

    /// Reads the fields from an RTP header at `header`.
    @inline(__always)
    init(header: UnsafeRawPointer) {
        let second = header.load(fromByteOffset: 1, as: UInt8.self)
        payloadType = second & 0x7F
        marker = second & 0x80 != 0
        sequenceNumber = UInt16(header.load(fromByteOffset: 2, as: UInt8.self)) << 8
            | UInt16(header.load(fromByteOffset: 3, as: UInt8.self))
    }

    /// Writes the fields into an RTP header at `header`.
    @inline(__always)
    func write(to header: UnsafeMutableRawPointer) {
        header.storeBytes(of: (marker ? 0x80 : 0) | (payloadType & 0x7F), toByteOffset: 1, as: UInt8.self)
        header.storeBytes(of: UInt8(sequenceNumber >> 8), toByteOffset: 2, as: UInt8.self)
        header.storeBytes(of: UInt8(truncatingIfNeeded: sequenceNumber), toByteOffset: 3, as: UInt8.self)
    }
}
