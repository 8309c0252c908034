// SPDX-License-Identifier: Apache-2.0
// Copyright 2026 the swift-perc authors

/// The message types of the RFC 9185 registry (0 is reserved, 6...255 unassigned).
public enum TunnelMessageType: UInt8, Sendable, CustomStringConvertible {
    case supportedProfiles = 1
    case unsupportedVersion = 2
    case mediaKeys = 3
    case tunneledDtls = 4
    case endpointDisconnect = 5

    public var description: String {
        switch self {
        case .supportedProfiles: return "SupportedProfiles"
        case .unsupportedVersion: return "UnsupportedVersion"
        case .mediaKeys: return "MediaKeys"
        case .tunneledDtls: return "TunneledDtls"
        case .endpointDisconnect: return "EndpointDisconnect"
        }
    }
}

/// One RFC 9185 tunnel message: `msg_type(1) | length(2) | body(length)` on the TLS stream.
///
/// ```swift
/// let bytes = try TunnelMessage.supportedProfiles(.init(protectionProfiles: [0x0009, 0x000A])).encoded()
/// // 01 0007 00 0004 0009 000a
/// ```
public enum TunnelMessage: Equatable, Sendable {
    case supportedProfiles(SupportedProfiles)
    case unsupportedVersion(UnsupportedVersion)
    case mediaKeys(MediaKeys)
    case tunneledDtls(TunneledDtls)
    case endpointDisconnect(EndpointDisconnect)

    /// Bytes of the `msg_type | length` header.
    public static let headerLength = 3
    /// Longest body the 2-byte length allows.
    public static let maximumBodyLength = 65535

    /// The message's type.
    public var type: TunnelMessageType {
        switch self {
        case .supportedProfiles: return .supportedProfiles
        case .unsupportedVersion: return .unsupportedVersion
        case .mediaKeys: return .mediaKeys
        case .tunneledDtls: return .tunneledDtls
        case .endpointDisconnect: return .endpointDisconnect
        }
    }

    /// The wire bytes: header and body.
    /// - Throws: TunnelError/fieldOutOfRange(field:length:allowed:) when a vector breaks its
    ///   bounds, TunnelError/bodyTooLong(length:) past 65535 body bytes.
    public func encoded() throws(TunnelError) -> [UInt8] {
        var buffer: [UInt8] = [type.rawValue, 0, 0]
        switch self {
        case .supportedProfiles(let message): try message.encodeBody(into: &buffer)
        case .unsupportedVersion(let message): message.encodeBody(into: &buffer)
        case .mediaKeys(let message): try message.encodeBody(into: &buffer)
        case .tunneledDtls(let message): try message.encodeBody(into: &buffer)
        case .endpointDisconnect(let message): message.encodeBody(into: &buffer)
        }
        let bodyLength = buffer.count - Self.headerLength
        guard bodyLength <= Self.maximumBodyLength else { throw .bodyTooLong(length: bodyLength) }
        buffer[1] = UInt8(bodyLength >> 8)
        buffer[2] = UInt8(truncatingIfNeeded: bodyLength)
        return buffer
    }

    /// Decodes one body of `rawType`.
    /// - Throws: TunnelError/reservedMessageType, TunnelError/unknownMessageType(_:),
    ///   TunnelError/malformedBody(type:reason:).
    public init(rawType: UInt8, body: ArraySlice<UInt8>) throws(TunnelError) {
        guard rawType != 0 else { throw .reservedMessageType }
        guard let type = TunnelMessageType(rawValue: rawType) else { throw .unknownMessageType(rawType) }
        switch type {
        case .supportedProfiles: self = .supportedProfiles(try SupportedProfiles(body: body))
        case .unsupportedVersion: self = .unsupportedVersion(try UnsupportedVersion(body: body))
        case .mediaKeys: self = .mediaKeys(try MediaKeys(body: body))
        case .tunneledDtls: self = .tunneledDtls(try TunneledDtls(body: body))
        case .endpointDisconnect: self = .endpointDisconnect(try EndpointDisconnect(body: body))
        }
    }

    /// Decodes exactly one whole message (header and body, nothing after).
    /// - Throws: the body errors, or ``TunnelError/lengthMismatch(declared:actual:)`` when the
    ///   bytes are not exactly one message.
    public init(decoding bytes: some Collection<UInt8>) throws(TunnelError) {
        let bytes = Array(bytes)
        guard bytes.count >= Self.headerLength else {
            throw .lengthMismatch(declared: nil, actual: bytes.count)
        }
        let declared = Int(bytes[1]) << 8 | Int(bytes[2])
        guard bytes.count == Self.headerLength + declared else {
            throw .lengthMismatch(declared: declared, actual: bytes.count - Self.headerLength)
        }
        try self.init(rawType: bytes[0], body: bytes[Self.headerLength...])
    }
}
