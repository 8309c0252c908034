// SPDX-License-Identifier: Apache-2.0
// Copyright 2026 the swift-perc authors

import Foundation

/// The outcome of a load run, as written by `perc-load --json`.
///
/// `packets_expected` counts, for every receiver, the packets the other participants of its
/// conference sent while both were joined: a participant has joined at its first verified
/// media packet (the end of its join time), and the window ends when the receiver leaves or
/// the run ends, leaving out the last ``LoadConfiguration/tail`` seconds. `packets_received`
/// counts the verified packets among those, and `lost` their difference.
/// `packets_received_total` counts every verified packet. `participants` counts every
/// participant whose join time came, `joined` those that received verified media.
public struct LoadReport: Codable, Sendable, Equatable {
    /// Percentiles of durations in milliseconds, from an HdrHistogram (0.1% precision).
    public struct Percentiles: Codable, Sendable, Equatable {
        public var p50: Double = 0
        public var p90: Double = 0
        public var p99: Double = 0
        public var p999: Double = 0
        public var max: Double = 0
        public var mean: Double = 0
        public var count: Int = 0

        public init(p50: Double = 0, p90: Double = 0, p99: Double = 0, p999: Double = 0, max: Double = 0, mean: Double = 0,
                    count: Int = 0) {
            (self.p50, self.p90, self.p99, self.p999, self.max, self.mean, self.count) = (p50, p90, p99, p999, max, mean, count)
        }

        /// The percentiles of `nanoseconds`.
        public init(nanoseconds: [UInt64]) {
            var histogram = LatencyHistogram()
            for value in nanoseconds { histogram.record(nanoseconds: value) }
            self = histogram.summary
        }
    }

    /// RFC 3550 interarrival jitter over the received streams, milliseconds.
    public struct Jitter: Codable, Sendable, Equatable {
        public var mean: Double
        public var max: Double
    }

    /// What the endpoints' fault injection did.
    public struct Injected: Codable, Sendable, Equatable {
        public var dropped: Int
        public var duplicated: Int
        public var reordered: Int
    }

    /// CPU seconds used during the run, when readable (`source` says how).
    public struct CPU: Codable, Sendable, Equatable {
        public var mddSeconds: Double?
        public var kmfSeconds: Double?
        public var loadSeconds: Double
        /// Cores the MDD kept busy on average (CPU seconds / wall seconds).
        public var mddCores: Double?
        public var source: String

        enum CodingKeys: String, CodingKey {
            case mddSeconds = "mdd_s", kmfSeconds = "kmf_s", loadSeconds = "load_s", mddCores = "mdd_cores", source
        }
    }

    /// Packet rates: what the endpoints sent (= into the MDD) and received (= out of it),
    /// per second of the run, and per MDD core when its CPU time is known.
    public struct Throughput: Codable, Sendable, Equatable {
        public var sentPerSecond: Double
        public var receivedPerSecond: Double
        /// Packets in + out of the MDD per second of MDD CPU time.
        public var mddPacketsPerCoreSecond: Double?

        enum CodingKeys: String, CodingKey {
            case sentPerSecond = "sent_pps", receivedPerSecond = "received_pps", mddPacketsPerCoreSecond = "mdd_pps_per_core"
        }
    }

    /// The NACK/RTX loop's totals (``LoadConfiguration/retransmission``). `lost_before_repair`
    /// is what the windows would have lost without repair (residual loss plus the packets
    /// recovered in them), `residual_lost` equals the report's `lost`; `repair_ms` runs from
    /// a recovered packet's original send time to the arrival of its RTX copy.
    public struct Retransmission: Codable, Sendable, Equatable {
        public var nacksSent: Int
        public var retransmissionsRequested: Int
        public var nacksReceived: Int
        public var rtxSent: Int
        public var suppressed: Int
        public var rateLimited: Int
        public var notInHistory: Int
        public var recovered: Int
        public var notNeeded: Int
        public var abandoned: Int
        public var malformedFeedback: Int
        public var lostBeforeRepair: Int
        public var residualLost: Int
        public var repairMs: Percentiles

        enum CodingKeys: String, CodingKey {
            case suppressed, recovered, abandoned
            case nacksSent = "nacks_sent", retransmissionsRequested = "retransmissions_requested"
            case nacksReceived = "nacks_received", rtxSent = "rtx_sent", notInHistory = "not_in_history"
            case rateLimited = "rate_limited"
            case notNeeded = "not_needed", malformedFeedback = "malformed_feedback"
            case lostBeforeRepair = "lost_before_repair", residualLost = "residual_lost", repairMs = "repair_ms"
        }
    }

    /// One conference's totals.
    public struct Conference: Codable, Sendable, Equatable {
        public var conference: String
        public var participants: Int
        public var joined: Int
        public var packetsSent: Int
        public var packetsExpected: Int
        public var packetsReceived: Int
        public var lost: Int
        public var reordered: Int
        public var duplicates: Int
        public var latencyMs: Percentiles
        public var jitterMs: Jitter
        public var rekeys: Int

