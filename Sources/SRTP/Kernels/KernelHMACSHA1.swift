// SPDX-License-Identifier: Apache-2.0
// Copyright 2026 the swift-perc authors

internal import CPERCKernels

/// An HMAC-SHA1 key with its inner and outer states precomputed. Zeroed when released.
package final class KernelHMACSHA1 {
    private let key: OpaquePointer

    /// Precomputes the HMAC states for `bytes`. Returns nil when the backend is unavailable.
    package init?(key bytes: UnsafeRawBufferPointer, backend: CryptoBackend) {
        guard let key = perc_hmac_sha1_key_new(backend.cValue, bytes.baseAddress?.assumingMemoryBound(to: UInt8.self),
                                               bytes.count) else { return nil }
        self.key = key
    }

    deinit { perc_hmac_sha1_key_free(key) }

    /// HMAC-SHA1 over `first || second` into the 20 bytes at `mac`.
    @inline(__always)
    package func authenticate(_ first: UnsafeRawBufferPointer, _ second: UnsafeRawBufferPointer = .init(start: nil, count: 0),
                              mac: UnsafeMutableRawPointer) {
        perc_hmac_sha1(key, first.baseAddress?.assumingMemoryBound(to: UInt8.self), first.count,
                       second.baseAddress?.assumingMemoryBound(to: UInt8.self), second.count,
                       mac.assumingMemoryBound(to: UInt8.self))
    }
}

/// Constant-time equality of `count` bytes.
@inline(__always)
package func constantTimeEqual(_ a: UnsafeRawPointer, _ b: UnsafeRawPointer, count: Int) -> Bool {
    perc_ct_equal(a, b, count) == 1
}
