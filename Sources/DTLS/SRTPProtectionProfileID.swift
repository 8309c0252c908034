// SPDX-License-Identifier: Apache-2.0
// Copyright 2026 the swift-perc authors

/// A DTLS-SRTP protection profile as the `use_srtp` extension names it (RFC 5764 4.1.2,
/// RFC 7714 14.2, RFC 8723 10.1): its 2-octet identifier, names and master key and salt lengths.
///
/// The DTLS module keeps its own small table because the double profiles (0x0009, 0x000A) are
/// not single SRTP transforms.
public struct SRTPProtectionProfileID: Sendable, Hashable, CustomStringConvertible {
    /// The 2-octet identifier carried in `use_srtp`.
    public let rawValue: UInt16

    /// Creates a profile identifier; any value is allowed on the wire, `isKnown` says whether
    /// this table describes it.
    public init(rawValue: UInt16) { self.rawValue = rawValue }

    public static let aes128CmSha1_80 = SRTPProtectionProfileID(rawValue: 0x0001)
    public static let aes128CmSha1_32 = SRTPProtectionProfileID(rawValue: 0x0002)
    public static let nullSha1_80 = SRTPProtectionProfileID(rawValue: 0x0005)
    public static let nullSha1_32 = SRTPProtectionProfileID(rawValue: 0x0006)
    public static let aeadAes128Gcm = SRTPProtectionProfileID(rawValue: 0x0007)
    public static let aeadAes256Gcm = SRTPProtectionProfileID(rawValue: 0x0008)
    public static let doubleAeadAes128Gcm = SRTPProtectionProfileID(rawValue: 0x0009)
    public static let doubleAeadAes256Gcm = SRTPProtectionProfileID(rawValue: 0x000A)

    /// Every profile this table knows, doubles first, then the single ones from strongest to
    /// weakest: the default offer.
    public static let allKnown: [SRTPProtectionProfileID] = [
        .doubleAeadAes128Gcm, .doubleAeadAes256Gcm,
        .aeadAes128Gcm, .aeadAes256Gcm,
        .aes128CmSha1_80, .aes128CmSha1_32,
        .nullSha1_80, .nullSha1_32,
    ]

    private struct Entry {
        let name: String
        let rfcName: String
        let masterKeyLength: Int
        let masterSaltLength: Int
    }

    private var entry: Entry? {
        switch rawValue {
        case 0x0001: return Entry(name: "aes128-cm-sha1-80", rfcName: "SRTP_AES128_CM_HMAC_SHA1_80", masterKeyLength: 16, masterSaltLength: 14)
        case 0x0002: return Entry(name: "aes128-cm-sha1-32", rfcName: "SRTP_AES128_CM_HMAC_SHA1_32", masterKeyLength: 16, masterSaltLength: 14)
        case 0x0005: return Entry(name: "null-sha1-80", rfcName: "SRTP_NULL_HMAC_SHA1_80", masterKeyLength: 16, masterSaltLength: 14)
        case 0x0006: return Entry(name: "null-sha1-32", rfcName: "SRTP_NULL_HMAC_SHA1_32", masterKeyLength: 16, masterSaltLength: 14)
        case 0x0007: return Entry(name: "aes128-gcm", rfcName: "SRTP_AEAD_AES_128_GCM", masterKeyLength: 16, masterSaltLength: 12)
        case 0x0008: return Entry(name: "aes256-gcm", rfcName: "SRTP_AEAD_AES_256_GCM", masterKeyLength: 32, masterSaltLength: 12)
        case 0x0009: return Entry(name: "double-aes128-gcm", rfcName: "DOUBLE_AEAD_AES_128_GCM_AEAD_AES_128_GCM", masterKeyLength: 32, masterSaltLength: 24)
        case 0x000A: return Entry(name: "double-aes256-gcm", rfcName: "DOUBLE_AEAD_AES_256_GCM_AEAD_AES_256_GCM", masterKeyLength: 64, masterSaltLength: 24)
        default: return nil
        }
    }

    /// Whether this table knows the profile (its lengths and names).
    public var isKnown: Bool { entry != nil }

    /// The short name the `perc` tool uses (`aes128-gcm`, `double-aes128-gcm`, ...), or
    /// `0xNNNN` for an unknown identifier.
    public var name: String { entry?.name ?? hexName }

    /// The RFC name (`SRTP_AEAD_AES_128_GCM`, `DOUBLE_AEAD_AES_128_GCM_AEAD_AES_128_GCM`, ...).
    public var rfcName: String { entry?.rfcName ?? hexName }

    /// SRTP master key length in bytes (for the double profiles inner and outer together), or 0
    /// for an unknown profile.
    public var masterKeyLength: Int { entry?.masterKeyLength ?? 0 }

    /// SRTP master salt length in bytes (for the double profiles inner and outer together), or 0
    /// for an unknown profile.
    public var masterSaltLength: Int { entry?.masterSaltLength ?? 0 }

    /// The exporter output length for this profile: `2 * (key + salt)` (RFC 5764 4.2).
    public var keyingMaterialLength: Int { 2 * (masterKeyLength + masterSaltLength) }

    /// Whether this is one of the RFC 8723 double profiles.
    public var isDouble: Bool { rawValue == 0x0009 || rawValue == 0x000A }

    /// Finds a known profile by short name, RFC name, SDES name alias or `0xNNNN`
    /// (case-insensitive).
    public init?(name: String) {
        let wanted = name.uppercased()
        if let found = Self.allKnown.first(where: { $0.name.uppercased() == wanted || $0.rfcName == wanted || $0.aliases.contains(wanted) }) {
            self = found
            return
        }
        if wanted.hasPrefix("0X"), let value = UInt16(wanted.dropFirst(2), radix: 16) {
            self.init(rawValue: value)
            return
        }
        return nil
    }

    /// Other accepted spellings: the SDES crypto-suite names of the single profiles.
    private var aliases: [String] {
        switch rawValue {
        case 0x0001: return ["AES_CM_128_HMAC_SHA1_80", "SRTP_AES128_CM_SHA1_80"]
        case 0x0002: return ["AES_CM_128_HMAC_SHA1_32", "SRTP_AES128_CM_SHA1_32"]
        case 0x0005: return ["NULL_HMAC_SHA1_80", "SRTP_NULL_SHA1_80"]
        case 0x0006: return ["NULL_HMAC_SHA1_32", "SRTP_NULL_SHA1_32"]
        case 0x0007: return ["AEAD_AES_128_GCM"]
        case 0x0008: return ["AEAD_AES_256_GCM"]
        default: return []
        }
    }

    private var hexName: String {
        let digits = String(rawValue, radix: 16)
        return "0x" + String(repeating: "0", count: 4 - digits.count) + digits
    }

    public var description: String { name }
}
