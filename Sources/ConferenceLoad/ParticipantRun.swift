// SPDX-License-Identifier: Apache-2.0
// Copyright 2026 the swift-perc authors

import PERCEndpoint

/// One participant of a load run: its endpoint, its sending schedule, and what it sent and
/// received (send times, in `MediaPayload.now()` nanoseconds).
final class ParticipantRun {
    let endpoint: ConferenceEndpoint
    let conference: Int
    /// When this participant leaves (nanoseconds), if it is one of the leavers.
    let leaveAt: UInt64?
    /// Send times of every packet that left, per stream.
    var sent: [[UInt64]]
    /// Per sender number: the send times of the packets received from it (verified).
    var received: [UInt32: [UInt64]] = [:]
    /// One-way latencies of the received packets, nanoseconds.
    var latencies: [UInt64] = []
    /// Why joining failed, if it did.
    var failure: String?

    private var nextFrame: [ContinuousClock.Instant?]
    private var sequences: [UInt32]

    init(endpoint: ConferenceEndpoint, conference: Int, streams: Int, leaveAt: UInt64?) {
        self.endpoint = endpoint
        self.conference = conference
        self.leaveAt = leaveAt
        sent = Array(repeating: [], count: streams)
        nextFrame = Array(repeating: nil, count: streams)
        sequences = Array(repeating: 0, count: streams)
        endpoint.onMedia = { [unowned self] payload, arrival in
            self.received[payload.sender, default: []].append(payload.sendTime)
            self.latencies.append(arrival &- payload.sendTime)
        }
    }

    /// Sends the frames of `models` that are due at `now` (the first as soon as the endpoint
    /// is keyed); returns the earliest next due time.
    func sendDue(_ models: [TrafficModel], now: ContinuousClock.Instant) -> ContinuousClock.Instant? {
        guard endpoint.phase == .keyed else { return nil }
        var earliest: ContinuousClock.Instant?
        for (index, model) in models.enumerated() {
            var due = nextFrame[index] ?? now
            var frames = 0
            while due <= now, frames < 5 {   // catch up a little after a stall, never a flood
                let sizes = model.packetSizes
                for (packet, size) in sizes.enumerated() {
                    if let time = endpoint.sendMedia(stream: model.stream, sequence: sequences[index], payloadLength: size,
                                                     marker: packet == sizes.count - 1) {
                        sent[index].append(time)
                    }
                    sequences[index] &+= 1
                }
                due = due.advanced(by: model.interval)
                frames += 1
            }
            if due <= now { due = now.advanced(by: model.interval) }
            nextFrame[index] = due
            earliest = min(earliest ?? due, due)
        }
        return earliest
    }
}
