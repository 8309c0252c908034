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
/// `packets_received_total` counts every verified packet.
public struct LoadReport: Codable, Sendable, Equatable {
    /// p50, p99 and the maximum of a sample, in milliseconds (0 for an empty sample).
    public struct Percentiles: Codable, Sendable, Equatable {
        public var p50: Double
        public var p99: Double
        public var max: Double

        /// The percentiles of `nanoseconds` (nearest rank).
        public init(nanoseconds: [UInt64]) {
            let sorted = nanoseconds.sorted()
            func rank(_ fraction: Double) -> Double {
                guard !sorted.isEmpty else { return 0 }
                let index = Swift.min(sorted.count - 1, Swift.max(0, Int((fraction * Double(sorted.count)).rounded(.up)) - 1))
                return Double(sorted[index]) / 1e6
            }
            p50 = rank(0.5)
            p99 = rank(0.99)
            max = sorted.last.map { Double($0) / 1e6 } ?? 0
        }
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
    public var replayed: Int
    public var otherErrors: Int
    public var contentMismatches: Int
    public var sendFailures: Int
    public var lost: Int
    public var latencyMs: Percentiles
    public var rekeys: Int
    public var durationS: Double
    /// Why participants failed to join (one line each), if any did.
    public var failures: [String]

    enum CodingKeys: String, CodingKey {
        case conferences, participants, joined, lost, rekeys, failures, replayed
        case joinMs = "join_ms", packetsSent = "packets_sent", packetsExpected = "packets_expected"
        case packetsReceived = "packets_received", packetsReceivedTotal = "packets_received_total"
        case e2eAuthFailures = "e2e_auth_failures", hbhAuthFailures = "hbh_auth_failures"
        case otherErrors = "other_errors", contentMismatches = "content_mismatches", sendFailures = "send_failures"
        case latencyMs = "latency_ms", durationS = "duration_s"
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

    /// A short human summary, one line per topic.
    public var summary: String {
        func ms(_ p: Percentiles) -> String { String(format: "p50 %.2f ms, p99 %.2f ms, max %.2f ms", p.p50, p.p99, p.max) }
        return """
            conferences \(conferences), participants \(participants), joined \(joined)
            join: \(ms(joinMs))
            packets: sent \(packetsSent), expected \(packetsExpected), received \(packetsReceived) \
            (\(String(format: "%.4f", deliveredFraction * 100))%), lost \(lost)
            auth failures: e2e \(e2eAuthFailures), hbh \(hbhAuthFailures); replayed \(replayed), other \(otherErrors), \
            content mismatches \(contentMismatches)
            latency: \(ms(latencyMs))
            rekeys \(rekeys), duration \(String(format: "%.1f", durationS)) s
            """
    }
}
