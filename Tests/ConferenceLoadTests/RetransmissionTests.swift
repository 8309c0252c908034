// SPDX-License-Identifier: Apache-2.0
// Copyright 2026 the swift-perc authors

import ConferenceLoad
import Foundation
@testable import PERCEndpoint
import Testing

/// NACK-driven retransmission: the RFC 4585 Generic NACK on the wire, the receiver's
/// missing-packet tracker, the sender's history, RTX packets, the loop between two
/// endpoints without sockets, and a whole embedded run with injected loss.
@Suite struct RetransmissionTests {
    // MARK: Generic NACK (RFC 4585 6.2.1)

    /// Derived by hand from RFC 4585's figures (6.1: common feedback header; 6.2.1: FCI):
    /// - byte 0: V=2 (`10`), P=0 (`0`), FMT=1 (`00001`) -> `1000 0001` = 0x81; byte 1: PT=205 = 0xCD.
    /// - length: 32-bit words minus one = (1 header + 2 SSRCs + 3 FCIs) - 1 = 5 -> `00 05`.
    /// - SSRC of packet sender: sender 1's stream 0, 0x1000_0000 | 1 << 4 | 0 = `10 00 00 10`.
    /// - SSRC of media source: sender 2's stream 1, 0x1000_0000 | 2 << 4 | 1 = `10 00 00 21`.
    /// - BLP (6.2.1): with its least significant bit numbered 1, bit i set means PID+i (modulo
    ///   2^16) is lost too.
    /// - Lost 65534, 65535, 0, 3 -> PID 65534 = `FF FE`; 65535, 0 and 3 are PID+1, PID+2 (across
    ///   the wrap) and PID+5: BLP bits 1, 2 and 5 = 0x0001 | 0x0002 | 0x0010 = 0x0013 -> `FF FE 00 13`.
    /// - Lost 17, 33 -> 17 is 19 after 65534 (more than 16): new FCI PID 17 = `00 11`; 33 is PID+16:
    ///   BLP bit 16 = 0x8000 -> `00 11 80 00`.
    /// - Lost 100 -> PID 100 = `00 64`, BLP 0 -> `00 64 00 00`.
    static let lost: [UInt16] = [65534, 65535, 0, 3, 17, 33, 100]
    static let vector: [UInt8] = [
        0x81, 0xCD, 0x00, 0x05,
        0x10, 0x00, 0x00, 0x10,
        0x10, 0x00, 0x00, 0x21,
        0xFF, 0xFE, 0x00, 0x13,
        0x00, 0x11, 0x80, 0x00,
        0x00, 0x64, 0x00, 0x00,
    ]

    @Test func genericNACKEncodesAndParsesTheHandDerivedVector() throws {
        let nack = GenericNACK(senderSSRC: ConferenceEndpoint.ssrc(sender: 1, stream: 0),
                               mediaSSRC: ConferenceEndpoint.ssrc(sender: 2, stream: 1), lostSequences: Self.lost)
        #expect(nack.encode() == Self.vector)
        #expect(nack.fcis.map(\.pid) == [0xFFFE, 0x0011, 0x0064] && nack.fcis.map(\.blp) == [0x0013, 0x8000, 0])
        let parsed = try GenericNACK(parsing: Self.vector[...])
        #expect(parsed == nack)
        #expect(try GenericNACK.parseCompound(Self.vector[...]) == [nack])
        // A repeated PID or bit is written once; unordered input still round-trips as a set.
        let repeated = GenericNACK(senderSSRC: 1, mediaSSRC: 2, lostSequences: [10, 10, 11, 11, 9])
        #expect(try GenericNACK(parsing: repeated.encode()[...]).lostSequences == [10, 11, 9])
    }

    @Test func manyLostPacketsSpanSeveralPacketsOfAtMost64FCIs() throws {
        let lost = (0..<100).map { UInt16(truncatingIfNeeded: 65000 + 20 * $0) }   // wraps, one FCI each
        let bytes = GenericNACK(senderSSRC: 7, mediaSSRC: 8, lostSequences: lost).encode()
        #expect(bytes.count == (3 + 64) * 4 + (3 + 36) * 4)
        let parsed = try GenericNACK.parseCompound(bytes[...])
        #expect(parsed.count == 2 && parsed.allSatisfy { $0.senderSSRC == 7 && $0.mediaSSRC == 8 })
        #expect(parsed.flatMap(\.lostSequences) == lost)
        #expect(GenericNACK(senderSSRC: 7, mediaSSRC: 8, lostSequences: []).encode().isEmpty)
    }

