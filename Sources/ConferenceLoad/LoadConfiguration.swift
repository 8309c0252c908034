// SPDX-License-Identifier: Apache-2.0
// Copyright 2026 the swift-perc authors

import PERCEndpoint

/// What a load run does: where the conference service and media distributor are, how many
/// conferences of how many participants, what they send and for how long.
public struct LoadConfiguration: Sendable {
    /// The conference service (the KMF's HTTP address).
    public var conferenceService: HostPort
    /// The media distributor's media address.
    public var mediaDistributor: HostPort
    /// Number of conferences.
    public var conferences: Int
    /// Participants per conference.
    public var participants: Int
    /// Length of the run from its start, in seconds (joins included).
    public var duration: Double
    /// Send audio: 50 packets/s of about 160 bytes.
    public var audio: Bool
    /// Send video at this bitrate (kbit/s), 30 frames/s, packets of at most 1200 bytes; nil: none.
    public var videoKbps: Int?
    /// When set, half of each conference's participants leave this many seconds into the run.
    public var leaveAfter: Double?
    /// Threads the endpoints share (conferences are spread over them).
    public var threads: Int
    /// Prefix of the conference names (`<prefix>-0`, `<prefix>-1`, ...).
    public var conferencePrefix: String
    /// Seconds at the end of each receiver's window left out of the expected count.
    public var tail: Double
    /// Every n-th packet carries a FullEKTField. The default 1 (every packet, 46 bytes more
    /// than a ShortEKTField) lets a receiver open each sender's next packet as soon as it
    /// joins; with n > 1 a joiner waits up to n - 1 packets per sender for the sender's key,
    /// and those packets count as lost.
    public var ektFullFieldInterval: Int

    /// A configuration; see the properties for each value.
    public init(conferenceService: HostPort, mediaDistributor: HostPort, conferences: Int, participants: Int,
                duration: Double, audio: Bool = true, videoKbps: Int? = nil, leaveAfter: Double? = nil,
                threads: Int = 2, conferencePrefix: String = "load", tail: Double = 0.5, ektFullFieldInterval: Int = 1) {
        self.conferenceService = conferenceService
        self.mediaDistributor = mediaDistributor
        self.conferences = conferences
        self.participants = participants
        self.duration = duration
        self.audio = audio
        self.videoKbps = videoKbps
        self.leaveAfter = leaveAfter
        self.threads = threads
        self.conferencePrefix = conferencePrefix
        self.tail = tail
        self.ektFullFieldInterval = ektFullFieldInterval
    }

    /// The streams every participant sends.
    public var streams: [TrafficModel] {
        var streams: [TrafficModel] = []
        if audio { streams.append(.audio) }
        if let videoKbps, videoKbps > 0 { streams.append(.video(kbps: videoKbps)) }
        return streams
    }
}
