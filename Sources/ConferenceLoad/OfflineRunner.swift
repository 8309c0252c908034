// SPDX-License-Identifier: Apache-2.0
// Copyright 2026 the swift-perc authors

import Foundation
import PERC
import PERCEndpoint
import SRTP

/// `perc-load --offline`: the same conference traffic (sizes, mix, seed) through the packet
/// core without sockets or clocks: every participant's frames for the given media time are
/// built as RTP packets with verifiable payloads, then, in chunks of 64, double-protected
/// by the sender (`DoubleSender`, EKT fields as configured), opened once by the MDD's
/// inbound hop and resealed for every other participant of the conference
/// (`RelayHop.fanOut`), opened by each receiver (`DoubleReceiver` learning keys from EKT)
/// and its payload verified. Each stage is timed in thread CPU time per chunk.
///
/// There is no network, so no loss and no NACK loop. With ``rtxLoss`` the retransmissions a
/// real run would add are modelled: at that loss per receiver, a video packet of a sender in
/// a conference of n is lost by at least one of the n - 1 receivers with probability
/// 1 - (1 - loss)^(n - 1), and is then retransmitted once (an RTX packet, OSN and original
/// payload, 20 ms later) through the same stages. Retries, lost NACKs and the NACKs
/// themselves (hop-by-hop SRTCP) are not modelled.
public struct OfflineRunner: Sendable {
    public var conferenceSizes: [Int]
    public var mix: TrafficMix
    /// Seconds of media generated per participant.
    public var mediaSeconds: Double
    public var seed: UInt64
    public var ektFullFieldInterval: Int
    public var profile: DoubleProfile
    /// Loss per receiver that the modelled retransmissions answer; nil: no RTX.
    public var rtxLoss: Double?

    public init(conferenceSizes: [Int], mix: TrafficMix, mediaSeconds: Double, seed: UInt64 = 1,
                ektFullFieldInterval: Int = 1, profile: DoubleProfile = .aes128Gcm, rtxLoss: Double? = nil) {
        self.rtxLoss = rtxLoss.map { min(max($0, 0), 1) }
        self.conferenceSizes = conferenceSizes
        self.mix = mix
        self.mediaSeconds = mediaSeconds
        self.seed = seed
        self.ektFullFieldInterval = ektFullFieldInterval
        self.profile = profile
    }

    private struct Member {
        let conference: Int
        let sender: DoubleSender
        let inbound: RelayHop
        let outbound: RelayHop
        let receiver: DoubleReceiver
        var targets: [RelayTarget] = []
        var peers: [Int] = []
    }

    private struct Packet {
        let time: Double
        let member: Int
        let stream: UInt8
        let size: Int
        let marker: Bool
        /// The payload sequence (for RTX, the RTX stream's own counter).
        let sequence: UInt32
        /// For RTX: the packet it repeats (its payload sequence and send time).
        var repeats: (sequence: UInt32, time: Double)? = nil
    }

