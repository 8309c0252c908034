// SPDX-License-Identifier: Apache-2.0
// Copyright 2026 the swift-perc authors

/// A TLS alert (RFC 5246 7.2): level and description.
public struct DTLSAlert: Sendable, Hashable, CustomStringConvertible {
    /// Alert level: warning (1) or fatal (2).
    public enum Level: UInt8, Sendable {
        case warning = 1
        case fatal = 2
    }

    /// The alert descriptions this stack sends or names.
    public struct Description: Sendable, Hashable, CustomStringConvertible {
        public let rawValue: UInt8
        public init(rawValue: UInt8) { self.rawValue = rawValue }

        public static let closeNotify = Description(rawValue: 0)
        public static let unexpectedMessage = Description(rawValue: 10)
        public static let badRecordMAC = Description(rawValue: 20)
        public static let recordOverflow = Description(rawValue: 22)
        public static let handshakeFailure = Description(rawValue: 40)
        public static let badCertificate = Description(rawValue: 42)
        public static let unsupportedCertificate = Description(rawValue: 43)
        public static let illegalParameter = Description(rawValue: 47)
        public static let decodeError = Description(rawValue: 50)
        public static let decryptError = Description(rawValue: 51)
        public static let protocolVersion = Description(rawValue: 70)
        public static let internalError = Description(rawValue: 80)
        public static let noRenegotiation = Description(rawValue: 100)
        public static let unsupportedExtension = Description(rawValue: 110)

        public var description: String {
            switch rawValue {
            case 0: return "close_notify"
            case 10: return "unexpected_message"
            case 20: return "bad_record_mac"
            case 22: return "record_overflow"
            case 40: return "handshake_failure"
            case 42: return "bad_certificate"
            case 43: return "unsupported_certificate"
            case 47: return "illegal_parameter"
            case 50: return "decode_error"
            case 51: return "decrypt_error"
            case 70: return "protocol_version"
            case 80: return "internal_error"
            case 100: return "no_renegotiation"
            case 110: return "unsupported_extension"
            default: return "alert(\(rawValue))"
            }
        }
    }

    public let level: Level
    public let alertDescription: Description

    public init(level: Level, description: Description) {
        self.level = level
        self.alertDescription = description
    }

    /// Wire form: level, description.
    var bytes: [UInt8] { [level.rawValue, alertDescription.rawValue] }

    /// Parses a 2-byte alert body; an unknown level counts as fatal.
    init(parsing body: ArraySlice<UInt8>) throws {
        guard body.count == 2 else { throw ByteReader.DecodeError() }
        self.level = Level(rawValue: body[body.startIndex]) ?? .fatal
        self.alertDescription = Description(rawValue: body[body.startIndex + 1])
    }

    public var description: String { "\(level == .fatal ? "fatal" : "warning") \(alertDescription)" }
}
