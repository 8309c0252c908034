// SPDX-License-Identifier: Apache-2.0
// Copyright 2026 the swift-perc authors

internal import CPERCKernels

/// An expanded AES key for counter mode (RFC 3711 AES-CM, RFC 6188). Zeroed when released.
package final class KernelAESCTR {
    private let key: OpaquePointer

    /// Expands a 16-, 24- or 32-byte key. Returns nil on a bad length or unavailable backend.
    package init?(key bytes: UnsafeRawBufferPointer, backend: CryptoBackend) {
        guard let key = perc_ctr_key_new(backend.cValue, bytes.baseAddress?.assumingMemoryBound(to: UInt8.self),
                                         bytes.count) else { return nil }
        self.key = key
    }

    deinit { perc_ctr_key_free(key) }

    /// The backend this key runs on.
    package var backend: CryptoBackend {
        CryptoBackend(rawValue: Int(perc_ctr_key_backend(key).rawValue)) ?? .openssl
    }

    /// XORs the keystream starting at counter block `iv` onto `count` bytes.
    @inline(__always)
    @discardableResult
    package func apply(iv: UnsafeRawPointer, input: UnsafeRawPointer, output: UnsafeMutableRawPointer, count: Int) -> Bool {
        perc_ctr_xor(key, iv.assumingMemoryBound(to: UInt8.self), input.assumingMemoryBound(to: UInt8.self),
                     output.assumingMemoryBound(to: UInt8.self), count) == 1
    }
}
