// SPDX-License-Identifier: Apache-2.0
// Copyright 2026 the swift-perc authors

/// Working memory a relay hop reuses for every fan-out: it grows to the largest packet the hop
/// has opened, so steady-state relaying allocates nothing (a temporary allocation of a
/// 1200-byte packet would go to the heap). It holds what an outer open yields (end-to-end
/// ciphertext and the OHB), and is zeroed before it is freed.
final class RelayScratch {
    private var storage: UnsafeMutableRawPointer?
    private var capacity = 0

    /// Calls `body` with at least `count` bytes (16-byte aligned), valid only inside `body`.
    func withBytes<R, E: Error>(_ count: Int, _ body: (UnsafeMutableRawBufferPointer) throws(E) -> R) throws(E) -> R {
        if count > capacity { grow(to: count) }
        return try body(UnsafeMutableRawBufferPointer(start: storage, count: max(count, 0)))
    }

    private func grow(to count: Int) {
        release()
        capacity = max(2048, (count + 2047) & ~2047)
        storage = UnsafeMutableRawPointer.allocate(byteCount: capacity, alignment: 16)
    }

    private func release() {
        guard let storage else { return }
        storage.initializeMemory(as: UInt8.self, repeating: 0, count: capacity)
        storage.deallocate()
        self.storage = nil
    }

    deinit { release() }
}
