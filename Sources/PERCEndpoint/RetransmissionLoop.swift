// SPDX-License-Identifier: Apache-2.0
// Copyright 2026 the swift-perc authors

/// One endpoint's NACK/RTX loop, without sockets or keys: the ``ConferenceEndpoint`` feeds
/// it what it sends and receives (plaintext), and protects and sends what it returns.
///
/// Receiving: every verified video packet goes to a ``NACKTracker``; ``feedback(now:)``
/// turns what is due into Generic NACKs from the endpoint's stream-0 SSRC. Sending: every
/// video packet sent goes to its stream's ``SendHistory``; ``answer(_:now:)`` turns the
/// Generic NACKs for this endpoint's SSRCs in an opened RTCP compound into RTX packets.
/// Repair: ``repair(_:headerLength:now:)`` reads an opened RTX packet and says whether it
/// filled a hole. Owned by the endpoint's driver thread.
final class RetransmissionLoop {
    /// The outcome of an RTX packet.
    enum Repair {
        /// It filled a hole: deliver the original payload.
        case recovered(MediaPayload)
        /// The receiver had the original, or did not track it.
        case notNeeded
        /// It did not verify (``RTXPacket/parse(_:headerLength:)``), or was our own.
        case invalid
    }

    let settings: RetransmissionSettings
    let sender: UInt32
    private(set) var statistics = RetransmissionStatistics()
    private var tracker: NACKTracker
    private var histories: [SendHistory]
    private var rtxSequences: [UInt16] = [0, 0, 0]
    private let spacing: UInt64
    /// The RTX budget: a token bucket of `burst` packets refilled at `maximumRate` per second.
    private var tokens: Double
    private var refilledAt: UInt64?
    private let burst: Double

    init(settings: RetransmissionSettings, sender: UInt32) {
        self.settings = settings
        self.sender = sender
        tracker = NACKTracker(interval: settings.intervalNanoseconds, retries: settings.retries)
        histories = (0..<3).map { _ in SendHistory(capacity: settings.historySize) }
        spacing = settings.intervalNanoseconds / 2
        burst = Double(max(settings.maximumRate / 5, 1))
        tokens = burst
    }

    /// Takes one RTX from the budget at `now`, if any is left.
    private func takeToken(now: UInt64) -> Bool {
        if let refilledAt {
            tokens = min(burst, tokens + Double(now &- refilledAt) * Double(max(settings.maximumRate, 1)) / 1e9)
        }
        refilledAt = now
        guard tokens >= 1 else { return false }
        tokens -= 1
        return true
    }

    /// Notes a packet this endpoint sent (video streams only).
    func sent(stream: UInt8, rtpSequence: UInt16, payload: MediaPayload, marker: Bool) {
        guard (1...3).contains(stream) else { return }
        histories[Int(stream) - 1].record(.init(rtpSequence: rtpSequence, payloadSequence: payload.sequence,
                                                length: payload.length, sendTime: payload.sendTime, marker: marker))
    }

    /// Notes a verified original packet of another sender's `stream` (video only).
    func received(ssrc: UInt32, stream: UInt8, rtpSequence: UInt16, now: UInt64) {
        guard (1...3).contains(stream) else { return }
        _ = tracker.received(ssrc: ssrc, sequence: rtpSequence, now: now)
    }

    /// An opened RTX packet: whether it repaired a missing packet.
    func repair(_ packet: [UInt8], headerLength: Int, now: UInt64) -> Repair {
        guard let (osn, payload) = RTXPacket.parse(packet, headerLength: headerLength), payload.sender != sender else {
            return .invalid
        }
        let original = ConferenceEndpoint.ssrc(sender: payload.sender, stream: payload.stream)
        switch tracker.received(ssrc: original, sequence: osn, now: now) {
        case .filled, .new:
            statistics.recovered += 1
            return .recovered(payload)
        case .known, .tooOld, .untracked:
            statistics.notNeeded += 1
            return .notNeeded
        }
    }

    /// The Generic NACKs due now from `ssrc` (this endpoint's stream-0 SSRC), as RTCP
    /// compound packets of at most about 1000 bytes; empty when nothing is due.
    func feedback(from ssrc: UInt32, now: UInt64) -> [[UInt8]] {
        let due = tracker.due(now: now)
        statistics.abandoned = tracker.abandoned
        var datagrams: [[UInt8]] = []
        var current: [UInt8] = []
        for (media, sequences) in due {
            let nack = GenericNACK(senderSSRC: ssrc, mediaSSRC: media, lostSequences: sequences).encode()
            statistics.nacksSent += 1
            statistics.retransmissionsRequested += sequences.count
            if !current.isEmpty, current.count + nack.count > 1000 {
                datagrams.append(current)
                current = []
            }
            current += nack
        }
        if !current.isEmpty { datagrams.append(current) }
        return datagrams
    }

    /// The RTX packets (plaintext) answering the Generic NACKs in an opened RTCP compound
    /// packet that ask for this endpoint's video; NACKs for other SSRCs are ignored.
    func answer(_ compound: [UInt8], now: UInt64) -> [[UInt8]] {
        let nacks: [GenericNACK]
        do throws(GenericNACKError) { nacks = try GenericNACK.parseCompound(compound[...]) } catch {
            statistics.malformedFeedback += 1
            return []
        }
        var packets: [[UInt8]] = []
        for nack in nacks {
            let stream = UInt8(nack.mediaSSRC & 0x0F)
            guard (1...3).contains(stream), nack.mediaSSRC == ConferenceEndpoint.ssrc(sender: sender, stream: stream) else {
                continue
            }
            statistics.nacksReceived += 1
            let layer = Int(stream) - 1
            for sequence in nack.lostSequences {
                guard histories[layer].entry(for: sequence) != nil else {
                    statistics.notInHistory += 1
                    continue
                }
                guard takeToken(now: now) else {
                    statistics.rateLimited += 1
                    continue
                }
                guard let entry = histories[layer].retransmission(of: sequence, now: now, spacing: spacing),
                      let packet = RTXPacket.build(sender: sender, stream: stream, entry: entry,
                                                   rtxSequence: rtxSequences[layer])
                else {
                    tokens += 1   // not sent: the budget is not spent
                    statistics.suppressed += 1
                    continue
                }
                rtxSequences[layer] &+= 1
                packets.append(packet)
            }
        }
        return packets
    }

    /// Counts RTX packets that left.
    func countSent(_ count: Int) { statistics.rtxSent += count }
}
