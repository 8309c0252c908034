// SPDX-License-Identifier: Apache-2.0
// Copyright 2026 the swift-perc authors

import Foundation
import PERCEndpoint

/// Runs a synthetic conference load against a conference service and a media distributor:
/// the participants of a ``ScenarioPlan`` register, join, key, send their traffic and
/// verify everything they receive, on a few driver threads; a monitor thread samples CPU
/// time and reports progress; the report tallies every participant's records.
///
/// ```swift
/// let report = try LoadRunner(configuration: .init(
///     conferenceService: HostPort("http://127.0.0.1:8080")!, mediaDistributor: HostPort("127.0.0.1:5004")!,
///     conferences: 3, participants: 4, duration: 20, audio: true, videoKbps: 1000)).run()
/// print(report.summary)
/// ```
public struct LoadRunner: Sendable {
    /// The run's settings.
    public let configuration: LoadConfiguration

    /// A runner for `configuration`.
    public init(configuration: LoadConfiguration) {
        self.configuration = configuration
    }

    /// Runs the load (blocking for ``LoadConfiguration/duration`` seconds) and reports.
    /// - Throws: ``EndpointError`` when an endpoint cannot even be made (its certificate).
    public func run() throws -> LoadReport {
        let configuration = self.configuration
        let plan = ScenarioPlan(configuration)
        let runID = UInt32.random(in: 0..<0x1000)
        let threads = max(1, min(configuration.threads, configuration.conferences))
        let recorder = LiveRecorder(drivers: threads)
        let tallies = (0..<configuration.conferences).map { _ in ConferenceTally() }
        // Endpoints (certificates) are made before the clock starts.
        var endpoints: [ConferenceEndpoint] = []
        for participant in plan.participants {
            var faults = configuration.faults
            faults?.seed = configuration.seed &+ UInt64(participant.sender) &* 0x9E37_79B9
            endpoints.append(try ConferenceEndpoint(configuration: .init(
                conference: Self.conferenceName(configuration, runID: runID, participant.conference),
                participant: participant.name, sender: participant.sender,
                mediaDistributor: configuration.mediaDistributor, conferenceService: configuration.conferenceService,
                ektFullFieldInterval: configuration.ektFullFieldInterval, faults: faults,
                retransmission: configuration.retransmission,
                consentInterval: .milliseconds(Int64(configuration.consentInterval * 1000)),
                pathLossTimeout: configuration.pathLossTimeout.map { .milliseconds(Int64($0 * 1000)) })))
        }
        let clock = ContinuousClock()
        let start = clock.now
        let startNanoseconds = MediaPayload.now()
        let end = start.advanced(by: .milliseconds(Int64(configuration.duration * 1000)))
        let drivers = (0..<threads).map { thread in
            EndpointDriver(index: thread, start: startNanoseconds, end: end, interval: configuration.interval, recorder: recorder,
                           stop: configuration.stop)
        }
        var participants: [ParticipantRun] = []
        for (participant, endpoint) in zip(plan.participants, endpoints) {
            let driver = drivers[participant.conference % threads]
            let tally = tallies[participant.conference]
            let run = ParticipantRun(endpoint: endpoint, plan: participant, start: startNanoseconds, seed: configuration.seed) {
                [unowned driver] run, payload, arrival in
                driver.tally(payload, arrival: arrival, retransmitted: run.endpoint.lastMediaIsRetransmission, in: tally)
            }
            participants.append(run)
            driver.participants.append(run)
        }
        let mddStart = configuration.mddCPU?.seconds(), kmfStart = configuration.kmfCPU?.seconds()
        let loadStart = CPUTime.currentProcess
        let mddCountersStart = configuration.mddCounters?()
        let finished = DispatchGroup()
        for driver in drivers {
            finished.enter()
            let box = UncheckedBox(driver)
            Thread {
                box.value.run()
                finished.leave()
            }.start()
        }
        // The monitor: CPU per interval, progress twice a second, until the drivers finish.
        var cpuMark = (mdd: mddStart, kmf: kmfStart, load: loadStart)
        var nextInterval = 1
        while finished.wait(timeout: .now() + 0.5) == .timedOut {
            let elapsed = Self.seconds(clock.now - start)
            while Double(nextInterval) * configuration.interval <= elapsed {
                let mdd = configuration.mddCPU?.seconds(), kmf = configuration.kmfCPU?.seconds(), load = CPUTime.currentProcess
                recorder.recordCPU(interval: nextInterval - 1, mdd: Self.delta(mdd, cpuMark.mdd), kmf: Self.delta(kmf, cpuMark.kmf),
                                   load: load - cpuMark.load)
                cpuMark = (mdd ?? cpuMark.mdd, kmf ?? cpuMark.kmf, load)
                nextInterval += 1
            }
            configuration.progress?(recorder.progress(elapsed: elapsed, complete: nextInterval - 2,
                                                      interval: configuration.interval))
        }
        let elapsed = clock.now - start
        let cpu = LoadReport.CPU(
            mddSeconds: Self.delta(configuration.mddCPU?.seconds(), mddStart),
            kmfSeconds: Self.delta(configuration.kmfCPU?.seconds(), kmfStart),
            loadSeconds: CPUTime.currentProcess - loadStart, mddCores: nil,
            source: Self.describe(configuration.mddCPU, configuration.kmfCPU))
        var mdd: MDDCounters?
        if let now = configuration.mddCounters?(), let before = mddCountersStart {
            mdd = MDDCounters(rtpReceived: now.rtpReceived - before.rtpReceived, rtpForwarded: now.rtpForwarded - before.rtpForwarded,
                              authenticationFailures: now.authenticationFailures - before.authenticationFailures)
        }
        return Self.report(participants, configuration: configuration, runID: runID, start: startNanoseconds,
                           end: MediaPayload.now(), duration: Self.seconds(elapsed), tallies: tallies,
                           recorder: recorder.snapshot(), cpu: cpu, mdd: mdd)
    }

