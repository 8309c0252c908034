// SPDX-License-Identifier: Apache-2.0
// Copyright 2026 the swift-perc authors

/// What one ``ConferenceEndpoint`` counted.
public struct EndpointStatistics: Sendable, Equatable {
    /// Media packets handed to the socket.
    public var packetsSent = 0
    /// Media packets that could not be sent (socket buffer full or closed).
    public var sendFailures = 0
    /// Media packets that opened under both layers and whose payload verified.
    public var packetsReceived = 0
    /// Packets whose inner (end-to-end) tag failed after the outer layer opened.
    public var e2eAuthenticationFailures = 0
    /// Packets whose outer (hop-by-hop) tag failed.
    public var hbhAuthenticationFailures = 0
    /// Packets refused as replays or too old (either layer).
    public var replayed = 0
    /// Packets refused for any other reason (malformed, a bad EKT field, no key).
    public var otherErrors = 0
    /// Packets under an EKTKey this endpoint does not hold: sent before it joined a conference
    /// that rekeys on join (keeping newcomers out of the old key is the point of that), or
    /// before a new EKTKey reached it.
    public var unknownEKTKey = 0
    /// Packets that opened but whose payload was not what the sender sent.
    public var contentMismatches = 0
    /// Media that arrived before the endpoint had keys.
    public var unkeyedDrops = 0
    /// EKTKeys received from the Key Distributor (the first one and every rekey).
    public var ektKeysReceived = 0
    /// Times the endpoint moved to a fresh end-to-end key (one per EKTKey after the first).
    public var endToEndRekeys = 0
    /// Times the media path was lost and the endpoint joined again (``ConferenceEndpoint/outages``).
    public var rejoins = 0

    /// Empty counters.
    public init() {}

    /// EKTKeys received after the first: rekeys of the conference this endpoint saw.
    public var rekeysSeen: Int { max(ektKeysReceived - 1, 0) }
}
