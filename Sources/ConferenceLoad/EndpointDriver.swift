// SPDX-License-Identifier: Apache-2.0
// Copyright 2026 the swift-perc authors

import PERCEndpoint
#if canImport(Glibc)
import Glibc
#endif

/// One conference's tallies, kept by the driver thread that owns the conference.
final class ConferenceTally {
    var latency = LatencyHistogram()
    /// Original send to arrival of packets recovered by retransmission (not in ``latency``).
    var repair = LatencyHistogram()
}

/// One thread's share of a load run: it loops until the end time: registers and joins the
/// participants whose join time came, `poll`s their sockets (at most until the next frame is
/// due), services every endpoint, sends due frames, makes leavers leave on time, and
/// flushes its per-interval counts to the ``LiveRecorder`` a few times a second.
final class EndpointDriver {
    let index: Int
    var participants: [ParticipantRun] = []
    let end: ContinuousClock.Instant
    let start: UInt64
    let interval: UInt64
    let recorder: LiveRecorder
    /// Ends the loop early when requested.
    let stop: StopRequest?
    private var counts: [Int: IntervalCounts] = [:]

    init(index: Int, start: UInt64, end: ContinuousClock.Instant, interval: Double, recorder: LiveRecorder,
         stop: StopRequest? = nil) {
        self.stop = stop
        self.index = index
        self.start = start
        self.end = end
        self.interval = UInt64(interval * 1e9)
        self.recorder = recorder
    }

    private func slot(_ time: UInt64) -> Int { Int((time &- start) / interval) }

    /// Records a verified packet (called from the participants' media callbacks). A packet
    /// recovered by retransmission goes to the repair-time histogram, not the latency ones.
    func tally(_ payload: MediaPayload, arrival: UInt64, retransmitted: Bool = false, in conference: ConferenceTally) {
        let latency = arrival &- payload.sendTime
        let index = slot(arrival)
        counts[index, default: IntervalCounts()].received += 1
        counts[index, default: IntervalCounts()].receivedBytes += payload.length
        if retransmitted {
            conference.repair.record(nanoseconds: latency)
        } else {
            conference.latency.record(nanoseconds: latency)
            counts[index, default: IntervalCounts()].latency.record(nanoseconds: latency)
        }
    }

    /// Runs to the end time or a stop request (blocking); every participant has left afterwards.
    func run() {
        let clock = ContinuousClock()
        var descriptors: [pollfd] = []
        var lastFlush = clock.now
        while true {
            let now = clock.now
            guard now < end, stop?.isRequested != true else { break }
            var wake = min(now.advanced(by: .milliseconds(5)), end)
            let nanoseconds = MediaPayload.now()
            for participant in participants where !participant.started && participant.nextAttempt <= nanoseconds {
                startJoining(participant, now: nanoseconds, clock: clock)
            }
            for participant in participants where participant.isActive {
                participant.endpoint.service(now: now)
                if let leaveAt = participant.leaveAt, nanoseconds >= leaveAt {
                    participant.endpoint.leave()
                    continue
                }
                if let pathBreak = participant.pathBreaks.first, nanoseconds >= pathBreak {
                    participant.pathBreaks.removeFirst()
                    if participant.endpoint.pathLost(now: now) { participant.pathBreaksApplied += 1 }
                }
                let due = participant.sendDue(now: now) { bytes in
                    let index = slot(nanoseconds)
                    counts[index, default: IntervalCounts()].sent += 1
                    counts[index, default: IntervalCounts()].sentBytes += bytes
                }
                if let due { wake = min(wake, due) }
            }
            if now - lastFlush >= .milliseconds(250) {
                flush()
                lastFlush = now
            }
            descriptors.removeAll(keepingCapacity: true)
            for participant in participants where participant.isActive {
                descriptors.append(pollfd(fd: participant.endpoint.descriptor, events: Int16(POLLIN), revents: 0))
            }
            let timeout = wake - clock.now
            let milliseconds = max(Int32(0), Int32(timeout.components.seconds * 1000 + timeout.components.attoseconds / 1_000_000_000_000_000))
            if descriptors.isEmpty {
                usleep(UInt32(milliseconds) * 1000)
            } else {
                _ = poll(&descriptors, nfds_t(descriptors.count), milliseconds)
            }
        }
        for participant in participants where participant.started {
            participant.endpoint.service(now: clock.now)
            if case .failed(let reason) = participant.endpoint.phase, participant.failure == nil { participant.failure = reason }
            if participant.endpoint.firstMediaAt == nil, participant.failure == nil {
                participant.failure = "no verified media by the end (phase \(participant.endpoint.phase))"
            }
            participant.endpoint.leave()
        }
        flush()
    }

    /// Registers `participant` and starts its join. While the conference service cannot be
    /// reached (a socket error: a Key Distributor restarting), registration is tried again
    /// every ``registrationRetry`` for up to ``registrationPatience``.
    private func startJoining(_ participant: ParticipantRun, now: UInt64, clock: ContinuousClock) {
        if participant.firstAttemptAt == nil { participant.firstAttemptAt = now }
        do throws(EndpointError) {
            try participant.endpoint.register()
        } catch .socket where now &- participant.joinAt < Self.registrationPatience {
            participant.nextAttempt = now + Self.registrationRetry
            return
        } catch {
            participant.started = true
            participant.failure = "\(error)"
            return
        }
        participant.started = true
        do throws(EndpointError) { try participant.endpoint.join(now: clock.now) } catch {
            participant.failure = "\(error)"
        }
    }

    static let registrationRetry: UInt64 = 250_000_000
    static let registrationPatience: UInt64 = 20_000_000_000

    private func flush() {
        var loss = LiveRecorder.DriverLoss()
        for participant in participants where participant.started {
            loss.started += 1
            if participant.endpoint.firstMediaAt != nil { loss.joined += 1 }
            for reception in participant.receptions.values {
                loss.expected += reception.expected
                loss.lost += reception.lost
            }
        }
        recorder.flush(driver: index, counts: counts, loss: loss)
        counts.removeAll(keepingCapacity: true)
    }
}
