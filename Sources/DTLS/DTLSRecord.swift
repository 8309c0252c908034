// SPDX-License-Identifier: Apache-2.0
// Copyright 2026 the swift-perc authors

/// The record content types this stack handles (RFC 5246 6.2.1; ACK from RFC 9147 7).
enum ContentType: UInt8 {
    case changeCipherSpec = 20
    case alert = 21
    case handshake = 22
    case applicationData = 23
    /// The DTLS 1.3 ACK, used over DTLS 1.2 only to acknowledge EKTKey (RFC 8870 5.2).
    case ack = 26
}

/// Protocol version numbers on the wire.
enum ProtocolVersion {
    static let dtls10: UInt16 = 0xFEFF
    static let dtls12: UInt16 = 0xFEFD
}

/// One DTLS 1.2 record as read from a datagram (RFC 6347 4.1): a 13-byte header and its body.
struct DTLSRecord {
    static let headerLength = 13

    let contentType: UInt8
    let version: UInt16
    let epoch: UInt16
    let sequence: UInt64
    let body: ArraySlice<UInt8>

    /// Splits a datagram into records. Parsing stops at the first malformed header; the records
    /// before it are returned (RFC 6347 4.1.2.7: invalid records are dropped).
    static func parseAll(_ datagram: [UInt8]) -> [DTLSRecord] {
        var reader = ByteReader(datagram)
        var records: [DTLSRecord] = []
        while !reader.isAtEnd {
            guard let type = try? reader.readUInt8(),
                  let version = try? reader.readUInt16(),
                  let epoch = try? reader.readUInt16(),
                  let sequence = try? reader.readUInt48(),
                  let body = try? reader.readVector(lengthWidth: 2, range: 0...(16384 + 2048))
            else { break }
            // Only DTLS 1.0 (the usual first ClientHello record) and 1.2 record versions.
            guard version == ProtocolVersion.dtls12 || version == ProtocolVersion.dtls10 else { break }
            records.append(DTLSRecord(contentType: type, version: version, epoch: epoch, sequence: sequence, body: body))
        }
        return records
    }

    /// Serializes a record header followed by `body`.
    static func serialize(contentType: UInt8, epoch: UInt16, sequence: UInt64, body: [UInt8]) -> [UInt8] {
        var writer = ByteWriter()
        writer.append(contentType)
        writer.append(ProtocolVersion.dtls12)
        writer.append(epoch)
        writer.appendInteger(sequence, width: 6)
        writer.appendVector(lengthWidth: 2, body)
        return writer.bytes
    }
}
