// SPDX-License-Identifier: Apache-2.0
// Copyright 2026 the swift-perc authors

import Synchronization

/// Counters of the data plane, summed over the workers.
public struct MediaDistributorStatistics: Sendable, Equatable {
    /// SRTP packets received.
    public var rtpReceived = 0
    /// SRTP copies resealed and queued for receivers (the kernel's refusals count in ``dropped``).
    public var rtpForwarded = 0
    /// SRTCP packets received.
    public var rtcpReceived = 0
    /// SRTCP copies resealed and queued for receivers.
    public var rtcpForwarded = 0
    /// Packets whose hop-by-hop tag (or header, or replay check) failed.
    public var authenticationFailures = 0
    /// SRTP/SRTCP from an address with no binding or no keys.
    public var unknownSource = 0
    /// Packets with an SSRC another endpoint of the conference owns.
    public var ssrcConflicts = 0
    /// STUN Binding Requests answered.
    public var stunAnswered = 0
    /// DTLS datagrams passed to the tunnel.
    public var dtlsToKeyDistributor = 0
    /// Anything else dropped (unknown first byte, malformed STUN, send failures).
    public var dropped = 0

    /// All counters zero.
    public init() {}

    static let fieldCount = 10

    var fields: [Int] {
        [rtpReceived, rtpForwarded, rtcpReceived, rtcpForwarded, authenticationFailures, unknownSource,
         ssrcConflicts, stunAnswered, dtlsToKeyDistributor, dropped]
    }

    init(fields: [Int]) {
        (rtpReceived, rtpForwarded, rtcpReceived, rtcpForwarded, authenticationFailures, unknownSource,
         ssrcConflicts, stunAnswered, dtlsToKeyDistributor, dropped) =
            (fields[0], fields[1], fields[2], fields[3], fields[4], fields[5], fields[6], fields[7], fields[8], fields[9])
    }

    static func + (lhs: Self, rhs: Self) -> Self {
        Self(fields: zip(lhs.fields, rhs.fields).map { $0 + $1 })
    }
}

/// One worker's published counters: the worker stores its totals after each round, the
/// control plane reads them (no contention: one writer per worker).
final class WorkerCounters: Sendable {
    private let rtpReceived = Atomic<Int>(0)
    private let rtpForwarded = Atomic<Int>(0)
    private let rtcpReceived = Atomic<Int>(0)
    private let rtcpForwarded = Atomic<Int>(0)
    private let authenticationFailures = Atomic<Int>(0)
    private let unknownSource = Atomic<Int>(0)
    private let ssrcConflicts = Atomic<Int>(0)
    private let stunAnswered = Atomic<Int>(0)
    private let dtlsToKeyDistributor = Atomic<Int>(0)
    private let dropped = Atomic<Int>(0)

    @inline(__always)
    func publish(_ statistics: MediaDistributorStatistics) {
        rtpReceived.store(statistics.rtpReceived, ordering: .relaxed)
        rtpForwarded.store(statistics.rtpForwarded, ordering: .relaxed)
        rtcpReceived.store(statistics.rtcpReceived, ordering: .relaxed)
        rtcpForwarded.store(statistics.rtcpForwarded, ordering: .relaxed)
        authenticationFailures.store(statistics.authenticationFailures, ordering: .relaxed)
        unknownSource.store(statistics.unknownSource, ordering: .relaxed)
        ssrcConflicts.store(statistics.ssrcConflicts, ordering: .relaxed)
        stunAnswered.store(statistics.stunAnswered, ordering: .relaxed)
        dtlsToKeyDistributor.store(statistics.dtlsToKeyDistributor, ordering: .relaxed)
        dropped.store(statistics.dropped, ordering: .relaxed)
    }

    var snapshot: MediaDistributorStatistics {
        var statistics = MediaDistributorStatistics()
        statistics.rtpReceived = rtpReceived.load(ordering: .relaxed)
        statistics.rtpForwarded = rtpForwarded.load(ordering: .relaxed)
        statistics.rtcpReceived = rtcpReceived.load(ordering: .relaxed)
        statistics.rtcpForwarded = rtcpForwarded.load(ordering: .relaxed)
        statistics.authenticationFailures = authenticationFailures.load(ordering: .relaxed)
        statistics.unknownSource = unknownSource.load(ordering: .relaxed)
        statistics.ssrcConflicts = ssrcConflicts.load(ordering: .relaxed)
        statistics.stunAnswered = stunAnswered.load(ordering: .relaxed)
        statistics.dtlsToKeyDistributor = dtlsToKeyDistributor.load(ordering: .relaxed)
        statistics.dropped = dropped.load(ordering: .relaxed)
        return statistics
    }
}