    @Test func malformedFeedbackIsATypedErrorNeverACrash() throws {
        // Every truncation of the vector.
        for count in 0..<Self.vector.count {
            #expect(throws: GenericNACKError.self) { try GenericNACK(parsing: Self.vector[0..<count]) }
            #expect(throws: GenericNACKError.self) { try GenericNACK.parseCompound(Self.vector[0..<count]) }
        }
        func mutated(_ index: Int, _ value: UInt8) -> ArraySlice<UInt8> {
            var bytes = Self.vector
            bytes[index] = value
            return bytes[...]
        }
        #expect(throws: GenericNACKError.version(1)) { try GenericNACK(parsing: mutated(0, 0x41)) }
        #expect(throws: GenericNACKError.notGenericNACK(packetType: 206, format: 1)) { try GenericNACK(parsing: mutated(1, 206)) }
        #expect(throws: GenericNACKError.notGenericNACK(packetType: 205, format: 3)) { try GenericNACK(parsing: mutated(0, 0x83)) }
        #expect(throws: GenericNACKError.padding) { try GenericNACK(parsing: mutated(0, 0xA1)) }
        #expect(throws: GenericNACKError.length(declared: 28, actual: 24)) { try GenericNACK(parsing: mutated(3, 6)) }
        #expect(throws: GenericNACKError.length(declared: 28, actual: 24)) { try GenericNACK.parseCompound(mutated(3, 6)) }
        var noFCI = Array(Self.vector[0..<12])
        noFCI[3] = 2
        #expect(throws: GenericNACKError.noFCI) { try GenericNACK(parsing: noFCI[...]) }
        // In a compound: other RTCP is skipped, a bad NACK or a bad tail fails the whole compound.
        let receiverReport: [UInt8] = [0x80, 201, 0x00, 0x01, 0x10, 0x00, 0x00, 0x10]
        #expect(try GenericNACK.parseCompound((receiverReport + Self.vector)[...]).map(\.lostSequences) == [Self.lost])
        #expect(throws: GenericNACKError.self) { try GenericNACK.parseCompound((Self.vector + [0x81, 0xCD])[...]) }
        #expect(throws: GenericNACKError.noFCI) { try GenericNACK.parseCompound((receiverReport + noFCI)[...]) }
        // Random bytes: an error or a parse, never a trap.
        var random = SystemRandomNumberGenerator()
        for _ in 0..<2000 {
            var bytes = Self.vector
            bytes[Int.random(in: 0..<bytes.count, using: &random)] = UInt8.random(in: 0...255, using: &random)
            let count = Int.random(in: 0...bytes.count, using: &random)
            _ = try? GenericNACK.parseCompound(bytes[0..<count])
        }
    }

    // MARK: Receiver: missing packets

