// SPDX-License-Identifier: Apache-2.0
// Copyright 2026 the swift-perc authors

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
/// Growing the table moves the slabs: do not keep a ``ReplayWindow`` across ``insert(_:initial:)``.
package final class StreamTable {
    package let windowSize: Int
    private let wordCount: Int
    private var slotBySSRC: [UInt32: Int] = [:]
    private var states: UnsafeMutablePointer<StreamState>
    private var bitmaps: UnsafeMutablePointer<UInt64>
    private var capacity: Int
    package private(set) var count = 0

    /// - Parameter windowSize: replay window size, 64...32768.
    package init(windowSize: Int, initialCapacity: Int = 4) {
        precondition(ReplayWindow.sizeRange.contains(windowSize), "replay window size out of range")
        self.windowSize = windowSize
        wordCount = ReplayWindow.wordCount(forSize: windowSize)
        capacity = max(initialCapacity, 1)
        states = .allocate(capacity: capacity)
        bitmaps = .allocate(capacity: capacity * 2 * wordCount)
        bitmaps.initialize(repeating: 0, count: capacity * 2 * wordCount)
    }

    deinit {
        states.deinitialize(count: count)
        states.deallocate()
        bitmaps.deallocate()
    }

    /// The slot of `ssrc`, if the stream exists.
    @inline(__always)
    package func slot(for ssrc: UInt32) -> Int? { slotBySSRC[ssrc] }

    /// Adds a stream for `ssrc` with `initial` state and returns its slot.
    package func insert(_ ssrc: UInt32, initial: StreamState) -> Int {
        if let existing = slotBySSRC[ssrc] { return existing }
        if count == capacity { grow() }
        let slot = count
        (states + slot).initialize(to: initial)
        (bitmaps + slot * 2 * wordCount).update(repeating: 0, count: 2 * wordCount)
        slotBySSRC[ssrc] = slot
        count += 1
        return slot
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
