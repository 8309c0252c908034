// SPDX-License-Identifier: Apache-2.0
// Copyright 2026 the swift-perc authors

internal import CPERCKernels

/// The RFC 8723 double AES-GCM transform and the relay's fan-out seal as single kernel
/// calls: fused (both layers in one pass) when the keys run on one ISA path, two separate
/// calls on the portable path. Results are byte for byte those of separate seals and opens.
package enum KernelDoubleGCM {
    /// Longest OHB (or fan-out tail) the calls accept.
    package static let maximumTailLength = Int(PERC_DOUBLE_MAX_OHB)

    /// Seals `count` bytes from `input` with the inner layer, appends the inner tag and `ohb`,
    /// and seals that with the outer layer into `output` (`count + 16 + ohb.count` bytes; may
    /// equal `input`), writing the outer tag to `outerTag`.
    @inline(__always)
    package static func seal(inner: KernelAESGCM, innerIV: UnsafeRawPointer, innerAAD: UnsafeRawBufferPointer,
                             outer: KernelAESGCM, outerIV: UnsafeRawPointer, outerAAD: UnsafeRawBufferPointer,
                             input: UnsafeRawPointer, output: UnsafeMutableRawPointer, count: Int,
                             ohb: UnsafeRawBufferPointer, outerTag: UnsafeMutableRawPointer) -> Bool {
        perc_gcm_double_seal(inner.key, innerIV.assumingMemoryBound(to: UInt8.self),
                             innerAAD.baseAddress?.assumingMemoryBound(to: UInt8.self), innerAAD.count,
                             outer.key, outerIV.assumingMemoryBound(to: UInt8.self),
                             outerAAD.baseAddress?.assumingMemoryBound(to: UInt8.self), outerAAD.count,
                             input.assumingMemoryBound(to: UInt8.self), output.assumingMemoryBound(to: UInt8.self),
                             count, ohb.baseAddress?.assumingMemoryBound(to: UInt8.self), ohb.count,
                             outerTag.assumingMemoryBound(to: UInt8.self)) == 1
    }

    /// How a double open ended.
    package enum OpenResult: Equatable {
        /// Both tags verified.
        case opened
        /// The outer tag failed.
        case outerFailed
        /// The outer tag verified, the inner failed.
        case innerFailed
    }

    /// Opens `count` bytes of outer ciphertext (inner ciphertext, inner tag and an OHB of
    /// `ohbLength` bytes) from `input` into `output` (may equal `input`) against `outerTag`.
    /// When both tags verify `output` holds `plaintext | inner tag | OHB`; otherwise no
    /// plaintext is released (ciphertext restored in place, zeros otherwise).
    @inline(__always)
    package static func open(inner: KernelAESGCM, innerIV: UnsafeRawPointer, innerAAD: UnsafeRawBufferPointer,
                             outer: KernelAESGCM, outerIV: UnsafeRawPointer, outerAAD: UnsafeRawBufferPointer,
                             input: UnsafeRawPointer, output: UnsafeMutableRawPointer, count: Int, ohbLength: Int,
                             outerTag: UnsafeRawPointer) -> OpenResult {
        let r = perc_gcm_double_open(inner.key, innerIV.assumingMemoryBound(to: UInt8.self),
                                     innerAAD.baseAddress?.assumingMemoryBound(to: UInt8.self), innerAAD.count,
                                     outer.key, outerIV.assumingMemoryBound(to: UInt8.self),
                                     outerAAD.baseAddress?.assumingMemoryBound(to: UInt8.self), outerAAD.count,
                                     input.assumingMemoryBound(to: UInt8.self),
                                     output.assumingMemoryBound(to: UInt8.self), count, ohbLength,
                                     outerTag.assumingMemoryBound(to: UInt8.self))
        return r == 1 ? .opened : r == 0 ? .outerFailed : .innerFailed
    }

    /// Decrypts `count` <= 16 bytes at byte `offset` of a GCM ciphertext of `key`/`iv`
    /// WITHOUT authentication (to read an OHB before the open it parametrises).
    @inline(__always)
    package static func peek(_ key: KernelAESGCM, iv: UnsafeRawPointer, offset: Int, input: UnsafeRawPointer,
                             output: UnsafeMutableRawPointer, count: Int) -> Bool {
        perc_gcm_ctr_peek(key.key, iv.assumingMemoryBound(to: UInt8.self), offset,
                          input.assumingMemoryBound(to: UInt8.self), output.assumingMemoryBound(to: UInt8.self),
                          count) == 1
    }
}

/// One copy of a fan-out seal: `shared | tail` sealed under its own key, IV and AAD.
/// The pointers must stay valid for the call only, and so must the key, which the job does
/// not retain (a job is a plain value the relay builds per copy on the stack).
package struct KernelFanOutJob {
    package unowned(unsafe) var key: KernelAESGCM
    /// 12 bytes.
    package var iv: UnsafeRawPointer
    package var aad: UnsafeRawBufferPointer
    /// 0...16 bytes after the shared part (the copy's OHB).
    package var tail: UnsafeRawBufferPointer
    /// `shared.count + tail.count` bytes of ciphertext, written; must not overlap `shared`.
    package var output: UnsafeMutableRawPointer
    /// 16 bytes, written.
    package var tag: UnsafeMutableRawPointer

    package init(key: KernelAESGCM, iv: UnsafeRawPointer, aad: UnsafeRawBufferPointer, tail: UnsafeRawBufferPointer,
                 output: UnsafeMutableRawPointer, tag: UnsafeMutableRawPointer) {
        self.key = key
        self.iv = iv
        self.aad = aad
        self.tail = tail
        self.output = output
        self.tag = tag
    }
}

extension KernelDoubleGCM {
    /// The most jobs one ``sealFanOut(shared:jobs:results:)`` call converts on the stack
    /// (a temporary allocation over 1 KiB would go to the heap); callers with more copies
    /// split them into calls of at most this many.
    package static let fanOutJobsOnStack = 1024 / max(MemoryLayout<perc_gcm_fanout_job>.stride,
                                                      MemoryLayout<KernelFanOutJob>.stride)

    /// Seals `shared | jobs[i].tail` for every job, as separate seals would (keys, IVs, AAD
    /// and tails may all differ). `results[i]` is true when job i sealed; `results` needs
    /// at least `jobs.count` elements.
    package static func sealFanOut(shared: UnsafeRawBufferPointer, jobs: UnsafeBufferPointer<KernelFanOutJob>,
                                   results: UnsafeMutableBufferPointer<Bool>) {
        precondition(results.count >= jobs.count, "one result slot per job")
        withUnsafeTemporaryAllocation(of: perc_gcm_fanout_job.self, capacity: max(jobs.count, 1)) { c in
            for (i, job) in jobs.enumerated() {
                c.initializeElement(at: i, to: perc_gcm_fanout_job(
                    key: job.key.key, iv: job.iv.assumingMemoryBound(to: UInt8.self),
                    aad: job.aad.baseAddress?.assumingMemoryBound(to: UInt8.self), aad_len: job.aad.count,
                    tail: job.tail.baseAddress?.assumingMemoryBound(to: UInt8.self), tail_len: job.tail.count,
                    out: job.output.assumingMemoryBound(to: UInt8.self), tag: job.tag.assumingMemoryBound(to: UInt8.self),
                    result: 0))
            }
            perc_gcm_seal_fanout(shared.baseAddress?.assumingMemoryBound(to: UInt8.self), shared.count,
                                 c.baseAddress, jobs.count)
            for i in 0..<jobs.count {
                results[i] = c[i].result == 1
            }
        }
    }
}