    @Test func theTrackerAsksOnceThenRetriesThenGivesUp() {
        let ms: UInt64 = 1_000_000
        var tracker = NACKTracker(interval: 10 * ms, retries: 2)
        for sequence: UInt16 in [0, 1, 2, 5] { #expect(tracker.received(ssrc: 9, sequence: sequence, now: 0) == .new) }
        #expect(tracker.missing == 2)
        #expect(tracker.due(now: 1 * ms).map(\.sequences) == [[3, 4]])
        #expect(tracker.due(now: 5 * ms).isEmpty, "not again within the interval")
        #expect(tracker.due(now: 11 * ms).map(\.sequences) == [[3, 4]])
        #expect(tracker.received(ssrc: 9, sequence: 3, now: 12 * ms) == .filled)
        #expect(tracker.received(ssrc: 9, sequence: 3, now: 12 * ms) == .known)
        #expect(tracker.received(ssrc: 9, sequence: 2, now: 12 * ms) == .known)
        #expect(tracker.due(now: 21 * ms).map(\.sequences) == [[4]])
        #expect(tracker.due(now: 31 * ms).isEmpty, "three requests, then given up")
        #expect(tracker.requested == 5 && tracker.abandoned == 1 && tracker.missing == 0)
        // A late copy of an abandoned packet still fills its hole.
        #expect(tracker.received(ssrc: 9, sequence: 4, now: 40 * ms) == .filled)
    }

    @Test func theTrackerFollowsSequenceWrapAndStaysBounded() {
        var tracker = NACKTracker(interval: 1, retries: 0)
        _ = tracker.received(ssrc: 1, sequence: 65533, now: 0)
        _ = tracker.received(ssrc: 1, sequence: 65534, now: 0)
        #expect(tracker.received(ssrc: 1, sequence: 1, now: 0) == .new)
        #expect(tracker.due(now: 0).map(\.sequences) == [[65535, 0]])
        // A jump longer than the largest gap marks nothing (a restart, not a loss).
        _ = tracker.received(ssrc: 2, sequence: 100, now: 0)
        _ = tracker.received(ssrc: 2, sequence: 100 + UInt16(NACKTracker.maximumGap) + 2, now: 0)
        #expect(tracker.missing == 2)
        // Older than the window: unknown; holes pushed out of the window are abandoned.
        _ = tracker.received(ssrc: 3, sequence: 1000, now: 0)
        _ = tracker.received(ssrc: 3, sequence: 1002, now: 0)
        for sequence in 1003...1300 { _ = tracker.received(ssrc: 3, sequence: UInt16(sequence), now: 0) }
        #expect(tracker.received(ssrc: 3, sequence: 1001, now: 0) == .tooOld)
        #expect(tracker.abandoned == 1)
        // At most maximumStreams streams.
        for ssrc in 10..<UInt32(10 + NACKTracker.maximumStreams) { _ = tracker.received(ssrc: ssrc, sequence: 0, now: 0) }
        #expect(tracker.received(ssrc: 100_000, sequence: 0, now: 0) == .untracked)
    }

    // MARK: Sender: history and RTX packets

    @Test func theSendHistoryHoldsTheLastPacketsAcrossTheWrapAndSpacesRetransmissions() {
        var history = SendHistory(capacity: 500)
        #expect(history.capacity == 512)
        for index in 0..<600 {
            let sequence = UInt16(truncatingIfNeeded: 65_200 + index)   // wraps after 336 packets
            history.record(.init(rtpSequence: sequence, payloadSequence: UInt32(65_200 + index), length: 100 + index,
                                 sendTime: UInt64(index) * 1000, marker: index % 3 == 0))
        }
        #expect(history.entry(for: UInt16(truncatingIfNeeded: 65_200 + 87)) == nil, "replaced by a later packet")
        let kept = UInt16(truncatingIfNeeded: 65_200 + 88)
        #expect(history.entry(for: kept) == .init(rtpSequence: kept, payloadSequence: 65_288, length: 188, sendTime: 88_000,
                                                  marker: false))
        #expect(history.entry(for: UInt16(truncatingIfNeeded: 65_200 + 599))?.payloadSequence == 65_799)
        #expect(history.entry(for: UInt16(truncatingIfNeeded: 65_200 + 600)) == nil, "never sent")
        #expect(history.retransmission(of: kept, now: 10_000, spacing: 5_000) != nil)
        #expect(history.retransmission(of: kept, now: 14_999, spacing: 5_000) == nil, "just retransmitted")
        #expect(history.retransmission(of: kept, now: 15_000, spacing: 5_000) != nil)
    }

    @Test func anRTXPacketCarriesTheOriginalAndEveryChangeIsCaught() throws {
        let entry = SendHistory.Entry(rtpSequence: 0x1234, payloadSequence: 0x0001_1234, length: 300,
                                      sendTime: 123_456_789, marker: true)
        let packet = try #require(RTXPacket.build(sender: 3, stream: 2, entry: entry, rtxSequence: 7))
        #expect(packet[1] == 0x80 | 97 && packet[2] == 0 && packet[3] == 7)
        #expect(Array(packet[8..<12]) == [0x10, 0x00, 0x00, 0x36])   // sender 3, stream 6
        #expect(Array(packet[12..<14]) == [0x12, 0x34])               // OSN
        let (osn, payload) = try #require(RTXPacket.parse(packet, headerLength: 12))
        #expect(osn == 0x1234)
        #expect(payload == MediaPayload(sender: 3, stream: 2, sequence: 0x0001_1234, sendTime: 123_456_789, length: 300))
        #expect(RTXPacket.build(sender: 3, stream: 0, entry: entry, rtxSequence: 0) == nil, "audio has no RTX")
        for index in [1, 9, 11, 12, 13, 14, 20, packet.count - 1] {
            var changed = packet
            changed[index] ^= 0x01
            #expect(RTXPacket.parse(changed, headerLength: 12) == nil, "byte \(index)")
        }
        #expect(RTXPacket.parse(Array(packet.dropLast()), headerLength: 12) == nil)
        #expect(RTXPacket.parse(Array(packet.prefix(20)), headerLength: 12) == nil)
    }

    // MARK: The loop without sockets

    @Test func twoLoopsRepairAGapAndAThirdReceiverDropsTheRTXItDidNotNeed() throws {
        let ms: UInt64 = 1_000_000
        let settings = RetransmissionSettings(nackInterval: .milliseconds(10))
        let sender = RetransmissionLoop(settings: settings, sender: 1)
        let lossy = RetransmissionLoop(settings: settings, sender: 2)
        let clean = RetransmissionLoop(settings: settings, sender: 3)
        let media = ConferenceEndpoint.ssrc(sender: 1, stream: 1)
        for sequence: UInt32 in 0..<10 {
            let payload = MediaPayload(sender: 1, stream: 1, sequence: sequence, sendTime: UInt64(sequence) * ms, length: 200)
            sender.sent(stream: 1, rtpSequence: UInt16(sequence), payload: payload, marker: false)
            if sequence != 4 && sequence != 5 { lossy.received(ssrc: media, stream: 1, rtpSequence: UInt16(sequence), now: 0) }
            clean.received(ssrc: media, stream: 1, rtpSequence: UInt16(sequence), now: 0)
        }
        #expect(clean.feedback(from: ConferenceEndpoint.ssrc(sender: 3, stream: 0), now: ms).isEmpty)
        let feedback = lossy.feedback(from: ConferenceEndpoint.ssrc(sender: 2, stream: 0), now: ms)
        #expect(feedback.count == 1 && lossy.statistics.nacksSent == 1 && lossy.statistics.retransmissionsRequested == 2)
        // Only the sender answers (the NACK names its SSRC); a repeat within half the interval is suppressed.
        #expect(clean.answer(feedback[0], now: 2 * ms).isEmpty && clean.statistics.nacksReceived == 0)
        let rtx = sender.answer(feedback[0], now: 2 * ms)
        #expect(rtx.count == 2)
        #expect(sender.answer(feedback[0], now: 3 * ms).isEmpty && sender.statistics.suppressed == 2)
        for packet in rtx {
            guard case .recovered(let payload) = lossy.repair(packet, headerLength: 12, now: 4 * ms) else {
                Issue.record("the lossy receiver needed it")
                continue
            }
            #expect(payload.sender == 1 && payload.stream == 1 && [4, 5].contains(payload.sequence))
            guard case .notNeeded = clean.repair(packet, headerLength: 12, now: 4 * ms) else {
                Issue.record("the clean receiver had it")
                continue
            }
        }
        #expect(lossy.statistics.recovered == 2 && clean.statistics.notNeeded == 2)
        #expect(lossy.feedback(from: 2, now: 30 * ms).isEmpty, "nothing missing any more")
        // A packet no longer in the history is counted, and garbage feedback is counted, not answered.
        #expect(sender.answer(GenericNACK(senderSSRC: 5, mediaSSRC: media, lostSequences: [900]).encode(), now: 40 * ms).isEmpty)
        #expect(sender.statistics.notInHistory == 1)
        #expect(sender.answer([0x81, 0xCD, 0x00], now: 40 * ms).isEmpty && sender.statistics.malformedFeedback == 1)
    }

    @Test func aNACKStormGetsAtMostTheSendersRTXBudget() {
        let ms: UInt64 = 1_000_000
        let sender = RetransmissionLoop(settings: RetransmissionSettings(nackInterval: .milliseconds(10), maximumRate: 50),
                                        sender: 1)
        for sequence: UInt32 in 0..<100 {
            sender.sent(stream: 1, rtpSequence: UInt16(sequence),
                        payload: MediaPayload(sender: 1, stream: 1, sequence: sequence, sendTime: 1, length: 100), marker: false)
        }
        let storm = GenericNACK(senderSSRC: 9, mediaSSRC: ConferenceEndpoint.ssrc(sender: 1, stream: 1),
                                lostSequences: (0..<30).map { UInt16($0) }).encode()
        // A burst of a fifth of the rate (10), then 50 per second.
        #expect(sender.answer(storm, now: 1 * ms).count == 10)
        #expect(sender.statistics.rateLimited == 20)
        // 100 ms later: 5 new tokens, so 5 more (the first 10 may go again: their spacing is over).
        #expect(sender.answer(storm, now: 101 * ms).count == 5)
        #expect(sender.statistics.rtxSent == 0, "counted by the endpoint when they leave")
        sender.countSent(15)
        #expect(sender.statistics.rtxSent == 15)
    }

    // MARK: End to end

    /// perc-load embedded (KMF and MDD in process): video between three participants, 5% of
    /// the media datagrams each endpoint receives dropped (RTX and SRTCP NACKs too), the
    /// NACK/RTX loop on: holes are repaired, the loss left is below the loss injected, and
    /// nothing fails authentication at either layer or at the MDD.
    @Test func anEmbeddedRunWithFivePercentLossRepairsMostOfIt() async throws {
        let services = try await EmbeddedServices.start()
        var configuration = LoadConfiguration(
            conferenceService: services.conferenceService, mediaDistributor: services.mediaAddress, conferenceSizes: [3],
            duration: 4, mix: TrafficMix(everyone: ParticipantTraffic(name: "video", audio: nil, video: VideoModel(kbps: 600))),
            faults: DatagramFaults(loss: 0.05), retransmission: RetransmissionSettings(nackInterval: .milliseconds(20)),
            seed: 5)
        services.measure(&configuration)
        let report = try await LoadRunner(configuration: configuration).runDetached()
        await services.stop()
        let rtx = try #require(report.retransmission)
        #expect(report.joined == 3, "\(report.failures)")
        #expect(report.e2eAuthFailures == 0 && report.hbhAuthFailures == 0 && report.mddAuthFailures == 0)
        #expect(report.contentMismatches == 0 && report.otherErrors == 0 && rtx.malformedFeedback == 0)
        #expect(rtx.nacksSent > 0 && rtx.nacksReceived > 0 && rtx.rtxSent > 0 && rtx.recovered > 0, "\(report.summary)")
        // Each RTX reaches both other members; the one that had the packet drops it uncounted.
        #expect(rtx.notNeeded > 0 && report.duplicates == 0, "\(report.summary)")
        let injected = 0.05 * Double(report.packetsExpected)
        #expect(rtx.lostBeforeRepair > 0 && Double(rtx.lostBeforeRepair) > injected / 2, "\(report.summary)")
        #expect(rtx.residualLost == report.lost && report.lost < rtx.lostBeforeRepair, "\(report.summary)")
        #expect(Double(report.lost) < injected, "residual \(report.lost) of \(report.packetsExpected)")
        // Recovered packets are in the repair histogram, not the latency one.
        #expect(rtx.repairMs.count == rtx.recovered)
        #expect(report.latencyMs.count + rtx.repairMs.count == report.packetsReceivedTotal)
        let object = try #require(try JSONSerialization.jsonObject(with: report.json()) as? [String: Any])
        let fields = try #require(object["rtx"] as? [String: Any])
        for key in ["nacks_sent", "retransmissions_requested", "nacks_received", "rtx_sent", "suppressed", "rate_limited",
                    "not_in_history", "recovered", "not_needed", "abandoned", "malformed_feedback", "lost_before_repair",
                    "residual_lost", "repair_ms"] {
            #expect(fields[key] != nil, "rtx misses \(key)")
        }
        #expect(report.summary.contains("loss before / after repair"))
        #expect(HTMLReport.render(report).contains("loss before / after repair"))
    }

    @Test func offlineModelsRTXFromTheLossAndVerifiesIt() throws {
        let mix = TrafficMix(everyone: ParticipantTraffic(name: "video", audio: nil, video: VideoModel(kbps: 800)))
        let plain = try OfflineRunner(conferenceSizes: [3], mix: mix, mediaSeconds: 3, seed: 2).run()
        let repaired = try OfflineRunner(conferenceSizes: [3], mix: mix, mediaSeconds: 3, seed: 2, rtxLoss: 0.05).run()
        #expect(plain.rtxPackets == 0 && repaired.failures == 0)
        // 1 - 0.95^2 = 9.75% of the video packets, on top of the same media.
        let share = Double(repaired.rtxPackets) / Double(plain.packetsSent)
        #expect(abs(share - 0.0975) < 0.03, "rtx share \(share)")
        #expect(repaired.packetsSent == plain.packetsSent + repaired.rtxPackets)
        #expect(repaired.copiesDelivered == 2 * repaired.packetsSent)
    }
}
