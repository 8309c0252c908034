// SPDX-License-Identifier: Apache-2.0
// Copyright 2026 the swift-perc authors

internal import CPERCKernels

/// AES key wrap: RFC 3394, and RFC 5649 "with padding" (the RFC 8870 EKT cipher).
public enum AESKeyWrap {
    /// Wraps `plaintext` under `kek` (16, 24 or 32 bytes). Returns nil on a bad length.
    /// - Parameter padded: true for RFC 5649 (any length 1...4096), false for RFC 3394.
    public static func wrap(_ plaintext: [UInt8], kek: [UInt8], padded: Bool) -> [UInt8]? {
        var out = [UInt8](repeating: 0, count: plaintext.count + 16)
        let n = out.withUnsafeMutableBufferPointer { o in
            perc_aes_keywrap(padded ? 1 : 0, kek, kek.count, plaintext, plaintext.count, o.baseAddress)
        }
        guard n > 0 else { return nil }
        return Array(out[0..<n])
    }

    /// Unwraps and checks integrity. Returns nil when the check fails or a length is bad.
    public static func unwrap(_ ciphertext: [UInt8], kek: [UInt8], padded: Bool) -> [UInt8]? {
        var out = [UInt8](repeating: 0, count: max(ciphertext.count, 16))
        let n = out.withUnsafeMutableBufferPointer { o in
            perc_aes_keyunwrap(padded ? 1 : 0, kek, kek.count, ciphertext, ciphertext.count, o.baseAddress)
        }
        guard n > 0 else { return nil }
        return Array(out[0..<n])
    }
}
