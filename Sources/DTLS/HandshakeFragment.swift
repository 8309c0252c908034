// SPDX-License-Identifier: Apache-2.0
// Copyright 2026 the swift-perc authors

/// Handshake message types (RFC 5246 7.4, RFC 6347 4.3.2, RFC 8870 5.2).
enum HandshakeType: UInt8 {
    case helloRequest = 0
    case clientHello = 1
    case serverHello = 2
    case helloVerifyRequest = 3
    case certificate = 11
    case serverKeyExchange = 12
    case certificateRequest = 13
    case serverHelloDone = 14
    case certificateVerify = 15
    case clientKeyExchange = 16
    case finished = 20
    /// EKTKey, sent by the server after the handshake (RFC 8870 5.2).
    case ektKey = 26
}

/// One handshake fragment: the 12-byte DTLS handshake header and its piece of the body
/// (RFC 6347 4.2.2).
struct HandshakeFragment {
    static let headerLength = 12
    /// The largest handshake message this stack reassembles.
    static let maximumMessageLength = 1 << 16

    let type: UInt8
    let length: Int
    let messageSeq: UInt16
    let fragmentOffset: Int
    let fragment: ArraySlice<UInt8>

    /// Parses every fragment in a handshake record body; throws on any malformed header.
    static func parseAll(_ body: ArraySlice<UInt8>) throws -> [HandshakeFragment] {
        var reader = ByteReader(body)
        var fragments: [HandshakeFragment] = []
        while !reader.isAtEnd {
            let type = try reader.readUInt8()
            let length = try reader.readUInt24()
            let messageSeq = try reader.readUInt16()
            let offset = try reader.readUInt24()
            let fragmentLength = try reader.readUInt24()
            guard length <= maximumMessageLength, offset + fragmentLength <= length else { throw ByteReader.DecodeError() }
            let fragment = try reader.readBytes(fragmentLength)
            fragments.append(HandshakeFragment(type: type, length: length, messageSeq: messageSeq, fragmentOffset: offset, fragment: fragment))
        }
        return fragments
    }

    /// The header and body of a fragment of `body` (the whole message when unfragmented).
    static func serialize(type: UInt8, messageSeq: UInt16, body: [UInt8], offset: Int, count: Int) -> [UInt8] {
        var writer = ByteWriter()
        writer.append(type)
        writer.appendUInt24(body.count)
        writer.append(messageSeq)
        writer.appendUInt24(offset)
        writer.appendUInt24(count)
        writer.append(contentsOf: body[offset..<(offset + count)])
        return writer.bytes
    }
}

/// A whole handshake message, reassembled: what the state machine processes.
struct HandshakeMessage {
    let type: UInt8
    let messageSeq: UInt16
    let body: [UInt8]
    /// The epoch its fragments arrived in.
    let epoch: UInt16
    /// The record numbers (epoch, sequence) that carried its fragments.
    let recordNumbers: [RecordNumber]

    /// The message as it enters the handshake transcript: unfragmented header, then body.
    var transcriptBytes: [UInt8] {
        HandshakeFragment.serialize(type: type, messageSeq: messageSeq, body: body, offset: 0, count: body.count)
    }
}

/// A record's identity as a DTLS 1.3 ACK names it: epoch and sequence number (RFC 9147 7).
struct RecordNumber: Hashable {
    let epoch: UInt64
    let sequence: UInt64
}
