// SPDX-License-Identifier: Apache-2.0
// Copyright 2026 the swift-perc authors

/// The cipher a single SRTP transform runs.
public enum SRTPCipherKind: Sendable, Equatable {
    /// AES counter mode (RFC 3711 AES-CM, RFC 6188) with HMAC-SHA1.
    case aesCounterMode
    /// AES-GCM AEAD (RFC 7714).
    case aesGCM
    /// No encryption, HMAC-SHA1 only (RFC 3711 NULL cipher).
    case null
}

/// An SRTP protection profile with a single transform: its key sizes, tag sizes and cipher.
public enum ProtectionProfile: CaseIterable, Sendable, Hashable, CustomStringConvertible {
    case aes128CmSha1_80
    case aes128CmSha1_32
    case aes256CmSha1_80
    case aes256CmSha1_32
    case aeadAes128Gcm
    case aeadAes256Gcm
    case nullSha1_80
    case nullSha1_32

    /// The cipher this profile runs.
    public var cipher: SRTPCipherKind {
        switch self {
        case .aes128CmSha1_80, .aes128CmSha1_32, .aes256CmSha1_80, .aes256CmSha1_32: return .aesCounterMode
        case .aeadAes128Gcm, .aeadAes256Gcm: return .aesGCM
        case .nullSha1_80, .nullSha1_32: return .null
        }
    }

    /// Master key length in bytes (also the session encryption key length).
    public var masterKeyLength: Int {
        switch self {
        case .aes256CmSha1_80, .aes256CmSha1_32, .aeadAes256Gcm: return 32
        default: return 16
        }
    }

    /// Master salt length in bytes: 14 for AES-CM and NULL, 12 for GCM.
    public var masterSaltLength: Int { cipher == .aesGCM ? 12 : 14 }

    /// Session salt length in bytes (the KDF output for labels 0x02/0x05).
    public var sessionSaltLength: Int { masterSaltLength }

    /// Length of the SRTP authentication tag in bytes.
    public var srtpTagLength: Int {
        switch self {
        case .aes128CmSha1_32, .aes256CmSha1_32, .nullSha1_32: return 4
        case .aeadAes128Gcm, .aeadAes256Gcm: return 16
        default: return 10
        }
    }

    /// Length of the SRTCP authentication tag in bytes (the `_32` profiles keep 80 bits here).
    public var srtcpTagLength: Int { cipher == .aesGCM ? 16 : 10 }

    /// Whether SRTCP packets are sent encrypted (E=1). The NULL profiles send E=0, as libsrtp does.
    public var encryptsSRTCP: Bool { cipher != .null }

    /// The short name used by the `perc` tool (`aes128-cm-sha1-80`, ...).
    public var name: String {
        switch self {
        case .aes128CmSha1_80: return "aes128-cm-sha1-80"
        case .aes128CmSha1_32: return "aes128-cm-sha1-32"
        case .aes256CmSha1_80: return "aes256-cm-sha1-80"
        case .aes256CmSha1_32: return "aes256-cm-sha1-32"
        case .aeadAes128Gcm: return "aes128-gcm"
        case .aeadAes256Gcm: return "aes256-gcm"
        case .nullSha1_80: return "null-sha1-80"
        case .nullSha1_32: return "null-sha1-32"
        }
    }

    /// The RFC names: the DTLS-SRTP profile name (RFC 5764, RFC 7714) where one exists, and the
    /// SDES crypto-suite name (RFC 4568, RFC 6188, RFC 7714).
    public var rfcNames: [String] {
        switch self {
        case .aes128CmSha1_80: return ["SRTP_AES128_CM_HMAC_SHA1_80", "AES_CM_128_HMAC_SHA1_80"]
        case .aes128CmSha1_32: return ["SRTP_AES128_CM_HMAC_SHA1_32", "AES_CM_128_HMAC_SHA1_32"]
        case .aes256CmSha1_80: return ["AES_256_CM_HMAC_SHA1_80"]
        case .aes256CmSha1_32: return ["AES_256_CM_HMAC_SHA1_32"]
        case .aeadAes128Gcm: return ["SRTP_AEAD_AES_128_GCM", "AEAD_AES_128_GCM"]
        case .aeadAes256Gcm: return ["SRTP_AEAD_AES_256_GCM", "AEAD_AES_256_GCM"]
        case .nullSha1_80: return ["SRTP_NULL_HMAC_SHA1_80", "NULL_HMAC_SHA1_80"]
        case .nullSha1_32: return ["SRTP_NULL_HMAC_SHA1_32", "NULL_HMAC_SHA1_32"]
        }
    }

    /// The DTLS-SRTP protection profile identifier (RFC 5764 4.1.2, RFC 7714 14.2), if any.
    public var dtlsIdentifier: UInt16? {
        switch self {
        case .aes128CmSha1_80: return 0x0001
        case .aes128CmSha1_32: return 0x0002
        case .nullSha1_80: return 0x0005
        case .nullSha1_32: return 0x0006
        case .aeadAes128Gcm: return 0x0007
        case .aeadAes256Gcm: return 0x0008
        case .aes256CmSha1_80, .aes256CmSha1_32: return nil
        }
    }

    /// Finds a profile by its short name or one of its RFC names (case-insensitive).
    public init?(name: String) {
        let wanted = name.uppercased()
        guard let found = Self.allCases.first(where: { profile in
            profile.name.uppercased() == wanted || profile.rfcNames.contains(wanted)
        }) else {
            return nil
        }
        self = found
    }

    public var description: String { name }
}
