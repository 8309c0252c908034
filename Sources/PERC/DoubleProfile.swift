// SPDX-License-Identifier: Apache-2.0
// Copyright 2026 the swift-perc authors

import SRTP

/// An RFC 8723 double protection profile: AES-GCM inner (end-to-end) then AES-GCM outer
/// (hop-by-hop). Master key and salt are the inner half followed by the outer half.
public enum DoubleProfile: CaseIterable, Sendable, Hashable, CustomStringConvertible {
    /// DOUBLE_AEAD_AES_128_GCM_AEAD_AES_128_GCM, DTLS-SRTP profile 0x0009.
    case aes128Gcm
    /// DOUBLE_AEAD_AES_256_GCM_AEAD_AES_256_GCM, DTLS-SRTP profile 0x000A.
    case aes256Gcm

    /// The single AEAD profile each half runs (RFC 7714).
    public var halfProfile: ProtectionProfile { self == .aes128Gcm ? .aeadAes128Gcm : .aeadAes256Gcm }

    /// Length of one half's master key: 16 or 32 bytes.
    public var halfKeyLength: Int { halfProfile.masterKeyLength }
    /// Length of one half's master salt: 12 bytes.
    public var halfSaltLength: Int { halfProfile.masterSaltLength }
    /// Length of the whole (inner || outer) master key: 32 or 64 bytes.
    public var masterKeyLength: Int { 2 * halfKeyLength }
    /// Length of the whole (inner || outer) master salt: 24 bytes.
    public var masterSaltLength: Int { 2 * halfSaltLength }
    /// Length of the DTLS-SRTP exporter output: 112 or 176 bytes.
    public var keyingMaterialLength: Int { 2 * (masterKeyLength + masterSaltLength) }

    /// The DTLS-SRTP protection profile identifier (RFC 8723 10.1).
    public var dtlsIdentifier: UInt16 { self == .aes128Gcm ? 0x0009 : 0x000A }

    /// The short name used by the `perc` tool.
    public var name: String { self == .aes128Gcm ? "double-aes128-gcm" : "double-aes256-gcm" }

    /// The RFC 8723 profile name.
    public var rfcName: String {
        self == .aes128Gcm ? "DOUBLE_AEAD_AES_128_GCM_AEAD_AES_128_GCM" : "DOUBLE_AEAD_AES_256_GCM_AEAD_AES_256_GCM"
    }

    /// Finds a profile by its short or RFC name (case-insensitive).
    public init?(name: String) {
        let wanted = name.uppercased()
        guard let found = Self.allCases.first(where: { $0.name.uppercased() == wanted || $0.rfcName == wanted })
        else { return nil }
        self = found
    }

    public var description: String { name }

    /// Splits one direction's double-length master key and salt into inner and outer halves.
    /// - Throws: ``SRTPError/invalidKeyLength(expected:actual:)`` or
    ///   ``SRTPError/invalidSaltLength(expected:actual:)``.
    public func split(masterKey: [UInt8], masterSalt: [UInt8]) throws(SRTPError) -> (inner: SRTPMasterKey, outer: SRTPMasterKey) {
        guard masterKey.count == masterKeyLength else {
            throw .invalidKeyLength(expected: masterKeyLength, actual: masterKey.count)
        }
        guard masterSalt.count == masterSaltLength else {
            throw .invalidSaltLength(expected: masterSaltLength, actual: masterSalt.count)
        }
        let k = halfKeyLength, s = halfSaltLength
        return (SRTPMasterKey(key: Array(masterKey[0..<k]), salt: Array(masterSalt[0..<s])),
                SRTPMasterKey(key: Array(masterKey[k...]), salt: Array(masterSalt[s...])))
    }

    /// Splits the DTLS-SRTP exporter output (112/176 bytes) into both directions.
    public func keyingMaterial(exported: [UInt8]) throws(SRTPError) -> SRTPKeyingMaterial {
        try SRTPKeyingMaterial(exported: exported, keyLength: masterKeyLength, saltLength: masterSaltLength)
    }
}
