// SPDX-License-Identifier: Apache-2.0
// Copyright 2026 the swift-perc authors

import Foundation

/// `perc-load --capacity`: raises the load until delivery or latency passes a bound and
/// reports the highest load that held. Step k runs the base conferences k times over
/// (k = 1, 2, 4, 8, ..., then one bisection between the last step that held and the first
/// that did not), each a fresh run of ``stepSeconds``. A step holds when every participant
/// joined, at least 1 - ``lossBound`` of the expected packets arrived and the one-way p99
/// latency stayed at or below ``p99BoundMs``. The rate through the MDD is its packets in
/// plus out per second (its own counters when embedded, otherwise what the endpoints sent
/// and received), and per MDD core when its CPU time is known.
public struct CapacitySearch: Sendable {
    public var base: LoadConfiguration
    public var stepSeconds: Double
    public var lossBound: Double
    public var p99BoundMs: Double
    public var maximumMultiple: Int

    public init(base: LoadConfiguration, stepSeconds: Double = 8, lossBound: Double = 0.01, p99BoundMs: Double = 100,
                maximumMultiple: Int = 64) {
        self.base = base
        self.stepSeconds = stepSeconds
        self.lossBound = lossBound
        self.p99BoundMs = p99BoundMs
        self.maximumMultiple = maximumMultiple
    }

    /// Runs the steps (blocking); `onStep` sees each as it completes.
    public func run(onStep: (CapacityReport.Step) -> Void = { _ in }) throws -> CapacityReport {
        var steps: [CapacityReport.Step] = []
        func attempt(_ multiple: Int) throws -> Bool {
            var configuration = base
            configuration.conferenceSizes = Array((0..<multiple).map { _ in base.conferenceSizes }.joined())
            configuration.duration = stepSeconds
            configuration.churn = 0
            configuration.joinStorm = nil
            configuration.leaveAfter = nil
            configuration.progress = nil
            let report = try LoadRunner(configuration: configuration).run()
            let step = CapacityReport.Step(report: report, multiple: multiple, lossBound: lossBound, p99BoundMs: p99BoundMs)
            steps.append(step)
            onStep(step)
            return step.held
        }
        var good = 0, bad: Int?
        var multiple = 1
        while multiple <= maximumMultiple {
            if try attempt(multiple) { good = multiple } else { bad = multiple; break }
            multiple *= 2
        }
        if let bad, bad - good > 1 {
            let middle = (good + bad) / 2
            if try attempt(middle) { good = middle }
        }
        return CapacityReport(steps: steps, sustained: steps.filter { $0.held && $0.multiple == good }.last,
                              lossBound: lossBound, p99BoundMs: p99BoundMs)
    }
}

/// What the capacity search found.
public struct CapacityReport: Codable, Sendable, Equatable {
    public struct Step: Codable, Sendable, Equatable {
        public var multiple: Int
        public var conferences: Int
        public var participants: Int
        public var joined: Int
        public var deliveredFraction: Double
        public var p99LatencyMs: Double
        /// Packets into plus out of the MDD per second.
        public var mddPacketsPerSecond: Double
        public var mddCores: Double?
        public var mddPacketsPerCoreSecond: Double?
        public var held: Bool

        init(report: LoadReport, multiple: Int, lossBound: Double, p99BoundMs: Double) {
            self.multiple = multiple
            conferences = report.conferences
            participants = report.participants
            joined = report.joined
            deliveredFraction = report.deliveredFraction
            p99LatencyMs = report.latencyMs.p99
            let through = report.mdd.map { Double($0.rtpReceived + $0.rtpForwarded) }
                ?? Double(report.packetsSent + report.packetsReceivedTotal)
            mddPacketsPerSecond = report.durationS > 0 ? through / report.durationS : 0
            mddCores = report.cpu.mddCores
            mddPacketsPerCoreSecond = report.throughput.mddPacketsPerCoreSecond
            held = report.joined == report.participants && report.participants > 0
                && report.deliveredFraction >= 1 - lossBound && report.latencyMs.p99 <= p99BoundMs
        }

        enum CodingKeys: String, CodingKey {
            case multiple, conferences, participants, joined, held
            case deliveredFraction = "delivered_fraction", p99LatencyMs = "p99_latency_ms"
            case mddPacketsPerSecond = "mdd_pps", mddCores = "mdd_cores", mddPacketsPerCoreSecond = "mdd_pps_per_core"
        }

        /// One line for the terminal.
        public var line: String {
            String(format: "x%-3d %3d conferences %4d participants (joined %4d): delivered %.4f, p99 %.1f ms, mdd %.0f pkt/s",
                   multiple, conferences, participants, joined, deliveredFraction, p99LatencyMs, mddPacketsPerSecond)
                + (mddCores.map { String(format: ", %.2f cores", $0) } ?? "")
                + (mddPacketsPerCoreSecond.map { String(format: ", %.0f pkt/s per core", $0) } ?? "")
                + (held ? "  held" : "  NOT held")
        }
    }

    public var steps: [Step]
    /// The highest step that held, if any did.
    public var sustained: Step?
    public var lossBound: Double
    public var p99BoundMs: Double

    enum CodingKeys: String, CodingKey {
        case steps, sustained, lossBound = "loss_bound", p99BoundMs = "p99_bound_ms"
    }

    /// The report as pretty JSON with sorted keys.
    public func json() throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        return try encoder.encode(self)
    }

    /// A human summary: one line per step, then the sustained rate.
    public var summary: String { (steps.map(\.line) + [sustainedLine]).joined(separator: "\n") }

    /// The sustained rate in one line.
    public var sustainedLine: String {
        guard let sustained else { return "sustained: none (the first step did not hold)" }
        return String(format: "sustained: %.0f packets/s through the MDD", sustained.mddPacketsPerSecond)
            + (sustained.mddPacketsPerCoreSecond.map { String(format: " (%.0f per MDD core)", $0) } ?? "")
            + " at \(sustained.participants) participants"
    }
}
