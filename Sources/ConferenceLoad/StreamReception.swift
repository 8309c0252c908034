// SPDX-License-Identifier: Apache-2.0
// Copyright 2026 the swift-perc authors

/// What one receiver saw of one sender's stream, the way RFC 3550 (A.3, A.8) counts it:
/// packets received, extended highest sequence, loss (expected minus received, where
/// expected spans the first to the highest sequence seen), packets that arrived after a
/// higher one (reordered), payload-level duplicates (a sequence seen again within the last
/// 1024), and interarrival jitter (J += (|D| - J) / 16 over send and arrival times).
/// Packets recovered by retransmission count as received (``recordRecovered(sequence:)``),
/// so ``lost`` is the loss left after repair.
public struct StreamReception: Sendable, Equatable {
    public private(set) var received = 0
    public private(set) var reordered = 0
    public private(set) var duplicates = 0
    /// Packets a retransmission recovered (counted in ``received`` too).
    public private(set) var recovered = 0
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
        let transit = Int64(bitPattern: arrival &- sendTime)
        switch place(sequence) {
        case .first:
            received = 1
            lastTransit = transit
            return
        case .duplicate:
            duplicates += 1
            return
        case .tooOld:
            reordered += 1   // too old to tell; count it
            received += 1
            return
        case .behind:
            reordered += 1
        case .ahead:
            break
        }
        received += 1
        if let lastTransit {
            let d = Double(abs(transit - lastTransit))
            jitter += (d - jitter) / 16
        }
        lastTransit = transit
    }

    /// Counts one packet that a retransmission recovered: it is received (so ``lost`` is the
    /// loss left after repair) and counted in ``recovered``, but neither reordered nor a
    /// jitter sample (its transit includes the repair).
    public mutating func recordRecovered(sequence: UInt32) {
        switch place(sequence) {
        case .duplicate:
            duplicates += 1
        case .first, .ahead, .behind, .tooOld:
            received += 1
            recovered += 1
        }
    }

    private enum Placement { case first, ahead, behind, duplicate, tooOld }

    /// Moves the window for `sequence` and marks it seen; says where it fell (counts nothing).
    private mutating func place(_ sequence: UInt32) -> Placement {
        guard let start = first else {
            first = sequence
            highest = sequence
            let (word, mask) = bit(sequence)
            seen[word] |= mask
            return .first
        }
        let ahead = Int64(Int32(bitPattern: sequence &- highest))
        var placement = Placement.ahead
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
            if -ahead >= 1024 { return .tooOld }
            let (word, mask) = bit(sequence)
            if seen[word] & mask != 0 { return .duplicate }
            placement = .behind
            if Int32(bitPattern: sequence &- start) < 0 { first = sequence }
        }
        let (word, mask) = bit(sequence)
        seen[word] |= mask
        return placement
    }
}