    /// Runs and reports.
    /// - Throws: ``SRTPError`` when a context cannot be made.
    public func run() throws -> OfflineReport {
        var random = SeededRandom(seed: seed, stream: 0x4F46_464C)
        func bytes(_ count: Int) -> [UInt8] { (0..<count).map { _ in UInt8(truncatingIfNeeded: random.next()) } }
        let k = profile.halfKeyLength, s = profile.halfSaltLength
        var members: [Member] = []
        var traffic: [ParticipantTraffic] = []
        for (conference, size) in conferenceSizes.enumerated() {
            let parameters = try EKTParameterSet(spi: UInt16(conference + 1), cipher: .aesKeyWrap128, key: bytes(16),
                                                 masterSalt: bytes(14))
            for _ in 0..<size {
                let inner = SRTPMasterKey(key: bytes(k), salt: parameters.salt(length: s)!)
                let up = SRTPMasterKey(key: bytes(k), salt: bytes(s)), down = SRTPMasterKey(key: bytes(k), salt: bytes(s))
                let ektReceiver = EKTReceiver(keyLength: k, saltLength: s)
                ektReceiver.install(parameters)
                members.append(Member(
                    conference: conference,
                    sender: try DoubleSender(profile: profile, inner: inner, outer: up,
                                             ekt: try EKTSender(parameters: parameters, masterKey: inner.key,
                                                                fullFieldInterval: ektFullFieldInterval)),
                    inbound: try RelayHop(profile: profile, direction: .inbound, outer: up, carriesEKT: true),
                    outbound: try RelayHop(profile: profile, direction: .outbound, outer: down, carriesEKT: true),
                    receiver: try DoubleReceiver(profile: profile, inner: nil, outer: down, ekt: ektReceiver)))
                traffic.append(mix.traffic(participant: members.count - 1, seed: seed))
            }
        }
        for index in members.indices {
            let peers = members.indices.filter { $0 != index && members[$0].conference == members[index].conference }
            members[index].peers = peers
            members[index].targets = peers.map { RelayTarget(hop: members[$0].outbound) }
        }
        // Every frame of every stream, in time order.
        var packets: [Packet] = []
        var streamsByKind: [String: Int] = [:]
        var repairDraws = SeededRandom(seed: seed, stream: 0x5254_5800)
        var rtxCount = 0
        for (member, participantTraffic) in traffic.enumerated() {
            let receivers = Double(conferenceSizes[members[member].conference] - 1)
            let repairShare = rtxLoss.map { 1 - pow(1 - $0, receivers) } ?? 0
            for var source in participantTraffic.sources(seed: seed &+ UInt64(member) &* 0x1_0000_0001) {
                var time = 0.0
                var sequence: UInt32 = 0, rtxSequence: UInt32 = 0
                let rtx = RTXPacket.stream(repairing: source.stream)
                while time < mediaSeconds {
                    let frame = source.nextFrame()
                    for (index, size) in frame.packets.enumerated() {
                        let marker = index == frame.packets.count - 1
                        packets.append(Packet(time: time, member: member, stream: source.stream, size: size, marker: marker,
                                              sequence: sequence))
                        if let rtx, repairShare > 0, repairDraws.uniform() < repairShare {
                            packets.append(Packet(time: time + 0.02, member: member, stream: rtx, size: size, marker: marker,
                                                  sequence: rtxSequence, repeats: (sequence, time)))
                            rtxSequence &+= 1
                            rtxCount += 1
                        }
                        sequence &+= 1
                    }
                    time += Double(frame.gap) / 1e9
                }
                streamsByKind[source.stream == 0 ? "audio" : "video", default: 0] += 1
            }
        }
        packets.sort { ($0.time, $0.member, $0.stream, $0.sequence) < ($1.time, $1.member, $1.stream, $1.sequence) }

        var stageNanoseconds = [UInt64](repeating: 0, count: 4)
        var copies = 0, payloadBytes = 0, failures = [0, 0, 0, 0]
        let maximumFanOut = max((conferenceSizes.max() ?? 1) - 1, 1)
        let chunk = 64
        let batches = (0..<chunk).map { _ in PacketBatch(maximumCount: maximumFanOut, slotCapacity: 1400) }
        let cpuStart = CPUTime.currentThreadNanoseconds
        var start = 0
        while start < packets.count {
            let slice = packets[start..<min(start + chunk, packets.count)]
            start += chunk
            // Build the RTP packets (not timed).
            let plain: [[UInt8]] = slice.map { packet in
                payloadBytes += packet.size
                if let original = packet.repeats, let stream = RTXPacket.repairedStream(packet.stream),
                   let rtx = RTXPacket.build(
                       sender: UInt32(packet.member), stream: stream,
                       entry: .init(rtpSequence: UInt16(truncatingIfNeeded: original.sequence), payloadSequence: original.sequence,
                                    length: packet.size, sendTime: UInt64(original.time * 1e9), marker: packet.marker),
                       rtxSequence: UInt16(truncatingIfNeeded: packet.sequence)) {
                    return rtx
                }
                let ssrc = ConferenceEndpoint.ssrc(sender: UInt32(packet.member), stream: packet.stream)
                let sequence = packet.sequence
                let payload = MediaPayload(sender: UInt32(packet.member), stream: packet.stream, sequence: sequence,
                                           sendTime: UInt64(packet.time * 1e9), length: packet.size)
                let timestamp = UInt32(truncatingIfNeeded: UInt64(packet.time * 90_000))
                let seq16 = UInt16(truncatingIfNeeded: sequence)
                var rtp: [UInt8] = [0x80, (packet.marker ? 0x80 : 0) | (packet.stream == 0 ? 111 : 96),
                                    UInt8(seq16 >> 8), UInt8(truncatingIfNeeded: seq16)]
                for value in [timestamp, ssrc] {
                    rtp += [UInt8(value >> 24), UInt8(truncatingIfNeeded: value >> 16),
                            UInt8(truncatingIfNeeded: value >> 8), UInt8(truncatingIfNeeded: value)]
                }
                return rtp + payload.bytes
            }
            let owners = slice.map(\.member)
            // 1. Senders double-protect.
            var t0 = CPUTime.currentThreadNanoseconds
            var protected: [[UInt8]?] = []
            protected.reserveCapacity(plain.count)
            for (index, rtp) in plain.enumerated() {
                do { protected.append(try members[owners[index]].sender.protect(rtp)) } catch {
                    protected.append(nil)
                    failures[0] += 1
                }
            }
            var t1 = CPUTime.currentThreadNanoseconds
            stageNanoseconds[0] += t1 - t0
            // 2. The MDD opens each once and reseals it for every other member.
            t0 = t1
            for (index, packet) in protected.enumerated() {
                guard let packet else { continue }
                let member = members[owners[index]]
                do {
                    try packet.withUnsafeBytes { bytes in
                        try member.inbound.fanOut(bytes, to: member.targets, into: batches[index])
                    }
                } catch {
                    batches[index].removeAll()
                    failures[1] += 1
                }
            }
            t1 = CPUTime.currentThreadNanoseconds
            stageNanoseconds[1] += t1 - t0
            // Take the copies out (not timed).
            var delivered: [(receiver: Int, bytes: [UInt8])] = []
            for (index, packet) in protected.enumerated() where packet != nil {
                let peers = members[owners[index]].peers
                for slot in 0..<batches[index].count {
                    if case .ok = batches[index].result(at: slot) {
                        delivered.append((peers[slot], batches[index].packet(at: slot)))
                    } else {
                        failures[1] += 1
                    }
                }
            }
            copies += delivered.count
            // 3. Every receiver opens its copy.
            t0 = CPUTime.currentThreadNanoseconds
            var opened: [[UInt8]] = []
            opened.reserveCapacity(delivered.count)
            for copy in delivered {
                do { opened.append(try members[copy.receiver].receiver.unprotect(copy.bytes)) } catch { failures[2] += 1 }
            }
            t1 = CPUTime.currentThreadNanoseconds
            stageNanoseconds[2] += t1 - t0
            // 4. And checks every payload byte.
            t0 = t1
            for rtp in opened {
                let intact = rtp.count >= 12 && (rtp[1] & 0x7F == RTXPacket.payloadType
                    ? RTXPacket.parse(rtp, headerLength: 12) != nil : MediaPayload(verifying: rtp[12...]) != nil)
                if !intact { failures[3] += 1 }
            }
            t1 = CPUTime.currentThreadNanoseconds
            stageNanoseconds[3] += t1 - t0
        }
        let total = CPUTime.currentThreadNanoseconds - cpuStart
        func per(_ nanoseconds: UInt64, _ count: Int) -> Double { count == 0 ? 0 : Double(nanoseconds) / Double(count) }
        let sent = packets.count
        let stages = [
            OfflineReport.Stage(stage: "sender double-protect", packets: sent, nsPerPacket: per(stageNanoseconds[0], sent),
                                cpuSeconds: Double(stageNanoseconds[0]) / 1e9, failures: failures[0]),
            OfflineReport.Stage(stage: "mdd fan-out (per input packet)", packets: sent, nsPerPacket: per(stageNanoseconds[1], sent),
                                cpuSeconds: Double(stageNanoseconds[1]) / 1e9, failures: failures[1]),
            OfflineReport.Stage(stage: "mdd fan-out (per copy)", packets: copies, nsPerPacket: per(stageNanoseconds[1], copies),
                                cpuSeconds: Double(stageNanoseconds[1]) / 1e9, failures: failures[1]),
            OfflineReport.Stage(stage: "receiver double-unprotect", packets: copies, nsPerPacket: per(stageNanoseconds[2], copies),
                                cpuSeconds: Double(stageNanoseconds[2]) / 1e9, failures: failures[2]),
            OfflineReport.Stage(stage: "payload verify", packets: copies, nsPerPacket: per(stageNanoseconds[3], copies),
                                cpuSeconds: Double(stageNanoseconds[3]) / 1e9, failures: failures[3]),
        ]
        return OfflineReport(
            conferences: conferenceSizes.count, participants: members.count, mediaSeconds: mediaSeconds,
            packetsSent: sent, rtxPackets: rtxCount, copiesDelivered: copies, meanPayloadBytes: sent == 0 ? 0 : Double(payloadBytes) / Double(sent),
            stages: stages, threadCPUSeconds: Double(total) / 1e9,
            mddPacketsPerCoreSecond: stageNanoseconds[1] == 0 ? 0 : Double(sent) / (Double(stageNanoseconds[1]) / 1e9),
            failures: failures.reduce(0, +), seed: seed, profile: profile.name)
    }
}

