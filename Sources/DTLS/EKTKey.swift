// SPDX-License-Identifier: Apache-2.0
// Copyright 2026 the swift-perc authors

/// EKT cipher types for the `supported_ekt_ciphers` extension (RFC 8870 4.4, 5.1).
public enum EKTCipherType: UInt8, Sendable, CaseIterable, CustomStringConvertible {
    /// AES Key Wrap with a 128-bit EKTKey.
    case aeskw128 = 1
    /// AES Key Wrap with a 256-bit EKTKey.
    case aeskw256 = 2

    /// The EKTKey length in bytes.
    public var keyLength: Int { self == .aeskw128 ? 16 : 32 }

    /// `aeskw128` or `aeskw256`.
    public var name: String { self == .aeskw128 ? "aeskw128" : "aeskw256" }

    /// Finds a cipher by `aeskw128`/`aeskw256` (also `aeskw_128`, `AESKW128`).
    public init?(name: String) {
        switch String(name.lowercased().filter { $0 != "_" }) {
        case "aeskw128": self = .aeskw128
        case "aeskw256": self = .aeskw256
        default: return nil
        }
    }

    public var description: String { name }
}

/// The EKTKey post-handshake message (RFC 8870 5.2): the key distributor gives an endpoint the
/// EKT key, the SRTP master salt to use with it, the SPI that names them and a lifetime.
public struct EKTKey: Sendable, Equatable, CustomStringConvertible {
    /// The EKT key (16 or 32 bytes for AESKW128/256).
    public var key: [UInt8]
    /// The SRTP master salt (1...256 bytes; a receiver takes the first bytes it needs).
    public var masterSalt: [UInt8]
    /// The security parameter index that names this key in EKT fields.
    public var spi: UInt16
    /// Lifetime in seconds (24 bits).
    public var ttl: UInt32

    /// Creates an EKTKey.
    /// - Throws: `DTLSError.invalidConfiguration` when a length is out of range.
    public init(key: [UInt8], masterSalt: [UInt8], spi: UInt16, ttl: UInt32) throws {
        guard (1...256).contains(key.count) else { throw DTLSError.invalidConfiguration("EKT key must be 1...256 bytes") }
        guard (1...256).contains(masterSalt.count) else { throw DTLSError.invalidConfiguration("EKT master salt must be 1...256 bytes") }
        guard ttl < 1 << 24 else { throw DTLSError.invalidConfiguration("EKT TTL must fit in 24 bits") }
        self.key = key
        self.masterSalt = masterSalt
        self.spi = spi
        self.ttl = ttl
    }

    init(parsing body: [UInt8]) throws {
        var reader = ByteReader(body)
        key = Array(try reader.readVector(lengthWidth: 2, range: 1...256))
        masterSalt = Array(try reader.readVector(lengthWidth: 2, range: 1...256))
        spi = try reader.readUInt16()
        ttl = UInt32(try reader.readUInt24())
        try reader.expectEnd()
    }

    /// The message body: 2-byte-length key, 2-byte-length salt, SPI, 24-bit TTL.
    var bytes: [UInt8] {
        var writer = ByteWriter()
        writer.appendVector(lengthWidth: 2, key)
        writer.appendVector(lengthWidth: 2, masterSalt)
        writer.append(spi)
        writer.appendUInt24(Int(ttl))
        return writer.bytes
    }

    /// Shows SPI, TTL and lengths, never key bytes.
    public var description: String { "EKTKey(spi: \(spi), ttl: \(ttl), key: \(key.count) bytes, salt: \(masterSalt.count) bytes)" }
}