    /// Runs the load on a thread of its own and awaits the report (for async callers: the
    /// run blocks its threads for its whole duration).
    public func runDetached() async throws -> LoadReport {
        try await withCheckedThrowingContinuation { continuation in
            let runner = self
            Thread { continuation.resume(with: Result { try runner.run() }) }.start()
        }
    }

    static func conferenceName(_ configuration: LoadConfiguration, runID: UInt32, _ conference: Int) -> String {
        "\(configuration.conferencePrefix)-\(runID)-\(conference)"
    }

    static func seconds(_ duration: Duration) -> Double {
        Double(duration.components.seconds) + Double(duration.components.attoseconds) * 1e-18
    }

    static func delta(_ now: Double?, _ before: Double?) -> Double? {
        guard let now, let before else { return nil }
        return max(now - before, 0)
    }

    static func describe(_ mdd: CPUProbe?, _ kmf: CPUProbe?) -> String {
        func one(_ name: String, _ probe: CPUProbe?) -> String? {
            switch probe {
            case .threads(let prefix)?: "\(name): threads \(prefix)*"
            case .process(let pid)?: "\(name): /proc/\(pid)/stat"
            case nil: nil
            }
        }
        let parts = [one("mdd", mdd), one("kmf", kmf)].compactMap { $0 }
        return parts.isEmpty ? "this process only" : parts.joined(separator: ", ")
    }