/// What `--offline` measured.
public struct OfflineReport: Codable, Sendable, Equatable {
    public struct Stage: Codable, Sendable, Equatable {
        public var stage: String
        public var packets: Int
        public var nsPerPacket: Double
        public var cpuSeconds: Double
        public var failures: Int

        enum CodingKeys: String, CodingKey {
            case stage, packets, failures, nsPerPacket = "ns_per_packet", cpuSeconds = "cpu_s"
        }
    }

    public var conferences: Int
    public var participants: Int
    public var mediaSeconds: Double
    public var packetsSent: Int
    /// Modelled RTX packets among ``packetsSent`` (``OfflineRunner/rtxLoss``).
    public var rtxPackets: Int
    public var copiesDelivered: Int
    public var meanPayloadBytes: Double
    public var stages: [Stage]
    /// Thread CPU time of the whole run, packet building included.
    public var threadCPUSeconds: Double
    /// Input packets one core's MDD fan-out handles per second at this mix.
    public var mddPacketsPerCoreSecond: Double
    public var failures: Int
    public var seed: UInt64
    public var profile: String

    enum CodingKeys: String, CodingKey {
        case conferences, participants, stages, failures, seed, profile
        case mediaSeconds = "media_s", packetsSent = "packets_sent", rtxPackets = "rtx_packets", copiesDelivered = "copies_delivered"
        case meanPayloadBytes = "mean_payload_bytes", threadCPUSeconds = "thread_cpu_s"
        case mddPacketsPerCoreSecond = "mdd_input_pps_per_core"
    }

    /// The report as pretty JSON with sorted keys.
    public func json() throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        return try encoder.encode(self)
    }

    /// A human table.
    public var summary: String {
        var lines = [String(format: "offline: %d conferences, %d participants, %.1f s of media, %d packets sent (mean payload %.0f B), %d copies delivered, ",
                            conferences, participants, mediaSeconds, packetsSent, meanPayloadBytes, copiesDelivered) + "profile \(profile)"]
        if rtxPackets > 0 { lines.append("of the packets sent, \(rtxPackets) are modelled RTX retransmissions") }
        let width = stages.map(\.stage.count).max() ?? 0
        lines.append("stage".padding(toLength: width, withPad: " ", startingAt: 0) + "   packets   ns/packet   cpu s   failures")
        for stage in stages {
            lines.append(stage.stage.padding(toLength: width, withPad: " ", startingAt: 0)
                         + String(format: "  %8d  %10.0f  %6.3f  %9d", stage.packets, stage.nsPerPacket, stage.cpuSeconds, stage.failures))
        }
        lines.append(String(format: "thread cpu %.3f s; mdd fan-out: %.0f input packets/s per core at this mix", threadCPUSeconds,
                            mddPacketsPerCoreSecond))
        return lines.joined(separator: "\n")
    }
}
