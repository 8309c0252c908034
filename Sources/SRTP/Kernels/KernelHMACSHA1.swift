// SPDX-License-Identifier: Apache-2.0
// Copyright 2026 the swift-perc authors

internal import CPERCKernels

/// An HMAC-SHA1 key with its inner and outer states precomputed. Zeroed when released.
package final class KernelHMACSHA1 {
    fileprivate let key: OpaquePointer

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

/// One message of an HMAC-SHA1 batch. The pointers must stay valid for the batch call only.
package struct KernelHMACSHA1Job {
    package var key: KernelHMACSHA1
    package var first: UnsafeRawBufferPointer
    package var second: UnsafeRawBufferPointer
    /// 20 bytes, written.
    package var mac: UnsafeMutableRawPointer

    package init(key: KernelHMACSHA1, first: UnsafeRawBufferPointer,
                 second: UnsafeRawBufferPointer = .init(start: nil, count: 0), mac: UnsafeMutableRawPointer) {
        self.key = key
        self.first = first
        self.second = second
        self.mac = mac
    }
}

extension KernelHMACSHA1 {
    /// Computes every job's MAC as `authenticate` would one at a time (keys and lengths may
    /// differ); with SHA-NI, groups of up to four messages are hashed interleaved.
    package static func authenticateBatch(_ jobs: UnsafeBufferPointer<KernelHMACSHA1Job>) {
        withUnsafeTemporaryAllocation(of: perc_hmac_sha1_job.self, capacity: jobs.count) { c in
            for (i, job) in jobs.enumerated() {
                c.initializeElement(at: i, to: perc_hmac_sha1_job(
                    key: job.key.key, d1: job.first.baseAddress?.assumingMemoryBound(to: UInt8.self), l1: job.first.count,
                    d2: job.second.baseAddress?.assumingMemoryBound(to: UInt8.self), l2: job.second.count,
                    mac: job.mac.assumingMemoryBound(to: UInt8.self)))
            }
            perc_hmac_sha1_batch(c.baseAddress, jobs.count)
        }
    }
}

/// Constant-time equality of `count` bytes.
@inline(__always)
package func constantTimeEqual(_ a: UnsafeRawPointer, _ b: UnsafeRawPointer, count: Int) -> Bool {
    perc_ct_equal(a, b, count) == 1
}
