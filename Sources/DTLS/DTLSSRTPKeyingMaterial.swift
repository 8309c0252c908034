// SPDX-License-Identifier: Apache-2.0
// Copyright 2026 the swift-perc authors

/// The DTLS-SRTP keying material (RFC 5764 4.2): the exporter output for the selected profile,
/// split into the client's and server's master keys and salts.
///
/// The layout is `client key | server key | client salt | server salt`. For the double profiles
/// each key and salt is the inner half followed by the outer half (RFC 8723 10.1).
public struct DTLSSRTPKeyingMaterial: Sendable, Equatable, CustomStringConvertible {
    /// The profile the lengths come from.
    public let profile: SRTPProtectionProfileID
    /// The whole exporter output, `2 * (key + salt)` bytes.
    public let exported: [UInt8]

    /// Splits `exported`.
    /// - Throws: `DTLSError.invalidConfiguration` for an unknown profile or a wrong length.
    public init(profile: SRTPProtectionProfileID, exported: [UInt8]) throws {
        guard profile.isKnown else { throw DTLSError.invalidConfiguration("unknown SRTP profile \(profile)") }
        guard exported.count == profile.keyingMaterialLength else {
            throw DTLSError.invalidConfiguration("keying material must be \(profile.keyingMaterialLength) bytes, got \(exported.count)")
        }
        self.profile = profile
        self.exported = exported
    }

    private var keyLength: Int { profile.masterKeyLength }
    private var saltLength: Int { profile.masterSaltLength }

    /// The client's (DTLS client role) master key: it protects what the client sends.
    public var clientMasterKey: [UInt8] { Array(exported[0..<keyLength]) }
    /// The server's master key.
    public var serverMasterKey: [UInt8] { Array(exported[keyLength..<(2 * keyLength)]) }
    /// The client's master salt.
    public var clientMasterSalt: [UInt8] { Array(exported[(2 * keyLength)..<(2 * keyLength + saltLength)]) }
    /// The server's master salt.
    public var serverMasterSalt: [UInt8] { Array(exported[(2 * keyLength + saltLength)...]) }

    /// The master key and salt that `role` protects its outgoing packets with (the other
    /// side unprotects with the same pair).
    public func masterKeyAndSalt(sentBy role: DTLSRole) -> (key: [UInt8], salt: [UInt8]) {
        role == .client ? (clientMasterKey, clientMasterSalt) : (serverMasterKey, serverMasterSalt)
    }

    /// Shows the profile and length only, never key bytes.
    public var description: String { "DTLSSRTPKeyingMaterial(\(profile), \(exported.count) bytes)" }
}
