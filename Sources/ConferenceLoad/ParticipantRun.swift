// SPDX-License-Identifier: Apache-2.0
// Copyright 2026 the swift-perc authors

import PERCEndpoint

/// One participant of a load run: its endpoint, its plan and streams, and what it sent and
/// received (send times in `MediaPayload.now()` nanoseconds). Owned by one driver thread.
final class ParticipantRun {
    let endpoint: ConferenceEndpoint
    let plan: ScenarioPlan.Participant
    /// `MediaPayload.now()` nanoseconds when it joins, and leaves (if it does).
    let joinAt: UInt64
    let leaveAt: UInt64?
    /// `MediaPayload.now()` nanoseconds when its path to the MDD breaks, those still to come.
    var pathBreaks: ArraySlice<UInt64>
    /// Path breaks that found a path to break (the endpoint was joining or joined).
    var pathBreaksApplied = 0
    var conference: Int { plan.conference }
    /// Whether it registered, or gave up trying.
    var started = false
    /// When it next tries to register: its join time, then later while the conference
    /// service cannot be reached (a KMF restarting).
    var nextAttempt: UInt64
    /// `MediaPayload.now()` at its first try to register: its join time counts from there.
    var firstAttemptAt: UInt64?
    /// Send times of every packet that left, per stream number.
    var sent: [UInt8: [UInt64]] = [:]
    /// Per sender number: the send times of the packets received from it (verified; recovered ones included).
    var received: [UInt32: [UInt64]] = [:]
    /// Per sender number: the send times of the packets among ``received`` that a retransmission recovered.
    var recovered: [UInt32: [UInt64]] = [:]
    /// Per sender and stream (`sender << 4 | stream`): RFC 3550 counts.
    var receptions: [UInt32: StreamReception] = [:]
    /// Times from each rekey (a new EKTKey here) to the first packet under it, nanoseconds.
    var rekeyToMedia: [UInt64] = []
    /// Why joining failed, if it did.
    var failure: String?
    /// Frames not sent because the driver thread fell behind their schedule.
    var framesSkipped = 0

    private var sources: [StreamSource]
    private var nextFrame: [ContinuousClock.Instant?]
    private var sequences: [UInt8: UInt32] = [:]
    private var pendingRekeys: [UInt16: UInt64] = [:]
    private var keysSeen = 0

    init(endpoint: ConferenceEndpoint, plan: ScenarioPlan.Participant, start: UInt64, seed: UInt64,
         tally: @escaping (ParticipantRun, MediaPayload, UInt64) -> Void) {
        self.endpoint = endpoint
        self.plan = plan
        joinAt = start + UInt64(plan.joinAt * 1e9)
        nextAttempt = joinAt
        leaveAt = plan.leaveAt.map { start + UInt64($0 * 1e9) }
        pathBreaks = ArraySlice(plan.pathBreaks.map { start + UInt64($0 * 1e9) })
        sources = plan.traffic.sources(seed: seed &+ UInt64(plan.sender) &* 0x1_0000_0001)
        nextFrame = Array(repeating: nil, count: sources.count)
        endpoint.onMedia = { [unowned self] payload, arrival in
            self.received[payload.sender, default: []].append(payload.sendTime)
            let stream = payload.sender << 4 | UInt32(payload.stream & 0x0F)
            if self.endpoint.lastMediaIsRetransmission {
                self.recovered[payload.sender, default: []].append(payload.sendTime)
                self.receptions[stream, default: StreamReception()].recordRecovered(sequence: payload.sequence)
            } else {
                self.receptions[stream, default: StreamReception()]
                    .record(sequence: payload.sequence, sendTime: payload.sendTime, arrival: arrival)
            }
            self.noteRekey(arrival: arrival)
            tally(self, payload, arrival)
        }
    }

    /// Whether it is on the media plane now (joined or joining, not left or failed).
    var isActive: Bool { started && endpoint.descriptor >= 0 }

    private func noteRekey(arrival: UInt64) {
        let spis = endpoint.ektSPIs
        if spis.count > keysSeen {
            for index in max(keysSeen, 1)..<spis.count { pendingRekeys[spis[index]] = endpoint.ektKeyTimes[index] }
            keysSeen = spis.count
        }
        if let spi = endpoint.lastMediaSPI, let since = pendingRekeys.removeValue(forKey: spi) {
            rekeyToMedia.append(arrival &- since)
        }
    }

    /// Sends the frames that are due at `now` (the first as soon as the endpoint is keyed);
    /// returns the earliest next due time. `onSent(bytes)` is called per packet sent.
    func sendDue(now: ContinuousClock.Instant, onSent: (Int) -> Void) -> ContinuousClock.Instant? {
        guard endpoint.phase == .keyed else { return nil }
        var earliest: ContinuousClock.Instant?
        for index in sources.indices {
            var due = nextFrame[index] ?? now
            var frames = 0
            while due <= now, frames < 5 {   // catch up a little after a stall, never a flood
                let frame = sources[index].nextFrame()
                send(frame.packets, stream: sources[index].stream, onSent: onSent)
                due = due.advanced(by: .nanoseconds(frame.gap))
                frames += 1
            }
            // Still behind after the catch-up: skip the frames that are past (drawn, so the
            // stream stays the one the seed gives, but not sent) and count them.
            var skipped = 0
            while due <= now, skipped < 10_000 {
                due = due.advanced(by: .nanoseconds(sources[index].nextFrame().gap))
                skipped += 1
            }
            framesSkipped += skipped
            nextFrame[index] = due
            earliest = min(earliest ?? due, due)
        }
        return earliest
    }

    private func send(_ sizes: [Int], stream: UInt8, onSent: (Int) -> Void) {
        for (packet, size) in sizes.enumerated() {
            let sequence = sequences[stream, default: 0]
            if let time = endpoint.sendMedia(stream: stream, sequence: sequence, payloadLength: size,
                                             marker: packet == sizes.count - 1) {
                sent[stream, default: []].append(time)
                onSent(size)
            }
            sequences[stream] = sequence &+ 1
        }
    }
}
