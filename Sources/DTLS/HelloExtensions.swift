// SPDX-License-Identifier: Apache-2.0
// Copyright 2026 the swift-perc authors

/// TLS extension types this stack reads or writes.
enum ExtensionType {
    static let supportedGroups: UInt16 = 10
    static let ecPointFormats: UInt16 = 11
    static let signatureAlgorithms: UInt16 = 13
    static let useSRTP: UInt16 = 14
    static let extendedMasterSecret: UInt16 = 23
    /// RFC 8870 5.1.
    static let supportedEKTCiphers: UInt16 = 39
    /// RFC 8844 4.
    static let externalSessionID: UInt16 = 56
    static let renegotiationInfo: UInt16 = 0xFF01
}

/// Code points of the one suite, group and signature scheme this stack speaks.
enum CipherSuite {
    /// TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256 (RFC 5289).
    static let ecdheECDSAWithAES128GCMSHA256: UInt16 = 0xC02B
    /// TLS_EMPTY_RENEGOTIATION_INFO_SCSV (RFC 5746 3.3).
    static let emptyRenegotiationInfoSCSV: UInt16 = 0x00FF
    /// secp256r1 (RFC 8422 5.1.1).
    static let secp256r1: UInt16 = 23
    /// ecdsa_secp256r1_sha256: hash sha256 (4), signature ecdsa (3).
    static let ecdsaSecp256r1SHA256: UInt16 = 0x0403
}

/// The extensions block of a ClientHello or ServerHello, as an ordered list of (type, data).
struct HelloExtensions {
    var entries: [(type: UInt16, data: [UInt8])] = []

    init() {}

    /// Parses an extensions block (the bytes after the 2-byte length). Duplicate types are a
    /// decode error (RFC 5246 7.4.1.4).
    init(parsing bytes: ArraySlice<UInt8>) throws {
        var reader = ByteReader(bytes)
        while !reader.isAtEnd {
            let type = try reader.readUInt16()
            let data = try reader.readVector(lengthWidth: 2)
            guard !entries.contains(where: { $0.type == type }) else { throw ByteReader.DecodeError() }
            entries.append((type, Array(data)))
        }
    }

    subscript(type: UInt16) -> [UInt8]? { entries.first(where: { $0.type == type })?.data }

    mutating func append(_ type: UInt16, _ data: [UInt8]) { entries.append((type, data)) }

    /// The block with its 2-byte length prefix.
    var serialized: [UInt8] {
        var writer = ByteWriter()
        writer.appendVector(lengthWidth: 2) { block in
            for entry in entries {
                block.append(entry.type)
                block.appendVector(lengthWidth: 2, entry.data)
            }
        }
        return writer.bytes
    }
}

/// The `use_srtp` extension body (RFC 5764 4.1.1): profile list and MKI.
struct UseSRTPExtension {
    var profiles: [SRTPProtectionProfileID]
    var mki: [UInt8]

    init(profiles: [SRTPProtectionProfileID], mki: [UInt8] = []) {
        self.profiles = profiles
        self.mki = mki
    }

    init(parsing data: [UInt8]) throws {
        var reader = ByteReader(data)
        let list = try reader.readVector(lengthWidth: 2, range: 2...65534)
        guard list.count % 2 == 0 else { throw ByteReader.DecodeError() }
        var listReader = ByteReader(list)
        var profiles: [SRTPProtectionProfileID] = []
        while !listReader.isAtEnd { profiles.append(SRTPProtectionProfileID(rawValue: try listReader.readUInt16())) }
        self.profiles = profiles
        self.mki = Array(try reader.readVector(lengthWidth: 1))
        try reader.expectEnd()
    }

    var bytes: [UInt8] {
        var writer = ByteWriter()
        writer.appendVector(lengthWidth: 2) { list in profiles.forEach { list.append($0.rawValue) } }
        writer.appendVector(lengthWidth: 1, mki)
        return writer.bytes
    }
}

/// Small helpers for the fixed-shape extensions.
enum ExtensionCodec {
    /// A list of uint16 with a 2-byte length (supported_groups, signature_algorithms).
    static func uint16List(_ values: [UInt16]) -> [UInt8] {
        var writer = ByteWriter()
        writer.appendVector(lengthWidth: 2) { list in values.forEach { list.append($0) } }
        return writer.bytes
    }

    static func parseUInt16List(_ data: [UInt8]) throws -> [UInt16] {
        var reader = ByteReader(data)
        let list = try reader.readVector(lengthWidth: 2, range: 2...65534)
        try reader.expectEnd()
        guard list.count % 2 == 0 else { throw ByteReader.DecodeError() }
        var listReader = ByteReader(list)
        var values: [UInt16] = []
        while !listReader.isAtEnd { values.append(try listReader.readUInt16()) }
        return values
    }

    /// An opaque vector with a 1-byte length (renegotiation_info, ec_point_formats,
    /// external_session_id, the client's supported_ekt_ciphers).
    static func parseVector8(_ data: [UInt8], range: ClosedRange<Int> = 0...255) throws -> [UInt8] {
        var reader = ByteReader(data)
        let value = try reader.readVector(lengthWidth: 1, range: range)
        try reader.expectEnd()
        return Array(value)
    }

    static func vector8(_ value: [UInt8]) -> [UInt8] { [UInt8(value.count)] + value }
}