        enum CodingKeys: String, CodingKey {
            case conference, participants, joined, lost, reordered, duplicates, rekeys
            case packetsSent = "packets_sent", packetsExpected = "packets_expected", packetsReceived = "packets_received"
            case latencyMs = "latency_ms", jitterMs = "jitter_ms"
        }
    }

    /// One interval of the run (by send time for expected/received/lost, by arrival for latency).
    public struct Interval: Codable, Sendable, Equatable {
        /// Seconds from the start of the run to the start of the interval.
        public var t: Double
        public var packetsSent: Int
        public var packetsExpected: Int
        public var packetsReceived: Int
        public var lost: Int
        /// Verified packets that arrived in the interval, and their payload bits per second.
        public var arrived: Int
        public var receivedBitsPerSecond: Double
        public var latencyMs: Percentiles
        public var joined: Int
        public var rekeys: Int
        public var mddCPUSeconds: Double?
        public var kmfCPUSeconds: Double?

        enum CodingKeys: String, CodingKey {
            case t, lost, arrived, joined, rekeys
            case packetsSent = "packets_sent", packetsExpected = "packets_expected", packetsReceived = "packets_received"
            case receivedBitsPerSecond = "received_bps", latencyMs = "latency_ms"
            case mddCPUSeconds = "mdd_cpu_s", kmfCPUSeconds = "kmf_cpu_s"
        }
    }

    /// A new EKTKey reaching a conference.
    public struct RekeyEvent: Codable, Sendable, Equatable {
        public var t: Double
        public var conference: String
        public var spi: Int
    }

    public var conferences: Int
    public var participants: Int
    public var joined: Int
    public var joinMs: Percentiles
    public var packetsSent: Int
    public var packetsExpected: Int
    public var packetsReceived: Int
    public var packetsReceivedTotal: Int
    public var e2eAuthFailures: Int
    public var hbhAuthFailures: Int
    /// The MDD's hop-by-hop authentication failures, when it reports them (embedded).
    public var mddAuthFailures: Int?
    public var replayed: Int
    public var otherErrors: Int
    /// Packets under an EKTKey the receiver does not hold (sent before it joined a conference
    /// that rekeys on join, or before a new EKTKey reached it): not errors of the packet core.
    public var unknownEKTKey: Int
    public var contentMismatches: Int
    public var sendFailures: Int
    /// Frames the senders skipped because their thread fell behind (the load generator was
    /// short of CPU: fewer packets than the traffic model asks for were sent).
    public var framesSkipped: Int
    public var lost: Int
    /// Packets that arrived after a later one of the same stream.
    public var reordered: Int
    /// Copies detected: refused as SRTP replays plus payload-level repeats.
    public var duplicates: Int
    public var latencyMs: Percentiles
    public var jitterMs: Jitter
    public var rekeys: Int
    /// Time from a new EKTKey at a receiver to its first packet sealed under it.
    public var rekeyToMediaMs: Percentiles
    /// Times a participant's path to the MDD was lost (consent checks unanswered, e.g. the
    /// MDD restarted, or a path break) and it joined again.
    public var rejoins: Int
    /// Paths broken on purpose (`--path-breaks`) while the MDD stayed up.
    public var pathBreaks: Int
    /// Per rejoin: from the last verified media before the loss to the first after.
    public var mediaGapMs: Percentiles
    /// Per rejoin: from detecting the loss to the first verified media after joining again.
    public var rejoinMs: Percentiles
    public var durationS: Double
    public var seed: UInt64
    public var injected: Injected
    public var cpu: CPU
    public var throughput: Throughput
    public var mdd: MDDCounters?
    /// The NACK/RTX loop's totals, when it ran (JSON `rtx`).
    public var retransmission: Retransmission?
    public var perConference: [Conference]
    public var intervals: [Interval]
    public var rekeyEvents: [RekeyEvent]
    /// Why participants failed to join (one line each), if any did.
    public var failures: [String]

    enum CodingKeys: String, CodingKey {
        case conferences, participants, joined, lost, rekeys, failures, replayed, reordered, duplicates, seed, injected, cpu
        case rejoins, pathBreaks = "path_breaks", mediaGapMs = "media_gap_ms", rejoinMs = "rejoin_ms"
        case throughput, mdd, intervals
        case joinMs = "join_ms", packetsSent = "packets_sent", packetsExpected = "packets_expected"
        case packetsReceived = "packets_received", packetsReceivedTotal = "packets_received_total"
        case e2eAuthFailures = "e2e_auth_failures", hbhAuthFailures = "hbh_auth_failures", mddAuthFailures = "mdd_auth_failures"
        case otherErrors = "other_errors", unknownEKTKey = "unknown_ekt_key", contentMismatches = "content_mismatches", sendFailures = "send_failures"
        case framesSkipped = "frames_skipped"
        case latencyMs = "latency_ms", durationS = "duration_s", jitterMs = "jitter_ms", rekeyToMediaMs = "rekey_to_media_ms"
        case perConference = "per_conference", rekeyEvents = "rekey_events", retransmission = "rtx"
    }