    /// Tallies the participants' records.
    static func report(_ participants: [ParticipantRun], configuration: LoadConfiguration, runID: UInt32, start: UInt64,
                       end: UInt64, duration: Double, tallies: [ConferenceTally], recorder: LiveRecorder.State,
                       cpu: LoadReport.CPU, mdd: MDDCounters?) -> LoadReport {
        let tail = UInt64(configuration.tail * 1e9)
        let step = UInt64(configuration.interval * 1e9)
        let intervalCount = max(recorder.intervals.count, Int((end &- start) / step) + 1)
        var intervalExpected = Array(repeating: 0, count: intervalCount)
        var intervalReceived = Array(repeating: 0, count: intervalCount)
        var intervalSent = Array(repeating: 0, count: intervalCount)
        var conferenceExpected = Array(repeating: 0, count: configuration.conferences)
        var conferenceReceived = Array(repeating: 0, count: configuration.conferences)
        var recoveredInWindows = 0
        func slot(_ time: UInt64) -> Int { min(Int((time &- start) / step), intervalCount - 1) }
        // Everyone whose join time came, including those still retrying registration at the end.
        let started = participants.filter { $0.firstAttemptAt != nil }
        for run in started where !run.started { run.failure = "registration: no conference service until the run ended" }
        for sender in started {
            for times in sender.sent.values { for time in times { intervalSent[slot(time)] += 1 } }
        }
        for receiver in started {
            guard let joinedAt = receiver.endpoint.firstMediaAt else { continue }
            let windowEnd = min(receiver.endpoint.leftAt ?? end, end) &- tail
            for sender in started where sender !== receiver && sender.conference == receiver.conference {
                // Both joined: from the later of the two first verified packets.
                guard let senderJoinedAt = sender.endpoint.firstMediaAt else { continue }
                let from = max(joinedAt, senderJoinedAt)
                guard windowEnd > from else { continue }
                let window = from..<windowEnd
                for times in sender.sent.values {
                    for time in times where window.contains(time) {
                        intervalExpected[slot(time)] += 1
                        conferenceExpected[sender.conference] += 1
                    }
                }
                for time in receiver.received[sender.endpoint.configuration.sender] ?? [] where window.contains(time) {
                    intervalReceived[slot(time)] += 1
                    conferenceReceived[sender.conference] += 1
                }
                recoveredInWindows += (receiver.recovered[sender.endpoint.configuration.sender] ?? []).count { window.contains($0) }
            }
        }
        // Rekeys: each conference's EKTKey SPIs after the first, timed at their first arrival.
        var rekeyEvents: [LoadReport.RekeyEvent] = []
        var conferenceRekeys = Array(repeating: 0, count: configuration.conferences)
        for conference in 0..<configuration.conferences {
            var firstSeen: [UInt16: UInt64] = [:]
            var order: [UInt16] = []
            for run in started where run.conference == conference {
                for (spi, time) in zip(run.endpoint.ektSPIs, run.endpoint.ektKeyTimes) {
                    if let known = firstSeen[spi] {
                        firstSeen[spi] = min(known, time)
                    } else {
                        firstSeen[spi] = time
                        order.append(spi)
                    }
                }
            }
            let sorted = order.sorted { firstSeen[$0]! < firstSeen[$1]! }
            conferenceRekeys[conference] = max(sorted.count - 1, 0)
            for spi in sorted.dropFirst() {
                rekeyEvents.append(.init(t: Double(firstSeen[spi]! &- start) / 1e9,
                                         conference: conferenceName(configuration, runID: runID, conference), spi: Int(spi)))
            }
        }
        rekeyEvents.sort { $0.t < $1.t }
        let statistics = started.map(\.endpoint.statistics)
        func total(_ field: KeyPath<EndpointStatistics, Int>) -> Int { statistics.reduce(0) { $0 + $1[keyPath: field] } }
        func jitter(_ runs: [ParticipantRun]) -> LoadReport.Jitter {
            let values = runs.flatMap { $0.receptions.values.filter { $0.received > 1 }.map { $0.jitter / 1e6 } }
            return .init(mean: values.isEmpty ? 0 : values.reduce(0, +) / Double(values.count), max: values.max() ?? 0)
        }
        func receptionTotal(_ runs: [ParticipantRun], _ field: KeyPath<StreamReception, Int>) -> Int {
            runs.reduce(0) { sum, run in sum + run.receptions.values.reduce(0) { $0 + $1[keyPath: field] } }
        }
        var latency = LatencyHistogram(), repair = LatencyHistogram()
        for tally in tallies {
            latency.add(tally.latency)
            repair.add(tally.repair)
        }
        var joins = LatencyHistogram(), rekeyToMedia = LatencyHistogram()
        var mediaGaps = LatencyHistogram(), rejoinTimes = LatencyHistogram()
        for run in started {
            if let first = run.endpoint.firstMediaAt, let registered = run.firstAttemptAt {
                joins.record(nanoseconds: first &- registered)
            }
            for value in run.rekeyToMedia { rekeyToMedia.record(nanoseconds: value) }
            for outage in run.endpoint.outages {
                guard let first = outage.firstMediaAt else { continue }
                if let last = outage.lastMediaAt { mediaGaps.record(nanoseconds: first &- last) }
                rejoinTimes.record(nanoseconds: first &- outage.detectedAt)
            }
        }
        let perConference = (0..<configuration.conferences).map { conference -> LoadReport.Conference in
            let runs = started.filter { $0.conference == conference }
            return LoadReport.Conference(
                conference: conferenceName(configuration, runID: runID, conference), participants: runs.count,
                joined: runs.count { $0.endpoint.firstMediaAt != nil },
                packetsSent: runs.reduce(0) { $0 + $1.endpoint.statistics.packetsSent },
                packetsExpected: conferenceExpected[conference], packetsReceived: conferenceReceived[conference],
                lost: max(conferenceExpected[conference] - conferenceReceived[conference], 0),
                reordered: receptionTotal(runs, \.reordered),
                duplicates: receptionTotal(runs, \.duplicates) + runs.reduce(0) { $0 + $1.endpoint.statistics.replayed },
                latencyMs: tallies[conference].latency.summary, jitterMs: jitter(runs), rekeys: conferenceRekeys[conference])
        }
        // Joins per interval: first verified media.
        var intervalJoins = Array(repeating: 0, count: intervalCount)
        for run in started { if let first = run.endpoint.firstMediaAt { intervalJoins[slot(first)] += 1 } }
        var intervalRekeys = Array(repeating: 0, count: intervalCount)
        for event in rekeyEvents { intervalRekeys[min(Int(event.t / configuration.interval), intervalCount - 1)] += 1 }
        let intervals = (0..<intervalCount).map { index -> LoadReport.Interval in
            let counts = index < recorder.intervals.count ? recorder.intervals[index] : IntervalCounts()
            let cpu: (mdd: Double?, kmf: Double?, load: Double?) = index < recorder.cpu.count ? recorder.cpu[index] : (nil, nil, nil)
            return LoadReport.Interval(
                t: Double(index) * configuration.interval, packetsSent: intervalSent[index],
                packetsExpected: intervalExpected[index], packetsReceived: intervalReceived[index],
                lost: max(intervalExpected[index] - intervalReceived[index], 0), arrived: counts.received,
                receivedBitsPerSecond: Double(counts.receivedBytes * 8) / configuration.interval,
                latencyMs: counts.latency.summary, joined: intervalJoins[index], rekeys: intervalRekeys[index],
                mddCPUSeconds: cpu.mdd, kmfCPUSeconds: cpu.kmf)
        }
        let expected = conferenceExpected.reduce(0, +), receivedInWindow = conferenceReceived.reduce(0, +)
        let injected = started.map(\.endpoint.injectedFaults)
        var cpu = cpu
        let sent = total(\.packetsSent), receivedTotal = total(\.packetsReceived)
        if let mddSeconds = cpu.mddSeconds, duration > 0 { cpu.mddCores = mddSeconds / duration }
        let through = mdd.map { $0.rtpReceived + $0.rtpForwarded } ?? (sent + receivedTotal)
        var retransmission: LoadReport.Retransmission?
        if configuration.retransmission != nil {
            let counts = started.map(\.endpoint.retransmissionStatistics)
            func sum(_ field: KeyPath<RetransmissionStatistics, Int>) -> Int { counts.reduce(0) { $0 + $1[keyPath: field] } }
            let residual = max(expected - receivedInWindow, 0)
            retransmission = .init(
                nacksSent: sum(\.nacksSent), retransmissionsRequested: sum(\.retransmissionsRequested),
                nacksReceived: sum(\.nacksReceived), rtxSent: sum(\.rtxSent), suppressed: sum(\.suppressed),
                rateLimited: sum(\.rateLimited),
                notInHistory: sum(\.notInHistory), recovered: sum(\.recovered), notNeeded: sum(\.notNeeded),
                abandoned: sum(\.abandoned), malformedFeedback: sum(\.malformedFeedback),
                lostBeforeRepair: residual + recoveredInWindows, residualLost: residual, repairMs: repair.summary)
        }
        return LoadReport(
            conferences: configuration.conferences, participants: started.count,
            joined: started.count { $0.endpoint.firstMediaAt != nil }, joinMs: joins.summary,
            packetsSent: sent, packetsExpected: expected, packetsReceived: receivedInWindow,
            packetsReceivedTotal: receivedTotal, e2eAuthFailures: total(\.e2eAuthenticationFailures),
            hbhAuthFailures: total(\.hbhAuthenticationFailures), mddAuthFailures: mdd?.authenticationFailures,
            replayed: total(\.replayed), otherErrors: total(\.otherErrors),
            unknownEKTKey: total(\.unknownEKTKey), contentMismatches: total(\.contentMismatches),
            sendFailures: total(\.sendFailures), framesSkipped: started.reduce(0) { $0 + $1.framesSkipped },
            lost: max(expected - receivedInWindow, 0),
            reordered: receptionTotal(started, \.reordered),
            duplicates: receptionTotal(started, \.duplicates) + total(\.replayed),
            latencyMs: latency.summary, jitterMs: jitter(started), rekeys: conferenceRekeys.reduce(0, +),
            rekeyToMediaMs: rekeyToMedia.summary, rejoins: total(\.rejoins),
            pathBreaks: started.reduce(0) { $0 + $1.pathBreaksApplied }, mediaGapMs: mediaGaps.summary,
            rejoinMs: rejoinTimes.summary, durationS: duration, seed: configuration.seed,
            injected: .init(dropped: injected.reduce(0) { $0 + $1.dropped }, duplicated: injected.reduce(0) { $0 + $1.duplicated },
                            reordered: injected.reduce(0) { $0 + $1.reordered }),
            cpu: cpu,
            throughput: .init(sentPerSecond: duration > 0 ? Double(sent) / duration : 0,
                              receivedPerSecond: duration > 0 ? Double(receivedTotal) / duration : 0,
                              mddPacketsPerCoreSecond: cpu.mddSeconds.flatMap { $0 > 0 ? Double(through) / $0 : nil }),
            mdd: mdd, retransmission: retransmission, perConference: perConference, intervals: intervals,
            rekeyEvents: rekeyEvents,
            failures: started.compactMap { run in
                run.failure.map { "\(run.endpoint.configuration.conference):\(run.endpoint.configuration.participant): \($0)" }
            })
    }
}

/// Hands a driver to its thread (each driver is used by exactly one thread).
private final class UncheckedBox<Value>: @unchecked Sendable {
    let value: Value
    init(_ value: Value) { self.value = value }
}
