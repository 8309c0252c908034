// SPDX-License-Identifier: Apache-2.0
// Copyright 2026 the swift-perc authors

import SRTP

/// The Original Header Block of RFC 8723 section 4: the original PT, SEQ and marker of a
/// packet whose header a media distributor changed.
///
/// Wire form `[PT] [SEQ(2)] Config`, Config = `R R R R B M P Q`: P = PT present, Q = SEQ
/// present, M = marker present, B = the original marker. It is parsed from the END of the
/// outer plaintext, Config being the last byte.
public struct OriginalHeaderBlock: Equatable, Sendable {
    /// The original payload type, when changed (7 bits).
    public var payloadType: UInt8?
    /// The original sequence number, when changed.
    public var sequenceNumber: UInt16?
    /// The original marker bit, when changed.
    public var marker: Bool?

    /// The empty OHB (`00`): nothing changed. Every sender emits this.
    public static let empty = OriginalHeaderBlock()

    public init(payloadType: UInt8? = nil, sequenceNumber: UInt16? = nil, marker: Bool? = nil) {
        self.payloadType = payloadType
        self.sequenceNumber = sequenceNumber
        self.marker = marker
    }

    /// Bytes on the wire: 1 to 4.
    public var encodedLength: Int { 1 + (payloadType == nil ? 0 : 1) + (sequenceNumber == nil ? 0 : 2) }

    /// The Config byte.
    public var config: UInt8 {
        var c: UInt8 = 0
        if let marker { c |= 0x04 | (marker ? 0x08 : 0) }
        if payloadType != nil { c |= 0x02 }
        if sequenceNumber != nil { c |= 0x01 }
        return c
    }

    /// Parses the OHB that ends at the end of `bytes`.
    /// - Throws: ``SRTPError/invalidOriginalHeaderBlock(_:)`` when a reserved bit is set, B is
    ///   set without M, the PT byte has its top bit set, or the block does not fit.
    public init(parsingEndOf bytes: UnsafeRawBufferPointer) throws(SRTPError) {
        guard let config = bytes.last else { throw .invalidOriginalHeaderBlock("empty") }
        guard config & 0xF0 == 0 else { throw .invalidOriginalHeaderBlock("reserved bits set in config 0x\(String(config, radix: 16))") }
        guard config & 0x0C != 0x08 else { throw .invalidOriginalHeaderBlock("marker value without marker flag") }
        var end = bytes.count - 1
        if config & 0x01 != 0 {
            guard end >= 2 else { throw .invalidOriginalHeaderBlock("truncated sequence number") }
            sequenceNumber = UInt16(bytes[end - 2]) << 8 | UInt16(bytes[end - 1])
            end -= 2
        }
        if config & 0x02 != 0 {
            guard end >= 1 else { throw .invalidOriginalHeaderBlock("truncated payload type") }
            let pt = bytes[end - 1]
            guard pt & 0x80 == 0 else { throw .invalidOriginalHeaderBlock("payload type byte 0x\(String(pt, radix: 16)) has its top bit set") }
            payloadType = pt
        }
        if config & 0x04 != 0 { marker = config & 0x08 != 0 }
    }

    /// Writes the ``encodedLength`` bytes at `destination`.
    public func write(to destination: UnsafeMutableRawPointer) {
        var offset = 0
        if let payloadType {
            destination.storeBytes(of: payloadType, toByteOffset: offset, as: UInt8.self)
            offset += 1
        }
        if let sequenceNumber {
            destination.storeBytes(of: UInt8(sequenceNumber >> 8), toByteOffset: offset, as: UInt8.self)
            destination.storeBytes(of: UInt8(truncatingIfNeeded: sequenceNumber), toByteOffset: offset + 1, as: UInt8.self)
            offset += 2
        }
        destination.storeBytes(of: config, toByteOffset: offset, as: UInt8.self)
    }

    /// The encoded bytes.
    public var bytes: [UInt8] {
        [UInt8](unsafeUninitializedCapacity: 4) { buffer, count in
            write(to: UnsafeMutableRawPointer(buffer.baseAddress!))
            count = encodedLength
        }
    }

    /// Applies RFC 8723 5.2 step 3 for a relay changing the header from `current` to `new`:
    /// a changed field not yet recorded gets its value from before the change; a field set
    /// back to its recorded original is dropped; anything else stays as received (a later
    /// relay never overwrites what an earlier one recorded).
    public mutating func record(from current: RTPHeaderFields, to new: RTPHeaderFields) {
        payloadType = Self.updated(payloadType, current: current.payloadType, new: new.payloadType)
        sequenceNumber = Self.updated(sequenceNumber, current: current.sequenceNumber, new: new.sequenceNumber)
        marker = Self.updated(marker, current: current.marker, new: new.marker)
    }

    private static func updated<T: Equatable>(_ recorded: T?, current: T, new: T) -> T? {
        guard new != current else { return recorded }
        guard let recorded else { return current }
        return new == recorded ? nil : recorded
    }

    /// The original header fields: `received` with the recorded originals put back.
    public func original(of received: RTPHeaderFields) -> RTPHeaderFields {
        RTPHeaderFields(payloadType: payloadType ?? received.payloadType,
                        sequenceNumber: sequenceNumber ?? received.sequenceNumber,
                        marker: marker ?? received.marker)
    }
}
