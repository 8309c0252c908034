// SPDX-License-Identifier: Apache-2.0
// Copyright 2026 the swift-perc authors

import TestSupport

/// One packet on its way: the plaintext and both protected forms.
struct Delivery {
    let plain: [UInt8]
    let ours: [UInt8]
    let theirs: [UInt8]
}

/// Holds up to 16 packets and releases them in random order: reordering well inside every
/// replay window in play (libsrtp's SRTCP window is 128).
struct ReorderQueue {
    private var held: [Delivery] = []
    private var target = 1

    mutating func push(_ delivery: Delivery) {
        held.append(delivery)
    }

    mutating func pop(using rng: inout SeededGenerator) -> Delivery? {
        guard held.count >= target else { return nil }
        target = Int.random(in: 1...16, using: &rng)
        return held.remove(at: Int.random(in: 0..<held.count, using: &rng))
    }

    mutating func drain() -> Delivery? { held.isEmpty ? nil : held.removeFirst() }
}
