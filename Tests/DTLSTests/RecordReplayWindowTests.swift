// SPDX-License-Identifier: Apache-2.0
// Copyright 2026 the swift-perc authors

@testable import DTLS
import Testing

/// The 64-record anti-replay window (RFC 6347 4.1.2.6).
@Suite struct RecordReplayWindowTests {
    @Test func acceptsNewRejectsSeenAndTooOld() {
        var window = RecordReplayWindow()
        #expect(window.isFresh(0))
        window.record(100)
        #expect(!window.isFresh(100))
        #expect(window.isFresh(99) && window.isFresh(37) && window.isFresh(101))
        #expect(!window.isFresh(36))  // 64 behind the highest: outside the window
        window.record(99)
        #expect(!window.isFresh(99))
        window.record(200)  // jumps far ahead: the old bits fall out
        #expect(!window.isFresh(100) && !window.isFresh(136))
        #expect(window.isFresh(137) && window.isFresh(199))
        window.record(150)
        #expect(!window.isFresh(150) && window.isFresh(151))
    }

    @Test func outOfOrderWithinTheWindow() {
        var window = RecordReplayWindow()
        for sequence in [5, 3, 9, 4, 8, 6, 7] as [UInt64] {
            #expect(window.isFresh(sequence))
            window.record(sequence)
        }
        for sequence in 3...9 as ClosedRange<UInt64> { #expect(!window.isFresh(sequence)) }
        #expect(window.isFresh(2) && window.isFresh(10))
    }
}
