// SPDX-License-Identifier: Apache-2.0
// Copyright 2026 the swift-perc authors

/// NACK-driven retransmission of video (RFC 4585 Generic NACK, RFC 4588 RTX) for a
/// ``ConferenceEndpoint``: as a receiver it asks for the video packets it misses, as a
/// sender it answers requests for its own video from a ``SendHistory``.
public struct RetransmissionSettings: Sendable, Equatable {
    /// Time between two requests for a packet still missing; a sender retransmits one packet
    /// at most once per half of it, however many receivers ask.
    public var nackInterval: Duration
    /// Requests after the first for a packet that stays missing.
    public var retries: Int
    /// Packets per video stream a sender can retransmit (rounded up to a power of two).
    public var historySize: Int
    /// RTX packets per second a sender sends at most, over all its streams (bursts of a fifth
    /// of it): whatever the feedback asks, retransmission stays bounded.
    public var maximumRate: Int

    /// Settings; see the properties.
    public init(nackInterval: Duration = .milliseconds(20), retries: Int = 2, historySize: Int = 512,
                maximumRate: Int = 1000) {
        self.nackInterval = nackInterval
        self.retries = retries
        self.historySize = historySize
        self.maximumRate = maximumRate
    }

    /// ``nackInterval`` in nanoseconds (at least 1 ms).
    var intervalNanoseconds: UInt64 {
        let components = nackInterval.components
        let nanoseconds = Int64(components.seconds) * 1_000_000_000 + components.attoseconds / 1_000_000_000
        return UInt64(max(nanoseconds, 1_000_000))
    }
}
