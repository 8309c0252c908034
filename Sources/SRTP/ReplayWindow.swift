// SPDX-License-Identifier: Apache-2.0
// Copyright 2026 the swift-perc authors

/// The outcome of a replay check.
package enum ReplayCheck {
    case fresh
    case replayed
    case tooOld
}

/// A sliding replay window (RFC 3711 3.3.2) over packet indices, as a view over a bitmap
/// owned by the stream table.
///
/// With H the highest accepted index and N the window size, index i is accepted iff i > H,
/// or H - i < N and i was not accepted before. The bitmap is a ring of `wordCount * 64`
/// bits (a power of two, at least N), indexed by i mod its size.
package struct ReplayWindow {
    /// Smallest and largest window sizes the library accepts.
    package static let sizeRange = 64...32768

    package let bits: UnsafeMutablePointer<UInt64>
    package let size: UInt64
    package let wordCount: Int

    /// Words of bitmap a window of `size` needs.
    package static func wordCount(forSize size: Int) -> Int {
        var bitCount = 64
        while bitCount < size { bitCount <<= 1 }
        return bitCount / 64
    }

    @inline(__always)
    private var mask: UInt64 { UInt64(wordCount * 64 - 1) }

    /// Checks `index` against the window whose highest accepted index is `highest`.
    @inline(__always)
    package func check(_ index: UInt64, highest: UInt64) -> ReplayCheck {
        if index > highest { return .fresh }
        if highest - index >= size { return .tooOld }
        let bit = index & mask
        return bits[Int(bit >> 6)] & (1 << (bit & 63)) != 0 ? .replayed : .fresh
    }

    /// Marks `index` accepted, sliding the window forward when it is ahead; returns the new
    /// highest index. Call only after the packet authenticated and ``check(_:highest:)`` said fresh.
    @inline(__always)
    package func accept(_ index: UInt64, highest: UInt64) -> UInt64 {
        if index > highest {
            let advance = index - highest
            if advance > mask {
                bits.update(repeating: 0, count: wordCount)
            } else {
                var i = highest &+ 1
                while i < index {
                    clear(i)
                    i &+= 1
                }
            }
            mark(index)
            return index
        }
        mark(index)
        return highest
    }

    /// Starts a fresh window whose only accepted index is `index`.
    package func reset(to index: UInt64) {
        bits.update(repeating: 0, count: wordCount)
        mark(index)
    }

    @inline(__always)
    private func mark(_ index: UInt64) {
        let bit = index & mask
        bits[Int(bit >> 6)] |= 1 << (bit & 63)
    }

    @inline(__always)
    private func clear(_ index: UInt64) {
        let bit = index & mask
        bits[Int(bit >> 6)] &= ~(1 << (bit & 63))
    }
}
