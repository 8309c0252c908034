// SPDX-License-Identifier: Apache-2.0
// Copyright 2026 the swift-perc authors

/// What one receiver saw of one sender's stream, the way RFC 3550 (A.3, A.8) counts it:
/// packets received, extended highest sequence, loss (expected minus received, where
/// expected spans the first to the highest sequence seen), packets that arrived after a
/// higher one (reordered), payload-level duplicates (a sequence seen again within the last
/// 1024), and interarrival jitter (J += (|D| - J) / 16 over send and arrival times).
public struct StreamReception: Sendable, Equatable {
    public private(set) var received = 0
    public private(set) var reordered = 0
    public private(set) var duplicates = 0
    /// Interarrival jitter in nanoseconds.
    public private(set) var jitter: Double = 0
    private var first: UInt32?
    private var highest: UInt32 = 0
    private var lastTransit: Int64?
    private var seen = [UInt64](repeating: 0, count: 16)

    public init() {}

    /// Packets expected from the first to the highest sequence seen.
    public var expected: Int { first.map { Int(highest &- $0) + 1 } ?? 0 }
    /// Expected minus received (never negative).
    public var lost: Int { max(expected - received, 0) }

    private func bit(_ sequence: UInt32) -> (word: Int, mask: UInt64) {
        (Int(sequence >> 6) & 15, UInt64(1) << UInt64(sequence & 63))
    }

    /// Counts one packet: its sequence in the stream, send and arrival times (nanoseconds).
    public mutating func record(sequence: UInt32, sendTime: UInt64, arrival: UInt64) {
        guard let start = first else {
            first = sequence
            highest = sequence
            let (word, mask) = bit(sequence)
            seen[word] |= mask
            received = 1
            lastTransit = Int64(bitPattern: arrival &- sendTime)
            return
        }
        let ahead = Int64(Int32(bitPattern: sequence &- highest))
        if ahead > 0 {
            // Clear the positions the window moves over, then mark this one.
            if ahead >= 1024 {
                seen = [UInt64](repeating: 0, count: 16)
            } else {
                var position = highest &+ 1
                while position != sequence {
                    let (word, mask) = bit(position)
                    seen[word] &= ~mask
                    position &+= 1
                }
            }
            highest = sequence
        } else {
            if -ahead >= 1024 { reordered += 1; received += 1; return }   // too old to tell; count it
            let (word, mask) = bit(sequence)
            if seen[word] & mask != 0 {
                duplicates += 1
                return
            }
            reordered += 1
            if Int32(bitPattern: sequence &- start) < 0 { first = sequence }
        }
        let (word, mask) = bit(sequence)
        seen[word] |= mask
        received += 1
        let transit = Int64(bitPattern: arrival &- sendTime)
        if let lastTransit {
            let d = Double(abs(transit - lastTransit))
            jitter += (d - jitter) / 16
        }
        lastTransit = transit
    }
}
