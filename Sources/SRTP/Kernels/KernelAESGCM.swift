// SPDX-License-Identifier: Apache-2.0
// Copyright 2026 the swift-perc authors

internal import CPERCKernels

/// An expanded AES-GCM key (96-bit IV, 128-bit tag) on one backend. Zeroed when released.
///
/// One thread at a time may use a key (the portable path keeps a cipher context in it).
package final class KernelAESGCM {
    let key: OpaquePointer

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

/// One packet of a GCM batch. The pointers must stay valid for the batch call only.
package struct KernelAESGCMJob {
    package var key: KernelAESGCM
    /// 12 bytes.
    package var iv: UnsafeRawPointer
    package var aad: UnsafeRawBufferPointer
    package var aad2: UnsafeRawBufferPointer
    package var input: UnsafeRawPointer
    /// May equal `input`.
    package var output: UnsafeMutableRawPointer
    package var count: Int
    /// 16 bytes: written by a seal, read by an open.
    package var tag: UnsafeMutableRawPointer

    package init(key: KernelAESGCM, iv: UnsafeRawPointer, aad: UnsafeRawBufferPointer,
                 aad2: UnsafeRawBufferPointer = .init(start: nil, count: 0), input: UnsafeRawPointer,
                 output: UnsafeMutableRawPointer, count: Int, tag: UnsafeMutableRawPointer) {
        self.key = key
        self.iv = iv
        self.aad = aad
        self.aad2 = aad2
        self.input = input
        self.output = output
        self.count = count
        self.tag = tag
    }
}

extension KernelAESGCM {
    /// Seals every job as `seal` would one at a time (keys and lengths may differ).
    /// `results[i]` is true when job i sealed.
    /// `results` needs at least `jobs.count` elements.
    package static func sealBatch(_ jobs: UnsafeBufferPointer<KernelAESGCMJob>, results: UnsafeMutableBufferPointer<Bool>) {
        runBatch(jobs, results: results, open: false)
    }

    /// Opens every job as `open` would one at a time: `results[i]` is true when job i's tag
    /// verified; a failed job releases no plaintext (ciphertext restored in place, zeros otherwise).
    package static func openBatch(_ jobs: UnsafeBufferPointer<KernelAESGCMJob>, results: UnsafeMutableBufferPointer<Bool>) {
        runBatch(jobs, results: results, open: true)
    }

    private static func runBatch(_ jobs: UnsafeBufferPointer<KernelAESGCMJob>, results: UnsafeMutableBufferPointer<Bool>,
                                 open: Bool) {
        precondition(results.count >= jobs.count, "one result slot per job")
        withUnsafeTemporaryAllocation(of: perc_gcm_job.self, capacity: jobs.count) { c in
            for (i, job) in jobs.enumerated() {
                c.initializeElement(at: i, to: perc_gcm_job(
                    key: job.key.key, iv: job.iv.assumingMemoryBound(to: UInt8.self),
                    aad: job.aad.baseAddress?.assumingMemoryBound(to: UInt8.self), aad_len: job.aad.count,
                    aad2: job.aad2.baseAddress?.assumingMemoryBound(to: UInt8.self), aad2_len: job.aad2.count,
                    in: job.input.assumingMemoryBound(to: UInt8.self), out: job.output.assumingMemoryBound(to: UInt8.self),
                    len: job.count, tag: job.tag.assumingMemoryBound(to: UInt8.self), result: 0))
            }
            if open {
                perc_gcm_open_batch(c.baseAddress, jobs.count)
            } else {
                perc_gcm_seal_batch(c.baseAddress, jobs.count)
            }
            for i in 0..<jobs.count {
                results[i] = c[i].result == 1
            }
        }
    }
}
