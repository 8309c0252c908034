// SPDX-License-Identifier: Apache-2.0
// Copyright 2026 the swift-perc authors

/// Every way a tunnel message can fail to encode or decode (RFC 9185).
public enum TunnelError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The message type 0, reserved by the registry.
    case reservedMessageType
    /// A message type this implementation does not know (6...255).
    case unknownMessageType(UInt8)
    /// The body does not parse as the type's structure (`reason` says where).
    case malformedBody(type: TunnelMessageType, reason: String)
    /// A field does not fit its vector bounds when encoding (for example an empty DTLS message).
    case fieldOutOfRange(field: String, length: Int, allowed: ClosedRange<Int>)
    /// The encoded body would be longer than 65535 bytes.
    case bodyTooLong(length: Int)
    /// A buffer said to hold one message holds a different number of body bytes than its
    /// header declares (`declared` is nil when even the header is incomplete).
    case lengthMismatch(declared: Int?, actual: Int)
    /// The stream ended in the middle of a message (`buffered` bytes were left).
    case truncatedStream(buffered: Int)

    public var description: String {
        switch self {
        case .reservedMessageType:
            return "tunnel message type 0 is reserved"
        case .unknownMessageType(let type):
            return "unknown tunnel message type \(type)"
        case .malformedBody(let type, let reason):
            return "malformed \(type) body: \(reason)"
        case .fieldOutOfRange(let field, let length, let allowed):
            return "\(field) is \(length) bytes, must be \(allowed.lowerBound)...\(allowed.upperBound)"
        case .bodyTooLong(let length):
            return "tunnel message body of \(length) bytes exceeds 65535"
        case .lengthMismatch(let declared, let actual):
            return "message declares \(declared.map(String.init) ?? "no") body length, has \(actual) body bytes"
        case .truncatedStream(let buffered):
            return "tunnel stream ended inside a message (\(buffered) bytes buffered)"
        }
    }
}