    /// Delivered fraction of the expected packets (1 when none were expected).
    public var deliveredFraction: Double {
        packetsExpected == 0 ? 1 : Double(packetsReceived) / Double(packetsExpected)
    }

    /// The report as pretty JSON with sorted keys.
    public func json() throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        return try encoder.encode(self)
    }

    /// The final human table: one metric per row.
    public var summary: String {
        func ms(_ p: Percentiles) -> String {
            p.count == 0 ? "-" : String(format: "p50 %.2f  p90 %.2f  p99 %.2f  max %.2f ms", p.p50, p.p90, p.p99, p.max)
        }
        var rows: [(String, String)] = [
            ("conferences", "\(conferences)"),
            ("participants", "\(participants) (joined \(joined))"),
            ("join time", ms(joinMs)),
            ("packets", "sent \(packetsSent), expected \(packetsExpected), received \(packetsReceived) (\(String(format: "%.4f", deliveredFraction * 100))%)"),
            ("lost", "\(lost)" + (injected.dropped > 0 ? " (injected drops \(injected.dropped))" : "")),
            ("reordered / duplicates", "\(reordered) / \(duplicates)"),
            ("latency (one-way)", ms(latencyMs)),
            ("jitter (RFC 3550)", String(format: "mean %.3f ms, max %.3f ms", jitterMs.mean, jitterMs.max)),
            ("auth failures", "e2e \(e2eAuthFailures), hbh \(hbhAuthFailures)" + (mddAuthFailures.map { ", mdd \($0)" } ?? "")),
            ("other errors", "replayed \(replayed), other \(otherErrors), content mismatches \(contentMismatches), send failures \(sendFailures)"),
            ("under an EKTKey not held", "\(unknownEKTKey)" + (unknownEKTKey > 0 ? " (sent before the receiver joined or got the key)" : "")),
            ("frames skipped", "\(framesSkipped)" + (framesSkipped > 0 ? " (the load generator fell behind its schedule)" : "")),
            ("rekeys", "\(rekeys)" + (rekeyToMediaMs.count > 0 ? ", to first media under the new key: " + ms(rekeyToMediaMs) : "")),
            ("rejoins", "\(rejoins)" + (pathBreaks > 0 ? " (after \(pathBreaks) path breaks)" : "") + (rejoins > 0 ? "; media gap " + ms(mediaGapMs) + "; loss detected to media " + ms(rejoinMs) : "")),
            ("throughput", String(format: "sent %.0f pkt/s, received %.0f pkt/s", throughput.sentPerSecond, throughput.receivedPerSecond)),
        ]
        if let rtx = retransmission {
            func share(_ count: Int) -> String {
                String(format: "%d (%.3f%%)", count, packetsExpected == 0 ? 0 : Double(count) * 100 / Double(packetsExpected))
            }
            rows.append(("nack / rtx", "NACKs sent \(rtx.nacksSent) (\(rtx.retransmissionsRequested) packets requested), "
                         + "RTX sent \(rtx.rtxSent), recovered \(rtx.recovered), not needed \(rtx.notNeeded), "
                         + "given up \(rtx.abandoned)"
                         + (rtx.rateLimited > 0 ? ", rate-limited \(rtx.rateLimited)" : "")))
            rows.append(("loss before / after repair", "\(share(rtx.lostBeforeRepair)) / \(share(rtx.residualLost))"))
            rows.append(("repair time", ms(rtx.repairMs) + " (send to RTX arrival; not in latency)"))
        }
        if let mdd { rows.append(("mdd", "rtp in \(mdd.rtpReceived), forwarded \(mdd.rtpForwarded)")) }
        var cpuText = String(format: "load %.2f s", cpu.loadSeconds)
        if let mddSeconds = cpu.mddSeconds { cpuText += String(format: ", mdd %.2f s", mddSeconds) }
        if let cores = cpu.mddCores { cpuText += String(format: " (%.2f cores)", cores) }
        if let kmfSeconds = cpu.kmfSeconds { cpuText += String(format: ", kmf %.2f s", kmfSeconds) }
        if let perCore = throughput.mddPacketsPerCoreSecond { cpuText += String(format: "; mdd %.0f pkt/s per core", perCore) }
        rows.append(("cpu", cpuText + " [\(cpu.source)]"))
        rows.append(("duration", String(format: "%.1f s (seed %llu)", durationS, seed)))
        let width = rows.map(\.0.count).max() ?? 0
        return rows.map { $0.0.padding(toLength: width, withPad: " ", startingAt: 0) + "  " + $0.1 }.joined(separator: "\n")
    }
}
