// SPDX-License-Identifier: Apache-2.0
// Copyright 2026 the swift-perc authors

import Crypto
import X509

/// The peer's ECDSA public key, from its certificate. In TLS 1.2 the scheme
/// ecdsa_secp256r1_sha256 (0x0403) means ECDSA with SHA-256 on the certificate's curve, so
/// P-384 and P-521 certificates work too. There is no chain or CA check: peers are pinned by
/// fingerprint (RFC 8122).
enum PeerSigningKey {
    case p256(P256.Signing.PublicKey)
    case p384(P384.Signing.PublicKey)
    case p521(P521.Signing.PublicKey)

    /// The key of a DER certificate, or nil when it is not an ECDSA key on P-256/384/521.
    /// - Throws: when the DER does not parse as a certificate.
    static func from(certificateDER: [UInt8]) throws -> PeerSigningKey? {
        let certificate = try Certificate(derEncoded: certificateDER)
        if let key = P256.Signing.PublicKey(certificate.publicKey) { return .p256(key) }
        if let key = P384.Signing.PublicKey(certificate.publicKey) { return .p384(key) }
        if let key = P521.Signing.PublicKey(certificate.publicKey) { return .p521(key) }
        return nil
    }

    /// Whether `signature` (DER ECDSA-Sig-Value) is valid for SHA-256 of `message`.
    func isValidSignature(_ signature: [UInt8], for message: [UInt8]) -> Bool {
        let digest = SHA256.hash(data: message)
        switch self {
        case .p256(let key):
            guard let parsed = try? P256.Signing.ECDSASignature(derRepresentation: signature) else { return false }
            return key.isValidSignature(parsed, for: digest)
        case .p384(let key):
            guard let parsed = try? P384.Signing.ECDSASignature(derRepresentation: signature) else { return false }
            return key.isValidSignature(parsed, for: digest)
        case .p521(let key):
            guard let parsed = try? P521.Signing.ECDSASignature(derRepresentation: signature) else { return false }
            return key.isValidSignature(parsed, for: digest)
        }
    }
}
