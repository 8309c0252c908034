// SPDX-License-Identifier: Apache-2.0
// Copyright 2026 the swift-perc authors

/// The sender half of NACK-driven repair: what one stream sent lately, so a NACKed packet
/// can be sent again. A ring of ``capacity`` entries indexed by RTP sequence number: a packet
/// stays answerable until ``capacity`` later packets replace it.
///
/// No packet bytes are kept: a ``MediaPayload`` is a function of its fields (sender, stream,
/// sequence, send time, length), so an entry holds those and the RTP marker, and the
/// retransmission rebuilds the very payload that was sent.
public struct SendHistory: Sendable {
    /// One packet sent.
    public struct Entry: Sendable, Equatable {
        /// Its RTP sequence number.
        public var rtpSequence: UInt16
        /// Its ``MediaPayload/sequence``.
        public var payloadSequence: UInt32
        /// Its ``MediaPayload/length``.
        public var length: Int
        /// Its ``MediaPayload/sendTime`` (from which its RTP timestamp follows).
        public var sendTime: UInt64
        /// Its RTP marker bit.
        public var marker: Bool

        /// An entry; see the properties.
        public init(rtpSequence: UInt16, payloadSequence: UInt32, length: Int, sendTime: UInt64, marker: Bool) {
            self.rtpSequence = rtpSequence
            self.payloadSequence = payloadSequence
            self.length = length
            self.sendTime = sendTime
            self.marker = marker
        }
    }

    /// Entries kept (a power of two).
    public let capacity: Int
    private var entries: [Entry?]
    private var lastRetransmission: [UInt64]

    /// A history of `capacity` packets, rounded up to a power of two (16...32768).
    public init(capacity: Int = 512) {
        var size = 16
        while size < min(capacity, 32768) { size <<= 1 }
        self.capacity = size
        entries = Array(repeating: nil, count: size)
        lastRetransmission = Array(repeating: 0, count: size)
    }

    @inline(__always)
    private func index(_ sequence: UInt16) -> Int { Int(sequence) & (capacity - 1) }

    /// Remembers a packet sent (replacing the one `capacity` sequences before it).
    public mutating func record(_ entry: Entry) {
        let index = index(entry.rtpSequence)
        entries[index] = entry
        lastRetransmission[index] = 0
    }

    /// The packet sent with RTP sequence `sequence`, while it is held.
    public func entry(for sequence: UInt16) -> Entry? {
        guard let entry = entries[index(sequence)], entry.rtpSequence == sequence else { return nil }
        return entry
    }

    /// The packet to retransmit for a request of `sequence` at `now`: nil when it is not held,
    /// or when it was already retransmitted less than `spacing` nanoseconds ago (one
    /// retransmission answers every request in that time). Counts the retransmission.
    public mutating func retransmission(of sequence: UInt16, now: UInt64, spacing: UInt64) -> Entry? {
        guard let entry = entry(for: sequence) else { return nil }
        let index = index(sequence)
        if lastRetransmission[index] != 0, now &- lastRetransmission[index] < spacing { return nil }
        lastRetransmission[index] = max(now, 1)
        return entry
    }
}
