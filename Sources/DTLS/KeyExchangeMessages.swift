// SPDX-License-Identifier: Apache-2.0
// Copyright 2026 the swift-perc authors

/// Certificate (RFC 5246 7.4.2, 7.4.6): a chain of DER certificates, leaf first; empty when a
/// client has none.
struct CertificateMessage {
    var certificates: [[UInt8]]

    init(certificates: [[UInt8]]) { self.certificates = certificates }

    init(parsing body: [UInt8]) throws {
        var reader = ByteReader(body)
        let list = try reader.readVector(lengthWidth: 3)
        try reader.expectEnd()
        var listReader = ByteReader(list)
        certificates = []
        while !listReader.isAtEnd { certificates.append(Array(try listReader.readVector(lengthWidth: 3, range: 1...(1 << 24 - 1)))) }
    }

    var bytes: [UInt8] {
        var writer = ByteWriter()
        writer.appendVector(lengthWidth: 3) { list in certificates.forEach { list.appendVector(lengthWidth: 3, $0) } }
        return writer.bytes
    }
}

/// ServerKeyExchange for ECDHE with a named curve (RFC 8422 5.4), signed (RFC 5246 7.4.1.4.1).
struct ServerKeyExchange {
    var namedCurve: UInt16
    var publicKey: [UInt8]
    var signatureScheme: UInt16
    var signature: [UInt8]

    init(namedCurve: UInt16, publicKey: [UInt8], signatureScheme: UInt16, signature: [UInt8]) {
        self.namedCurve = namedCurve
        self.publicKey = publicKey
        self.signatureScheme = signatureScheme
        self.signature = signature
    }

    init(parsing body: [UInt8]) throws {
        var reader = ByteReader(body)
        guard try reader.readUInt8() == 3 else { throw ByteReader.DecodeError() }  // named_curve
        namedCurve = try reader.readUInt16()
        publicKey = Array(try reader.readVector(lengthWidth: 1, range: 1...255))
        signatureScheme = try reader.readUInt16()
        signature = Array(try reader.readVector(lengthWidth: 2))
        try reader.expectEnd()
    }

    /// ServerECDHParams: what the signature covers after the two randoms.
    static func parameters(namedCurve: UInt16, publicKey: [UInt8]) -> [UInt8] {
        var writer = ByteWriter()
        writer.append(UInt8(3))
        writer.append(namedCurve)
        writer.appendVector(lengthWidth: 1, publicKey)
        return writer.bytes
    }

    var bytes: [UInt8] {
        var writer = ByteWriter()
        writer.append(contentsOf: Self.parameters(namedCurve: namedCurve, publicKey: publicKey))
        writer.append(signatureScheme)
        writer.appendVector(lengthWidth: 2, signature)
        return writer.bytes
    }
}

/// CertificateRequest (RFC 5246 7.4.4).
struct CertificateRequest {
    var certificateTypes: [UInt8]
    var signatureSchemes: [UInt16]

    init(certificateTypes: [UInt8], signatureSchemes: [UInt16]) {
        self.certificateTypes = certificateTypes
        self.signatureSchemes = signatureSchemes
    }

    init(parsing body: [UInt8]) throws {
        var reader = ByteReader(body)
        certificateTypes = Array(try reader.readVector(lengthWidth: 1, range: 1...255))
        let schemes = try reader.readVector(lengthWidth: 2, range: 2...65534)
        guard schemes.count % 2 == 0 else { throw ByteReader.DecodeError() }
        var schemeReader = ByteReader(schemes)
        signatureSchemes = []
        while !schemeReader.isAtEnd { signatureSchemes.append(try schemeReader.readUInt16()) }
        _ = try reader.readVector(lengthWidth: 2)  // certificate_authorities: ignored
        try reader.expectEnd()
    }

    var bytes: [UInt8] {
        var writer = ByteWriter()
        writer.appendVector(lengthWidth: 1, certificateTypes)
        writer.appendVector(lengthWidth: 2) { list in signatureSchemes.forEach { list.append($0) } }
        writer.append(UInt16(0))  // no certificate authorities
        return writer.bytes
    }
}

/// ClientKeyExchange for ECDHE (RFC 8422 5.7): the client's public point.
struct ClientKeyExchange {
    var publicKey: [UInt8]

    init(publicKey: [UInt8]) { self.publicKey = publicKey }

    init(parsing body: [UInt8]) throws {
        var reader = ByteReader(body)
        publicKey = Array(try reader.readVector(lengthWidth: 1, range: 1...255))
        try reader.expectEnd()
    }

    var bytes: [UInt8] { ExtensionCodec.vector8(publicKey) }
}

/// CertificateVerify (RFC 5246 7.4.8): a signature over the transcript so far.
struct CertificateVerify {
    var signatureScheme: UInt16
    var signature: [UInt8]

    init(signatureScheme: UInt16, signature: [UInt8]) {
        self.signatureScheme = signatureScheme
        self.signature = signature
    }

    init(parsing body: [UInt8]) throws {
        var reader = ByteReader(body)
        signatureScheme = try reader.readUInt16()
        signature = Array(try reader.readVector(lengthWidth: 2))
        try reader.expectEnd()
    }

    var bytes: [UInt8] {
        var writer = ByteWriter()
        writer.append(signatureScheme)
        writer.appendVector(lengthWidth: 2, signature)
        return writer.bytes
    }
}
