// SPDX-License-Identifier: Apache-2.0
// Copyright 2026 the swift-perc authors

internal import CPERCKernels

/// An expanded AES-GCM key (96-bit IV, 128-bit tag) on one backend. Zeroed when released.
///
/// One thread at a time may use a key (the portable path keeps a cipher context in it).
package final class KernelAESGCM {
    private let key: OpaquePointer

    /// Expands a 16- or 32-byte key. Returns nil on a bad length or unavailable backend.
    package init?(key bytes: UnsafeRawBufferPointer, backend: CryptoBackend) {
        guard let key = perc_gcm_key_new(backend.cValue, bytes.baseAddress?.assumingMemoryBound(to: UInt8.self),
                                         bytes.count) else { return nil }
        self.key = key
    }

    deinit { perc_gcm_key_free(key) }

    /// The backend this key runs on.
    package var backend: CryptoBackend {
        CryptoBackend(rawValue: Int(perc_gcm_key_backend(key).rawValue)) ?? .openssl
    }

    /// Seals `count` bytes from `input` to `output` (may be equal) and writes the tag.
    /// The AAD is `aad || aad2`.
    @inline(__always)
    package func seal(iv: UnsafeRawPointer, aad: UnsafeRawBufferPointer, aad2: UnsafeRawBufferPointer = .init(start: nil, count: 0),
                      input: UnsafeRawPointer, output: UnsafeMutableRawPointer, count: Int,
                      tag: UnsafeMutableRawPointer) -> Bool {
        perc_gcm_seal(key, iv.assumingMemoryBound(to: UInt8.self),
                      aad.baseAddress?.assumingMemoryBound(to: UInt8.self), aad.count,
                      aad2.baseAddress?.assumingMemoryBound(to: UInt8.self), aad2.count,
                      input.assumingMemoryBound(to: UInt8.self), output.assumingMemoryBound(to: UInt8.self), count,
                      tag.assumingMemoryBound(to: UInt8.self)) == 1
    }

    /// Opens `count` bytes and verifies the tag in constant time. On failure no plaintext is
    /// released (`output` holds the ciphertext again when in place, zeros otherwise).
    @inline(__always)
    package func open(iv: UnsafeRawPointer, aad: UnsafeRawBufferPointer, aad2: UnsafeRawBufferPointer = .init(start: nil, count: 0),
                      input: UnsafeRawPointer, output: UnsafeMutableRawPointer, count: Int,
                      tag: UnsafeRawPointer) -> Bool {
        perc_gcm_open(key, iv.assumingMemoryBound(to: UInt8.self),
                      aad.baseAddress?.assumingMemoryBound(to: UInt8.self), aad.count,
                      aad2.baseAddress?.assumingMemoryBound(to: UInt8.self), aad2.count,
                      input.assumingMemoryBound(to: UInt8.self), output.assumingMemoryBound(to: UInt8.self), count,
                      tag.assumingMemoryBound(to: UInt8.self)) == 1
    }
}
