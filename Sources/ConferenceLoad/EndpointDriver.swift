// SPDX-License-Identifier: Apache-2.0
// Copyright 2026 the swift-perc authors

import PERCEndpoint
#if canImport(Glibc)
import Glibc
#endif

/// One thread's share of a load run: it registers and joins its participants, then loops
/// until the end time: `poll` on their sockets (at most until the next frame is due), service
/// every endpoint, send due frames, and make the leavers leave on time.
final class EndpointDriver {
    let participants: [ParticipantRun]
    let models: [TrafficModel]
    let end: ContinuousClock.Instant

    init(participants: [ParticipantRun], models: [TrafficModel], end: ContinuousClock.Instant) {
        self.participants = participants
        self.models = models
        self.end = end
    }

    /// Runs to the end time (blocking); every participant has left afterwards.
    func run() {
        let clock = ContinuousClock()
        for participant in participants {
            do {
                try participant.endpoint.register()
                try participant.endpoint.join(now: clock.now)
            } catch {
                participant.failure = "\(error)"
            }
        }
        var descriptors = [pollfd](repeating: pollfd(), count: participants.count)
        while true {
            let now = clock.now
            guard now < end else { break }
            var wake = min(now.advanced(by: .milliseconds(5)), end)
            let nanoseconds = MediaPayload.now()
            for participant in participants where participant.endpoint.descriptor >= 0 {
                participant.endpoint.service(now: now)
                if let leaveAt = participant.leaveAt, nanoseconds >= leaveAt {
                    participant.endpoint.leave()
                    continue
                }
                if let due = participant.sendDue(models, now: now) { wake = min(wake, due) }
            }
            for (index, participant) in participants.enumerated() {
                descriptors[index] = pollfd(fd: participant.endpoint.descriptor, events: Int16(POLLIN), revents: 0)
            }
            let timeout = wake - clock.now
            let milliseconds = max(Int32(0), Int32(timeout.components.seconds * 1000 + timeout.components.attoseconds / 1_000_000_000_000_000))
            _ = poll(&descriptors, nfds_t(descriptors.count), milliseconds)
        }
        for participant in participants {
            participant.endpoint.service(now: clock.now)
            if case .failed(let reason) = participant.endpoint.phase, participant.failure == nil { participant.failure = reason }
            if participant.endpoint.firstMediaAt == nil, participant.failure == nil {
                participant.failure = "no verified media by the end (phase \(participant.endpoint.phase))"
            }
            participant.endpoint.leave()
        }
    }
}
