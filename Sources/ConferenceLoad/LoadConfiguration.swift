// SPDX-License-Identifier: Apache-2.0
// Copyright 2026 the swift-perc authors

import PERCEndpoint

/// What a load run does: where the conference service and media distributor are, which
/// conferences of which sizes, what every participant sends, how participants arrive and
/// leave, which faults the endpoints' sockets inject, and for how long.
public struct LoadConfiguration: Sendable {
    /// N participants join at the same instant, `at` seconds into the run.
    public struct JoinStorm: Sendable, Equatable {
        public var participants: Int
        public var at: Double
        public init(participants: Int, at: Double) {
            self.participants = participants
            self.at = at
        }
    }

    /// The conference service (the KMF's HTTP address).
    public var conferenceService: HostPort
    /// The media distributor's media address.
    public var mediaDistributor: HostPort
    /// Participants of each conference at the start (one entry per conference).
    public var conferenceSizes: [Int]
    /// Length of the run from its start, in seconds (joins included).
    public var duration: Double
    /// What participants send.
    public var mix: TrafficMix
    /// When set, half of each conference's first participants leave this many seconds into the run.
    public var leaveAfter: Double?
    /// Initial participants join at this many per second (round robin over conferences); nil: all at once.
    public var rampUp: Double?
    /// On average this many participants per second (over all conferences) leave and are
    /// replaced by a new joiner in the same conference; none in the last ``churnQuietPeriod`` seconds.
    public var churn: Double
    /// Seconds at the end of a run without churn joins (nor path breaks).
    public var churnQuietPeriod: Double
    /// On average this many participants per second (over all conferences) lose their path
    /// to the MDD while it stays up (a NAT rebinding, a network change) and join again from a
    /// new socket under the same registration; none in the last ``churnQuietPeriod`` seconds.
    public var pathBreaks: Double = 0
    /// Extra participants who join at once.
    public var joinStorm: JoinStorm?
    /// Faults the endpoints inject on received media (nil: none); each endpoint's seed is derived from ``seed``.
    public var faults: DatagramFaults?
    /// NACK-driven retransmission of video (Generic NACK and RTX between the endpoints); nil: off.
    public var retransmission: RetransmissionSettings?
    /// Seed of the traffic, the mix, churn and faults.
    public var seed: UInt64
    /// Threads the endpoints share (conferences are spread over them).
    public var threads: Int
    /// Prefix of the conference names (`<prefix>-<run>-0`, ...).
    public var conferencePrefix: String
    /// Seconds at the end of each receiver's window left out of the expected count.
    public var tail: Double
    /// Every n-th packet carries a FullEKTField. The default 1 (every packet, 46 bytes more
    /// than a ShortEKTField) lets a receiver open each sender's next packet as soon as it
    /// joins; with n > 1 a joiner waits up to n - 1 packets per sender for the sender's key,
    /// and those packets count as lost.
    public var ektFullFieldInterval: Int
    /// Seconds per entry of the report's interval series.
    public var interval: Double
    /// Seconds between an endpoint's consent checks to the MDD.
    public var consentInterval: Double = 0.5
    /// Seconds without an answered consent check after which an endpoint counts its path to
    /// the MDD as lost and joins again (a restarted MDD knows no endpoint); nil: never.
    public var pathLossTimeout: Double? = 2
    /// Where the MDD's CPU time is read, when it is local.
    public var mddCPU: CPUProbe?
    /// Where the KMF's CPU time is read, when it is local.
    public var kmfCPU: CPUProbe?
    /// The MDD's own counters (embedded mode).
    public var mddCounters: (@Sendable () -> MDDCounters)?
    /// Called about twice a second during the run (from a monitor thread).
    public var progress: (@Sendable (LoadProgress) -> Void)?
    /// Ends the run early when requested (nil: the run lasts its duration).
    public var stop: StopRequest?

    /// A configuration; see the properties for each value.
    public init(conferenceService: HostPort, mediaDistributor: HostPort, conferenceSizes: [Int], duration: Double,
                mix: TrafficMix, leaveAfter: Double? = nil, rampUp: Double? = nil, churn: Double = 0,
                churnQuietPeriod: Double = 5, joinStorm: JoinStorm? = nil, faults: DatagramFaults? = nil,
                retransmission: RetransmissionSettings? = nil, seed: UInt64 = 1,
                threads: Int = 2, conferencePrefix: String = "load", tail: Double = 0.5, ektFullFieldInterval: Int = 1,
                interval: Double = 1) {
        self.conferenceService = conferenceService
        self.mediaDistributor = mediaDistributor
        self.conferenceSizes = conferenceSizes
        self.duration = duration
        self.mix = mix
        self.leaveAfter = leaveAfter
        self.rampUp = rampUp
        self.churn = churn
        self.churnQuietPeriod = churnQuietPeriod
        self.joinStorm = joinStorm
        self.faults = faults
        self.retransmission = retransmission
        self.seed = seed
        self.threads = threads
        self.conferencePrefix = conferencePrefix
        self.tail = tail
        self.ektFullFieldInterval = ektFullFieldInterval
        self.interval = interval
    }

    /// `conferences` conferences of `participants`, everyone sending Opus-like audio and/or
    /// video at `videoKbps`.
    public init(conferenceService: HostPort, mediaDistributor: HostPort, conferences: Int, participants: Int,
                duration: Double, audio: Bool = true, videoKbps: Int? = nil, leaveAfter: Double? = nil,
                threads: Int = 2, conferencePrefix: String = "load", tail: Double = 0.5, ektFullFieldInterval: Int = 1) {
        self.init(conferenceService: conferenceService, mediaDistributor: mediaDistributor,
                  conferenceSizes: Array(repeating: participants, count: conferences), duration: duration,
                  mix: TrafficMix(everyone: ParticipantTraffic(
                      name: audio && videoKbps != nil ? "av" : (audio ? "audio" : "video"),
                      audio: audio || videoKbps == nil ? AudioModel() : nil, video: videoKbps.map { VideoModel(kbps: $0) })),
                  leaveAfter: leaveAfter, threads: threads, conferencePrefix: conferencePrefix, tail: tail,
                  ektFullFieldInterval: ektFullFieldInterval)
    }

    /// Number of conferences.
    public var conferences: Int { conferenceSizes.count }
}

/// The Media Distributor's own packet counters, when the load can read them.
public struct MDDCounters: Sendable, Equatable, Codable {
    public var rtpReceived: Int
    public var rtpForwarded: Int
    public var authenticationFailures: Int

    public init(rtpReceived: Int, rtpForwarded: Int, authenticationFailures: Int) {
        self.rtpReceived = rtpReceived
        self.rtpForwarded = rtpForwarded
        self.authenticationFailures = authenticationFailures
    }

    enum CodingKeys: String, CodingKey {
        case rtpReceived = "rtp_received", rtpForwarded = "rtp_forwarded", authenticationFailures = "hbh_auth_failures"
    }
}

/// A live view of a run, for a progress line.
public struct LoadProgress: Sendable {
    /// Seconds since the start.
    public var elapsed: Double
    /// Participants whose join time has come, and those who received verified media.
    public var started: Int
    public var joined: Int
    /// Verified packets received per second in the last complete interval.
    public var receivedPerSecond: Double
    /// p99 one-way latency of the last complete interval, milliseconds.
    public var p99LatencyMs: Double
    /// Loss so far from sequence gaps (lost / expected), 0...1.
    public var loss: Double
}
