// SPDX-License-Identifier: Apache-2.0
// Copyright 2026 the swift-perc authors

/// The 64-record anti-replay window of one epoch (RFC 6347 4.1.2.6).
struct RecordReplayWindow {
    private var highest: UInt64 = 0
    private var mask: UInt64 = 0
    private var seenAny = false

    /// Whether `sequence` is new (not seen and not too old). Does not record it.
    func isFresh(_ sequence: UInt64) -> Bool {
        guard seenAny else { return true }
        if sequence > highest { return true }
        let offset = highest - sequence
        guard offset < 64 else { return false }
        return mask & (1 << offset) == 0
    }

    /// Records `sequence` as seen; call only after the record authenticated.
    mutating func record(_ sequence: UInt64) {
        guard seenAny else {
            seenAny = true
            highest = sequence
            mask = 1
            return
        }
        if sequence > highest {
            let shift = sequence - highest
            mask = shift >= 64 ? 1 : (mask << shift) | 1
            highest = sequence
        } else {
            let offset = highest - sequence
            if offset < 64 { mask |= 1 << offset }
        }
    }
}
