// SPDX-License-Identifier: Apache-2.0
// Copyright 2026 the swift-perc authors

internal import CPERCKernels

/// Per-SSRC state of one direction: the highest SRTP index and the SRTCP index state.
package struct StreamState {
    /// Highest SRTP index sent (sender) or accepted (receiver): ROC*2^16 + s_l.
    package var highestIndex: UInt64 = 0
    /// Whether an SRTP packet was sent or accepted yet (before that, the initial ROC applies).
    package var started = false
    /// Sender: the next SRTCP index to send. Receiver: the highest SRTCP index accepted.
    package var rtcpIndex: UInt64 = 0
    /// Receiver: whether an SRTCP packet was accepted yet.
    package var rtcpStarted = false

    /// A stream with nothing sent or accepted yet.
    package init() {}
}

/// The streams of one direction, keyed by SSRC: O(1) lookup, state in one contiguous slab,
/// and two replay bitmaps per stream (SRTP and SRTCP) in another.
///
/// The SSRC index is an open-addressing hash table of 8-byte entries (SSRC and slot in one
/// word; linear probing, at most half full), hashed by multiply-shift with a random odd
/// multiplier chosen per table (a universal family: which SSRCs collide cannot be predicted
/// without it). A lookup usually reads one cache line, which ``prefetch(ssrc:)`` can fetch
/// ahead of time; the state and the replay-window word of a packet are fetched ahead by
/// ``prefetchStream(ssrc:sequenceNumber:)``. With 10,000 streams the tables outgrow the
/// caches, and the batch calls use these to overlap the misses of a whole batch.
///
/// Growing the table moves the slabs: do not keep a ``ReplayWindow`` across ``insert(_:initial:)``.
package final class StreamTable {
    package let windowSize: Int
    private let wordCount: Int
    // The lookups are inlined into other modules' per-packet paths, where every read of a
    // stored `var` would otherwise make a runtime exclusivity check; a table is used by one
    // thread at a time, so they are unchecked.
    /// Entries `UInt64(ssrc) << 32 | (slot + 1)`; 0 is an empty bucket.
    @exclusivity(unchecked) private var buckets: UnsafeMutablePointer<UInt64>
    @exclusivity(unchecked) private var bucketMask: Int
    @exclusivity(unchecked) private var hashShift: UInt64
    private let multiplier: UInt64
    @exclusivity(unchecked) private var states: UnsafeMutablePointer<StreamState>
    @exclusivity(unchecked) private var bitmaps: UnsafeMutablePointer<UInt64>
    @exclusivity(unchecked) private var capacity: Int
    @exclusivity(unchecked) package private(set) var count = 0

    /// - Parameter windowSize: replay window size, 64...32768.
    package init(windowSize: Int, initialCapacity: Int = 4) {
        precondition(ReplayWindow.sizeRange.contains(windowSize), "replay window size out of range")
        self.windowSize = windowSize
        wordCount = ReplayWindow.wordCount(forSize: windowSize)
        capacity = max(initialCapacity, 1)
        states = .allocate(capacity: capacity)
        bitmaps = .allocate(capacity: capacity * 2 * wordCount)
        bitmaps.initialize(repeating: 0, count: capacity * 2 * wordCount)
        multiplier = UInt64.random(in: 0...UInt64.max) | 1
        var bucketCount = 8
        while bucketCount < 2 * capacity { bucketCount <<= 1 }
        buckets = .allocate(capacity: bucketCount)
        buckets.initialize(repeating: 0, count: bucketCount)
        bucketMask = bucketCount - 1
        hashShift = UInt64(64 - bucketCount.trailingZeroBitCount)
    }

    deinit {
        states.deinitialize(count: count)
        states.deallocate()
        bitmaps.deallocate()
        buckets.deallocate()
    }

    @inline(__always)
    private func home(_ ssrc: UInt32) -> Int { Int(truncatingIfNeeded: (UInt64(ssrc) &* multiplier) &>> hashShift) }

    /// The slot of `ssrc`, if the stream exists.
    @inline(__always)
    package func slot(for ssrc: UInt32) -> Int? {
        var b = home(ssrc)
        while true {
            let entry = buckets[b]
            if entry == 0 { return nil }
            if UInt32(truncatingIfNeeded: entry &>> 32) == ssrc { return Int(truncatingIfNeeded: entry & 0xFFFF_FFFF) - 1 }
            b = (b + 1) & bucketMask
        }
    }

    /// Starts fetching the bucket that `ssrc`'s lookup reads first (a hint; changes nothing).
    @inline(__always)
    package func prefetch(ssrc: UInt32) {
        perc_prefetch(buckets + home(ssrc))
    }

    /// Starts fetching the state of `ssrc` and its SRTP replay-window word for a packet with
    /// `sequenceNumber` (a hint; changes nothing, does nothing for an unknown SSRC).
    @inline(__always)
    package func prefetchStream(ssrc: UInt32, sequenceNumber: UInt16) {
        guard let slot = slot(for: ssrc) else { return }
        perc_prefetch(states + slot)
        // The window bit of index i is i mod (64 * wordCount) < 2^16: the sequence number's low bits.
        perc_prefetch(bitmaps + slot * 2 * wordCount + (Int(sequenceNumber) & (wordCount * 64 - 1)) / 64)
    }

    /// Adds a stream for `ssrc` with `initial` state and returns its slot.
    package func insert(_ ssrc: UInt32, initial: StreamState) -> Int {
        if let existing = slot(for: ssrc) { return existing }
        if count == capacity { grow() }
        if 2 * (count + 1) > bucketMask + 1 { rehash(bucketCount: 2 * (bucketMask + 1)) }
        let slot = count
        (states + slot).initialize(to: initial)
        (bitmaps + slot * 2 * wordCount).update(repeating: 0, count: 2 * wordCount)
        place(ssrc, slot: slot)
        count += 1
        return slot
    }

    private func place(_ ssrc: UInt32, slot: Int) {
        var b = home(ssrc)
        while buckets[b] != 0 { b = (b + 1) & bucketMask }
        buckets[b] = UInt64(ssrc) << 32 | UInt64(slot + 1)
    }

    private func rehash(bucketCount: Int) {
        let old = buckets, oldCount = bucketMask + 1
        buckets = .allocate(capacity: bucketCount)
        buckets.initialize(repeating: 0, count: bucketCount)
        bucketMask = bucketCount - 1
        hashShift = UInt64(64 - bucketCount.trailingZeroBitCount)
        for i in 0..<oldCount where old[i] != 0 {
            place(UInt32(truncatingIfNeeded: old[i] &>> 32), slot: Int(truncatingIfNeeded: old[i] & 0xFFFF_FFFF) - 1)
        }
        old.deallocate()
    }

    /// The state of the stream in `slot`.
    @inline(__always)
    package func state(_ slot: Int) -> UnsafeMutablePointer<StreamState> { states + slot }

    /// The SRTP replay window of the stream in `slot`.
    @inline(__always)
    package func rtpWindow(_ slot: Int) -> ReplayWindow {
        ReplayWindow(bits: bitmaps + slot * 2 * wordCount, size: UInt64(windowSize), wordCount: wordCount)
    }

    /// The SRTCP replay window of the stream in `slot`.
    @inline(__always)
    package func rtcpWindow(_ slot: Int) -> ReplayWindow {
        ReplayWindow(bits: bitmaps + (slot * 2 + 1) * wordCount, size: UInt64(windowSize), wordCount: wordCount)
    }

    private func grow() {
        let newCapacity = capacity * 2
        let newStates = UnsafeMutablePointer<StreamState>.allocate(capacity: newCapacity)
        newStates.moveInitialize(from: states, count: count)
        states.deallocate()
        states = newStates
        let newBitmaps = UnsafeMutablePointer<UInt64>.allocate(capacity: newCapacity * 2 * wordCount)
        newBitmaps.initialize(repeating: 0, count: newCapacity * 2 * wordCount)
        newBitmaps.update(from: bitmaps, count: capacity * 2 * wordCount)
        bitmaps.deallocate()
        bitmaps = newBitmaps
        capacity = newCapacity
    }
}
