// SPDX-License-Identifier: Apache-2.0
// Copyright 2026 the swift-perc authors

import Synchronization

/// Counters of the data plane, summed over the workers.
///
/// Every datagram the workers receive ends in exactly one outcome: forwarded (an SRTP/SRTCP
/// packet counted in ``rtpReceived``/``rtcpReceived`` that passed every check), answered
/// (``stunAnswered``), tunnelled (``dtlsToKeyDistributor``), or one drop counter:
/// ``unclassified``, ``oversized``, ``malformedSTUN``, ``joinsRefused``, ``unboundSTUN``,
/// ``rateLimited``, ``unboundDTLS``, ``unknownSource``, ``ssrcConflicts``, ``authenticationFailures``.
public struct MediaDistributorStatistics: Sendable, Equatable {
    /// Datagrams received on the media port (every outcome below starts here).
    public var datagramsReceived = 0
    /// SRTP packets received.
    public var rtpReceived = 0
    /// SRTP copies resealed and queued for receivers (the kernel's refusals count in ``dropped``).
    public var rtpForwarded = 0
    /// SRTP copies a receiver's hop refused to seal: it sealed that SSRC's index already (the
    /// SSRC's packets came from a second source: another member, or one that joined again),
    /// the index was behind its window, or its key was used up. Never sent.
    public var copiesRefused = 0
    /// SRTCP packets received.
    public var rtcpReceived = 0
    /// SRTCP copies resealed and queued for receivers.
    public var rtcpForwarded = 0
    /// SRTP/SRTCP packets whose hop-by-hop tag, header or replay check failed.
    public var authenticationFailures = 0
    /// SRTP/SRTCP from an address with no binding or no keys.
    public var unknownSource = 0
    /// Packets with an SSRC another endpoint of the conference owns.
    public var ssrcConflicts = 0
    /// STUN Binding Requests answered.
    public var stunAnswered = 0
    /// DTLS datagrams passed to the tunnel.
    public var dtlsToKeyDistributor = 0
    /// Datagrams of no known class (empty, or a first byte that is not STUN, DTLS, RTP or RTCP).
    public var unclassified = 0
    /// Datagrams larger than a receive slot (the kernel truncated them): never parsed.
    public var oversized = 0
    /// STUN-class datagrams that are not a well-formed Binding Request.
    public var malformedSTUN = 0
    /// STUN joins refused because the distributor holds
    /// ``MediaDistributor/Configuration/maximumAssociations`` already (not answered).
    public var joinsRefused = 0
    /// STUN Binding Requests naming no `conference:participant` from an address that has not
    /// bound: not answered, so a consent check from an endpoint this distributor does not know
    /// (it restarted) goes unanswered and the endpoint joins again.
    public var unboundSTUN = 0
    /// STUN requests and DTLS datagrams over their source's rate
    /// (``MediaDistributor/Configuration/controlRatePerSource``).
    public var rateLimited = 0
    /// DTLS from an address that has not bound with STUN: never tunnelled.
    public var unboundDTLS = 0
    /// Copies the kernel refused to send (and STUN answers it refused).
    public var dropped = 0

    /// All counters zero.
    public init() {}

    /// The datagrams dropped on receipt, over every drop counter (``dropped`` counts sends).
    public var receiveDrops: Int {
        unclassified + oversized + malformedSTUN + joinsRefused + unboundSTUN + rateLimited + unboundDTLS
            + unknownSource + ssrcConflicts + authenticationFailures
    }

    static let fieldCount = 19

    var fields: [Int] {
        [datagramsReceived, rtpReceived, rtpForwarded, rtcpReceived, rtcpForwarded, authenticationFailures,
         unknownSource, ssrcConflicts, stunAnswered, dtlsToKeyDistributor, unclassified, oversized, malformedSTUN,
         joinsRefused, rateLimited, unboundDTLS, dropped, unboundSTUN, copiesRefused]
    }

    init(fields: [Int]) {
        (datagramsReceived, rtpReceived, rtpForwarded, rtcpReceived, rtcpForwarded, authenticationFailures,
         unknownSource, ssrcConflicts, stunAnswered, dtlsToKeyDistributor) =
            (fields[0], fields[1], fields[2], fields[3], fields[4], fields[5], fields[6], fields[7], fields[8], fields[9])
        (unclassified, oversized, malformedSTUN, joinsRefused, rateLimited, unboundDTLS, dropped, unboundSTUN) =
            (fields[10], fields[11], fields[12], fields[13], fields[14], fields[15], fields[16], fields[17])
        copiesRefused = fields[18]
    }

    /// The sum, field by field (over workers, or over runs).
    public static func + (lhs: Self, rhs: Self) -> Self {
        Self(fields: zip(lhs.fields, rhs.fields).map { $0 + $1 })
    }

    /// The difference, field by field (the counts accrued between two snapshots).
    public static func - (lhs: Self, rhs: Self) -> Self {
        Self(fields: zip(lhs.fields, rhs.fields).map { $0 - $1 })
    }
}

/// One worker's published counters: the worker stores its totals after each round, the
/// control plane reads them (one writer per worker; the lock is uncontended but for reads).
final class WorkerCounters: Sendable {
    private let published = Mutex(MediaDistributorStatistics())

    @inline(__always)
    func publish(_ statistics: MediaDistributorStatistics) {
        published.withLock { $0 = statistics }
    }

    var snapshot: MediaDistributorStatistics { published.withLock { $0 } }
}
