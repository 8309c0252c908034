// SPDX-License-Identifier: Apache-2.0
// Copyright 2026 the swift-perc authors

/// What one endpoint's NACK/RTX loop (``RetransmissionSettings``) counted.
public struct RetransmissionStatistics: Sendable, Equatable {
    /// Generic NACK messages sent (one per media SSRC and request round).
    public var nacksSent = 0
    /// Sequence numbers asked for in them (first requests and retries).
    public var retransmissionsRequested = 0
    /// Missing packets given up on (retries used up, or too old).
    public var abandoned = 0
    /// Generic NACKs received for this endpoint's own streams (NACKs for others' are ignored).
    public var nacksReceived = 0
    /// RTX packets sent in answer.
    public var rtxSent = 0
    /// Requested packets no longer in the send history.
    public var notInHistory = 0
    /// Requests not answered because the packet had just been retransmitted.
    public var suppressed = 0
    /// Requests not answered because the sender was at ``RetransmissionSettings/maximumRate``.
    public var rateLimited = 0
    /// RTX packets that filled a hole (handed to ``ConferenceEndpoint/onMedia`` as retransmissions).
    public var recovered = 0
    /// RTX packets whose original had arrived, or that were for others' holes: dropped, not
    /// counted as duplicates or media.
    public var notNeeded = 0
    /// Feedback that opened but was not well-formed RTCP or Generic NACK.
    public var malformedFeedback = 0

    /// Zero counts.
    public init() {}
}
