// SPDX-License-Identifier: Apache-2.0
// Copyright 2026 the swift-perc authors

import SRTP

/// The EKT field at the end of an SRTP packet (RFC 8870 4.1), parsed backwards from the
/// last byte. Neither SRTP layer protects it.
public enum EKTField: Equatable, Sendable {
    /// ShortEKTField: the single byte `00`.
    case short
    /// FullEKTField: `EKTCiphertext | SPI(2) | Epoch(2) | EKTMsgLength(2) | 02`.
    case full(FullEKTField)
    /// A field of an unallocated type 3...254, carried as `data | length(2) | type` and ignored.
    case unknown(type: UInt8, length: Int)

    /// Bytes the field takes at the end of the packet.
    public var length: Int {
        switch self {
        case .short: return 1
        case .full(let field): return field.encodedLength
        case .unknown(_, let length): return length
        }
    }

    /// Parses the field ending at the end of `packet`.
    /// - Throws: ``SRTPError/invalidEKTField(_:)`` for type 1 or 255, a length field that
    ///   does not fit, or a FullEKTField whose ciphertext is empty or longer than 251 bytes.
    public static func parse(endOf packet: UnsafeRawBufferPointer) throws(SRTPError) -> EKTField {
        guard let type = packet.last else { throw .invalidEKTField("empty packet") }
        if type == 0x00 { return .short }
        guard type != 0x01 && type != 0xFF else { throw .invalidEKTField("message type \(type) is reserved") }
        guard packet.count >= 3 else { throw .invalidEKTField("field shorter than its length") }
        let end = packet.count
        let length = Int(packet[end - 3]) << 8 | Int(packet[end - 2])
        guard length <= end else { throw .invalidEKTField("length \(length) exceeds the \(end)-byte packet") }
        guard type == 0x02 else {
            guard length >= 4 else { throw .invalidEKTField("extension field length \(length) too small") }
            return .unknown(type: type, length: length)
        }
        guard length >= 8, length <= 251 + 7 else { throw .invalidEKTField("FullEKTField length \(length) out of range") }
        let start = end - length
        return .full(FullEKTField(
            spi: UInt16(packet[end - 7]) << 8 | UInt16(packet[end - 6]),
            epoch: UInt16(packet[end - 5]) << 8 | UInt16(packet[end - 4]),
            ciphertext: Array(packet[start..<(end - 7)])))
    }
}

/// A FullEKTField (RFC 8870 4.1).
public struct FullEKTField: Equatable, Sendable {
    /// The SPI of the EKT parameter set.
    public let spi: UInt16
    /// How many keys this SSRC introduced under this EKTKey before the current one.
    public let epoch: UInt16
    /// The wrapped EKTPlaintext.
    public let ciphertext: [UInt8]

    public init(spi: UInt16, epoch: UInt16, ciphertext: [UInt8]) {
        self.spi = spi
        self.epoch = epoch
        self.ciphertext = ciphertext
    }

    /// Bytes on the wire: the ciphertext plus 7 (EKTMsgLength counts the whole field).
    public var encodedLength: Int { ciphertext.count + 7 }

    /// The wire bytes.
    public var bytes: [UInt8] {
        let length = encodedLength
        return ciphertext + [UInt8(spi >> 8), UInt8(truncatingIfNeeded: spi), UInt8(epoch >> 8),
                             UInt8(truncatingIfNeeded: epoch), UInt8(length >> 8), UInt8(truncatingIfNeeded: length), 0x02]
    }
}
