// SPDX-License-Identifier: Apache-2.0
// Copyright 2026 the swift-perc authors

import Foundation
import PERCEndpoint

/// Runs a synthetic conference load against a conference service and a media distributor:
/// `conferences` x `participants` endpoints register, join, key, send the configured traffic
/// and verify everything they receive; half of each conference may leave part way.
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
        let models = configuration.streams
        let clock = ContinuousClock()
        let start = clock.now
        let startNanoseconds = MediaPayload.now()
        let end = start.advanced(by: .milliseconds(Int64(configuration.duration * 1000)))
        let runID = UInt32.random(in: 0..<0x1000)
        var participants: [ParticipantRun] = []
        for conference in 0..<configuration.conferences {
            for index in 0..<configuration.participants {
                let endpoint = try ConferenceEndpoint(configuration: .init(
                    conference: "\(configuration.conferencePrefix)-\(runID)-\(conference)",
                    participant: "p\(index)", sender: UInt32(participants.count),
                    mediaDistributor: configuration.mediaDistributor, conferenceService: configuration.conferenceService,
                    ektFullFieldInterval: configuration.ektFullFieldInterval))
                // The second half of each conference leaves, when asked to.
                let leaves = configuration.leaveAfter != nil && index >= configuration.participants - configuration.participants / 2
                let leaveAt = leaves ? startNanoseconds + UInt64(configuration.leaveAfter! * 1e9) : nil
                participants.append(ParticipantRun(endpoint: endpoint, conference: conference, streams: models.count,
                                                   leaveAt: leaveAt))
            }
        }
        let threads = max(1, min(configuration.threads, configuration.conferences))
        let drivers = (0..<threads).map { thread in
            EndpointDriver(participants: participants.filter { $0.conference % threads == thread }, models: models, end: end)
        }
        let finished = DispatchGroup()
        for driver in drivers {
            finished.enter()
            let box = UncheckedBox(driver)
            Thread {
                box.value.run()
                finished.leave()
            }.start()
        }
        finished.wait()
        let elapsed = clock.now - start
        return Self.report(participants, configuration: configuration, end: MediaPayload.now(),
                           duration: Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) * 1e-18)
    }

    /// Tallies the participants' records.
    static func report(_ participants: [ParticipantRun], configuration: LoadConfiguration, end: UInt64,
                       duration: Double) -> LoadReport {
        let tail = UInt64(configuration.tail * 1e9)
        var expected = 0, receivedInWindow = 0
        for receiver in participants {
            guard let joinedAt = receiver.endpoint.firstMediaAt else { continue }
            let windowEnd = min(receiver.endpoint.leftAt ?? end, end) &- tail
            for sender in participants where sender !== receiver && sender.conference == receiver.conference {
                // Both joined: from the later of the two first verified packets.
                guard let senderJoinedAt = sender.endpoint.firstMediaAt else { continue }
                let start = max(joinedAt, senderJoinedAt)
                guard windowEnd > start else { continue }
                let window = start..<windowEnd
                expected += sender.sent.reduce(0) { $0 + $1.count { window.contains($0) } }
                receivedInWindow += receiver.received[sender.endpoint.configuration.sender]?.count { window.contains($0) } ?? 0
            }
        }
        var rekeys = 0
        for conference in 0..<configuration.conferences {
            let spis = Set(participants.filter { $0.conference == conference }.flatMap(\.endpoint.ektSPIs))
            rekeys += max(spis.count - 1, 0)
        }
        let statistics = participants.map(\.endpoint.statistics)
        func total(_ field: KeyPath<EndpointStatistics, Int>) -> Int { statistics.reduce(0) { $0 + $1[keyPath: field] } }
        return LoadReport(
            conferences: configuration.conferences, participants: participants.count,
            joined: participants.count { $0.endpoint.firstMediaAt != nil },
            joinMs: .init(nanoseconds: participants.compactMap { run in
                run.endpoint.firstMediaAt.flatMap { first in run.endpoint.registeredAt.map { first - $0 } }
            }),
            packetsSent: total(\.packetsSent), packetsExpected: expected, packetsReceived: receivedInWindow,
            packetsReceivedTotal: total(\.packetsReceived), e2eAuthFailures: total(\.e2eAuthenticationFailures),
            hbhAuthFailures: total(\.hbhAuthenticationFailures), replayed: total(\.replayed),
            otherErrors: total(\.otherErrors), contentMismatches: total(\.contentMismatches),
            sendFailures: total(\.sendFailures), lost: max(expected - receivedInWindow, 0),
            latencyMs: .init(nanoseconds: participants.flatMap(\.latencies)), rekeys: rekeys, durationS: duration,
            failures: participants.compactMap { run in
                run.failure.map { "\(run.endpoint.configuration.conference):\(run.endpoint.configuration.participant): \($0)" }
            })
    }
}

/// Hands a driver to its thread (each driver is used by exactly one thread).
private final class UncheckedBox<Value>: @unchecked Sendable {
    let value: Value
    init(_ value: Value) { self.value = value }
}
