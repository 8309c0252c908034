// SPDX-License-Identifier: Apache-2.0
// Copyright 2026 the swift-perc authors

/// The SRTP key derivation function: the AES-CM PRF of RFC 3711 4.3.3, keyed with a 128-,
/// 192- or 256-bit master key (RFC 6188), with a key derivation rate of 0.
///
/// A 12-byte (RFC 7714 AEAD) master salt is extended with two zero bytes to 14 bytes, as
/// libsrtp, pion and browsers do. The label sits at byte 7 of the counter block for every
/// label, SRTCP's included (RFC 3711 erratum 3712).
public enum KeyDerivation {
    /// The RFC 3711 4.3.2 labels.
    public enum Label: UInt8, Sendable {
        case srtpEncryption = 0x00
        case srtpAuthentication = 0x01
        case srtpSalt = 0x02
        case srtcpEncryption = 0x03
        case srtcpAuthentication = 0x04
        case srtcpSalt = 0x05
    }

    /// Derives `length` bytes for `label`.
    /// - Parameters:
    ///   - masterKey: 16, 24 or 32 bytes.
    ///   - masterSalt: 14 bytes, or 12 (extended with two zero bytes).
    /// - Throws: ``SRTPError/invalidKeyLength(expected:actual:)`` or
    ///   ``SRTPError/invalidSaltLength(expected:actual:)`` on bad lengths.
    public static func derive(
        masterKey: UnsafeRawBufferPointer, masterSalt: UnsafeRawBufferPointer, label: Label, length: Int,
        backend: CryptoBackend = .default
    ) throws(SRTPError) -> SecretBytes {
        guard [16, 24, 32].contains(masterKey.count) else {
            throw .invalidKeyLength(expected: 16, actual: masterKey.count)
        }
        guard masterSalt.count == 14 || masterSalt.count == 12 else {
            throw .invalidSaltLength(expected: 14, actual: masterSalt.count)
        }
        guard let prf = KernelAESCTR(key: masterKey, backend: backend) else { throw .cryptoFailure }
        var block = [UInt8](repeating: 0, count: 16)
        for i in 0..<masterSalt.count { block[i] = masterSalt[i] }
        block[7] ^= label.rawValue
        return SecretBytes(count: length) { out in
            out.initializeMemory(as: UInt8.self, repeating: 0)
            guard let base = out.baseAddress else { return }
            _ = block.withUnsafeBytes { iv in prf.apply(iv: iv.baseAddress!, input: base, output: base, count: length) }
        }
    }
}

/// The session keys of one direction, derived from a master key and salt.
package struct SessionKeys {
    package let encryptionKey: SecretBytes
    package let authenticationKey: SecretBytes?
    package let salt: SecretBytes

    /// Wraps session keys given directly (RFC 7714's examples start from session keys).
    package init(encryptionKey: SecretBytes, authenticationKey: SecretBytes?, salt: SecretBytes) {
        self.encryptionKey = encryptionKey
        self.authenticationKey = authenticationKey
        self.salt = salt
    }

    /// Derives the SRTP (`rtcp == false`) or SRTCP session keys for `profile`.
    package init(profile: ProtectionProfile, masterKey: UnsafeRawBufferPointer, masterSalt: UnsafeRawBufferPointer,
                 rtcp: Bool, backend: CryptoBackend) throws(SRTPError) {
        let labels: (KeyDerivation.Label, KeyDerivation.Label, KeyDerivation.Label) = rtcp
            ? (.srtcpEncryption, .srtcpAuthentication, .srtcpSalt)
            : (.srtpEncryption, .srtpAuthentication, .srtpSalt)
        encryptionKey = try KeyDerivation.derive(
            masterKey: masterKey, masterSalt: masterSalt, label: labels.0, length: profile.masterKeyLength, backend: backend)
        authenticationKey = profile.cipher == .aesGCM ? nil : try KeyDerivation.derive(
            masterKey: masterKey, masterSalt: masterSalt, label: labels.1, length: 20, backend: backend)
        salt = try KeyDerivation.derive(
            masterKey: masterKey, masterSalt: masterSalt, label: labels.2, length: profile.sessionSaltLength,
            backend: backend)
    }
}
