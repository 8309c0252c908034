// SPDX-License-Identifier: Apache-2.0
// Copyright 2026 the swift-perc authors

import SRTP

/// An EKT parameter set (RFC 8870 4.2), as delivered in the DTLS EKTKey message: the
/// EKTKey, its cipher, the SRTP master salt every sender under this SPI shares, and the TTL.
public struct EKTParameterSet: Sendable {
    /// The Security Parameter Index naming this set.
    public let spi: UInt16
    /// The key wrap cipher.
    public let cipher: EKTCipher
    /// The EKTKey (key-encryption key).
    public let key: SecretBytes
    /// The SRTP master salt for end-to-end contexts (its first 12 bytes are used).
    public let masterSalt: [UInt8]
    /// Lifetime in seconds from installation (24 bits on the wire).
    public let ttl: UInt32
    /// When the set stops being usable.
    public let expiry: ContinuousClock.Instant

    /// - Throws: ``SRTPError/invalidKeyLength(expected:actual:)`` when the key does not fit the
    ///   cipher, ``SRTPError/invalidParameter(_:)`` for an empty salt or a TTL above 2^24-1.
    public init(spi: UInt16, cipher: EKTCipher, key: [UInt8], masterSalt: [UInt8], ttl: UInt32 = 86_400,
                installedAt: ContinuousClock.Instant = .now) throws(SRTPError) {
        guard key.count == cipher.keyLength else { throw .invalidKeyLength(expected: cipher.keyLength, actual: key.count) }
        guard !masterSalt.isEmpty else { throw .invalidParameter("EKT master salt must not be empty") }
        guard ttl <= 0xFF_FFFF else { throw .invalidParameter("EKT TTL must fit in 24 bits") }
        self.spi = spi
        self.cipher = cipher
        self.key = SecretBytes(key)
        self.masterSalt = masterSalt
        self.ttl = ttl
        expiry = installedAt.advanced(by: .seconds(Int(ttl)))
    }

    /// The salt for an SRTP context whose master salt is `length` bytes: the first bytes.
    public func salt(length: Int) -> [UInt8]? {
        masterSalt.count >= length ? Array(masterSalt.prefix(length)) : nil
    }

    /// Wraps an EKT plaintext.
    func wrap(_ plaintext: [UInt8]) -> [UInt8]? {
        key.withUnsafeBytes { AESKeyWrap.wrap(plaintext, kek: Array($0), padded: true) }
    }

    /// Unwraps an EKT ciphertext; nil when the integrity check fails.
    func unwrap(_ ciphertext: [UInt8]) -> [UInt8]? {
        key.withUnsafeBytes { AESKeyWrap.unwrap(ciphertext, kek: Array($0), padded: true) }
    }
}
