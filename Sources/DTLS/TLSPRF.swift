// SPDX-License-Identifier: Apache-2.0
// Copyright 2026 the swift-perc authors

import Crypto

/// The TLS 1.2 PRF with SHA-256 (RFC 5246 5) and the secrets built from it: the extended
/// master secret (RFC 7627 4), the key block (RFC 5246 6.3), Finished (RFC 5246 7.4.9) and the
/// keying-material exporter (RFC 5705 4).
enum TLSPRF {
    /// `P_SHA256(secret, label || seed)`, truncated to `length` bytes.
    static func compute(secret: [UInt8], label: String, seed: [UInt8], length: Int) -> [UInt8] {
        let key = SymmetricKey(data: secret)
        let labelSeed = Array(label.utf8) + seed
        var output: [UInt8] = []
        output.reserveCapacity(length + 32)
        var a = labelSeed  // A(0)
        while output.count < length {
            a = Array(HMAC<SHA256>.authenticationCode(for: a, using: key))
            output += HMAC<SHA256>.authenticationCode(for: a + labelSeed, using: key)
        }
        return Array(output.prefix(length))
    }

    /// The 48-byte extended master secret: `PRF(pms, "extended master secret", session_hash)`,
    /// where `session_hash` is SHA-256 of the handshake through ClientKeyExchange.
    static func extendedMasterSecret(preMasterSecret: [UInt8], sessionHash: [UInt8]) -> [UInt8] {
        compute(secret: preMasterSecret, label: "extended master secret", seed: sessionHash, length: 48)
    }

    /// The key block for AES-128-GCM: client key, server key (16 each), client IV, server IV
    /// (4 each).
    static func keyBlock(masterSecret: [UInt8], clientRandom: [UInt8], serverRandom: [UInt8]) -> [UInt8] {
        compute(secret: masterSecret, label: "key expansion", seed: serverRandom + clientRandom, length: 40)
    }

    /// Finished `verify_data` (12 bytes) for the given transcript hash.
    static func verifyData(masterSecret: [UInt8], isClient: Bool, transcriptHash: [UInt8]) -> [UInt8] {
        compute(secret: masterSecret, label: isClient ? "client finished" : "server finished", seed: transcriptHash, length: 12)
    }

    /// The RFC 5705 exporter without a context value.
    static func export(masterSecret: [UInt8], label: String, clientRandom: [UInt8], serverRandom: [UInt8], length: Int) -> [UInt8] {
        compute(secret: masterSecret, label: label, seed: clientRandom + serverRandom, length: length)
    }
}
