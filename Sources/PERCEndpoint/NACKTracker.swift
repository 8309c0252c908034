// SPDX-License-Identifier: Apache-2.0
// Copyright 2026 the swift-perc authors

/// The receiver half of NACK-driven repair: per received stream (SSRC), which RTP sequence
/// numbers are missing, and when to ask for them again.
///
/// A packet more than one ahead of the highest sequence seen (16-bit, with wrap) marks the
/// ones in between missing (gaps of at most ``maximumGap``; a longer jump is taken as a
/// restart and marks nothing). ``due(now:)`` names each missing sequence once at once, then
/// again every `interval` while it is still missing, `retries` times more; after that, or
/// once the sequence falls out of the last ``window`` sequences, it is abandoned.
///
/// All state is bounded: a ring of ``window`` slots per stream and at most
/// ``maximumStreams`` streams (further SSRCs are not tracked). Times are nanoseconds on any
/// monotonic clock.
public struct NACKTracker: Sendable {
    /// What an arriving packet was, for the tracker.
    public enum Arrival: Sendable, Equatable {
        /// Ahead of every sequence seen so far (or the stream's first packet).
        case new
        /// A sequence marked missing (or abandoned): this packet fills the hole.
        case filled
        /// A sequence already received (or from before tracking started): not needed.
        case known
        /// Older than the window: the tracker cannot tell.
        case tooOld
        /// A stream beyond ``maximumStreams``: not tracked.
        case untracked
    }

    /// Sequences remembered per stream (a power of two).
    public static let window = 256
    /// The longest gap whose sequences are marked missing.
    public static let maximumGap = 128
    /// Streams tracked at most.
    public static let maximumStreams = 256

    private enum State: UInt8, Sendable { case received, missing, abandoned }

    private struct Slot: Sendable {
        var sequence: UInt16 = 0
        var state = State.received
        var requests: UInt8 = 0
        var lastRequest: UInt64 = 0
    }

    private struct Stream: Sendable {
        var highest: UInt16
        var slots = [Slot](repeating: Slot(), count: NACKTracker.window)
        var missing = 0
    }

    /// Time between two requests for the same sequence, nanoseconds.
    public let interval: UInt64
    /// Requests after the first for a sequence that stays missing.
    public let retries: Int
    /// Sequence requests named by ``due(now:)`` so far (first requests and retries).
    public private(set) var requested = 0
    /// Missing sequences given up on (retries used up, or out of the window).
    public private(set) var abandoned = 0
    private var streams: [UInt32: Stream] = [:]

    /// A tracker asking again every `interval` nanoseconds, `retries` times after the first request.
    public init(interval: UInt64, retries: Int) {
        self.interval = interval
        self.retries = max(retries, 0)
    }

    /// Sequences of all streams currently missing.
    public var missing: Int { streams.values.reduce(0) { $0 + $1.missing } }

    @inline(__always)
    private static func index(_ sequence: UInt16) -> Int { Int(sequence) & (window - 1) }

    /// Records a packet of `ssrc` with RTP sequence `sequence` arriving at `now`.
    public mutating func received(ssrc: UInt32, sequence: UInt16, now: UInt64) -> Arrival {
        guard var stream = streams[ssrc] else {
            guard streams.count < Self.maximumStreams else { return .untracked }
            var stream = Stream(highest: sequence)
            stream.slots[Self.index(sequence)].sequence = sequence
            streams[ssrc] = stream
            return .new
        }
        defer { streams[ssrc] = stream }
        let ahead = Int(Int16(bitPattern: sequence &- stream.highest))
        if ahead > 0 {
            if ahead - 1 <= Self.maximumGap {
                var position = stream.highest &+ 1
                while position != sequence {
                    overwrite(&stream, with: Slot(sequence: position, state: .missing))
                    position &+= 1
                }
            }
            overwrite(&stream, with: Slot(sequence: sequence, state: .received))
            stream.highest = sequence
            return .new
        }
        guard -ahead < Self.window else { return .tooOld }
        let index = Self.index(sequence)
        guard stream.slots[index].sequence == sequence else { return .known }
        switch stream.slots[index].state {
        case .received:
            return .known
        case .missing:
            stream.missing -= 1
        case .abandoned:
            break
        }
        stream.slots[index].state = .received
        return .filled
    }

    /// Puts `slot` in its place, abandoning a missing sequence it replaces.
    private mutating func overwrite(_ stream: inout Stream, with slot: Slot) {
        let index = Self.index(slot.sequence)
        if stream.slots[index].state == .missing {
            stream.missing -= 1
            abandoned += 1
        }
        stream.slots[index] = slot
        if slot.state == .missing { stream.missing += 1 }
    }

    /// The sequences to ask for now, per SSRC (oldest first), and counts them as asked;
    /// abandons those whose retries are used up.
    public mutating func due(now: UInt64) -> [(ssrc: UInt32, sequences: [UInt16])] {
        var out: [(ssrc: UInt32, sequences: [UInt16])] = []
        for ssrc in streams.keys.sorted() {
            guard var stream = streams[ssrc], stream.missing > 0 else { continue }
            var sequences: [UInt16] = []
            for back in stride(from: Self.window - 1, through: 1, by: -1) {
                let sequence = stream.highest &- UInt16(back)
                let index = Self.index(sequence)
                guard stream.slots[index].sequence == sequence, stream.slots[index].state == .missing else { continue }
                let slot = stream.slots[index]
                if slot.requests > 0 && now &- slot.lastRequest < interval { continue }
                if Int(slot.requests) > retries {
                    stream.slots[index].state = .abandoned
                    stream.missing -= 1
                    abandoned += 1
                    continue
                }
                stream.slots[index].requests += 1
                stream.slots[index].lastRequest = now
                sequences.append(sequence)
            }
            streams[ssrc] = stream
            requested += sequences.count
            if !sequences.isEmpty { out.append((ssrc, sequences)) }
        }
        return out
    }
}
