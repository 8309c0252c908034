// SPDX-License-Identifier: Apache-2.0
// Copyright 2026 the swift-perc authors

/// ClientHello (RFC 6347 4.2.1 adds the cookie to RFC 5246 7.4.1.2).
struct ClientHello {
    var version: UInt16 = ProtocolVersion.dtls12
    var random: [UInt8]
    var sessionID: [UInt8] = []
    var cookie: [UInt8] = []
    var cipherSuites: [UInt16]
    var compressionMethods: [UInt8] = [0]
    var extensions: HelloExtensions

    init(random: [UInt8], cookie: [UInt8], cipherSuites: [UInt16], extensions: HelloExtensions) {
        self.random = random
        self.cookie = cookie
        self.cipherSuites = cipherSuites
        self.extensions = extensions
    }

    init(parsing body: [UInt8]) throws {
        var reader = ByteReader(body)
        version = try reader.readUInt16()
        random = Array(try reader.readBytes(32))
        sessionID = Array(try reader.readVector(lengthWidth: 1, range: 0...32))
        cookie = Array(try reader.readVector(lengthWidth: 1, range: 0...255))
        let suites = try reader.readVector(lengthWidth: 2, range: 2...65534)
        guard suites.count % 2 == 0 else { throw ByteReader.DecodeError() }
        var suiteReader = ByteReader(suites)
        cipherSuites = []
        while !suiteReader.isAtEnd { cipherSuites.append(try suiteReader.readUInt16()) }
        compressionMethods = Array(try reader.readVector(lengthWidth: 1, range: 1...255))
        extensions = reader.isAtEnd ? HelloExtensions() : try HelloExtensions(parsing: try reader.readVector(lengthWidth: 2))
        try reader.expectEnd()
    }

    var bytes: [UInt8] {
        var writer = ByteWriter()
        writer.append(version)
        writer.append(contentsOf: random)
        writer.appendVector(lengthWidth: 1, sessionID)
        writer.appendVector(lengthWidth: 1, cookie)
        writer.appendVector(lengthWidth: 2) { list in cipherSuites.forEach { list.append($0) } }
        writer.appendVector(lengthWidth: 1, compressionMethods)
        writer.append(contentsOf: extensions.serialized)
        return writer.bytes
    }
}

/// HelloVerifyRequest (RFC 6347 4.2.1): the server's cookie.
struct HelloVerifyRequest {
    var version: UInt16 = ProtocolVersion.dtls10
    var cookie: [UInt8]

    init(cookie: [UInt8]) { self.cookie = cookie }

    init(parsing body: [UInt8]) throws {
        var reader = ByteReader(body)
        version = try reader.readUInt16()
        cookie = Array(try reader.readVector(lengthWidth: 1, range: 0...255))
        try reader.expectEnd()
    }

    var bytes: [UInt8] {
        var writer = ByteWriter()
        writer.append(version)
        writer.appendVector(lengthWidth: 1, cookie)
        return writer.bytes
    }
}

/// ServerHello (RFC 5246 7.4.1.3).
struct ServerHello {
    var version: UInt16 = ProtocolVersion.dtls12
    var random: [UInt8]
    var sessionID: [UInt8] = []
    var cipherSuite: UInt16
    var compressionMethod: UInt8 = 0
    var extensions: HelloExtensions

    init(random: [UInt8], cipherSuite: UInt16, extensions: HelloExtensions) {
        self.random = random
        self.cipherSuite = cipherSuite
        self.extensions = extensions
    }

    init(parsing body: [UInt8]) throws {
        var reader = ByteReader(body)
        version = try reader.readUInt16()
        random = Array(try reader.readBytes(32))
        sessionID = Array(try reader.readVector(lengthWidth: 1, range: 0...32))
        cipherSuite = try reader.readUInt16()
        compressionMethod = try reader.readUInt8()
        extensions = reader.isAtEnd ? HelloExtensions() : try HelloExtensions(parsing: try reader.readVector(lengthWidth: 2))
        try reader.expectEnd()
    }

    var bytes: [UInt8] {
        var writer = ByteWriter()
        writer.append(version)
        writer.append(contentsOf: random)
        writer.appendVector(lengthWidth: 1, sessionID)
        writer.append(cipherSuite)
        writer.append(compressionMethod)
        writer.append(contentsOf: extensions.serialized)
        return writer.bytes
    }
}
