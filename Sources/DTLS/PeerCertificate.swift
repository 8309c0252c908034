// SPDX-License-Identifier: Apache-2.0
// Copyright 2026 the swift-perc authors

import Crypto
import X509

/// Reads what the handshake needs from a peer's certificate: its ECDSA P-256 public key.
/// There is no chain or CA check: peers are pinned by fingerprint (RFC 8122).
enum PeerCertificate {
    /// The certificate's P-256 signing key, or nil when it has another kind of key.
    /// - Throws: when the DER does not parse as a certificate.
    static func signingKey(certificateDER: [UInt8]) throws -> P256.Signing.PublicKey? {
        let certificate = try Certificate(derEncoded: certificateDER)
        return P256.Signing.PublicKey(certificate.publicKey)
    }
}
