// SPDX-License-Identifier: Apache-2.0
// Copyright 2026 the swift-perc authors

import ConferenceLoad
import PERCEndpoint
import Testing

/// The traffic models' statistics for a seed (rates, sizes, bitrates within tolerance),
/// their reproducibility, the mix and the scenario plan.
@Suite struct TrafficModelTests {
    /// Packets, payload bytes and frames of `seconds` of a stream (no clock: frame gaps add up).
    struct Tally {
        var packets = 0, bytes = 0, frames = 0, keyframes = 0, largest = 0, smallest = Int.max
        var sizes: [Int] = []
    }

    static func run(_ kind: StreamSource.Kind, seconds: Double, seed: UInt64 = 7) -> Tally {
        var source = StreamSource(kind, seed: seed)
        var tally = Tally()
        var time = 0.0
        while time < seconds {
            let frame = source.nextFrame()
            tally.frames += 1
            tally.packets += frame.packets.count
            tally.bytes += frame.packets.reduce(0, +)
            tally.keyframes += frame.keyframe ? 1 : 0
            tally.largest = max(tally.largest, frame.packets.max() ?? 0)
            tally.smallest = min(tally.smallest, frame.packets.min() ?? .max)
            tally.sizes += frame.packets
            time += Double(frame.gap) / 1e9
        }
        return tally
    }

    @Test func opusLikeAudioIs50PacketsPerSecondOf100To160Bytes() {
        let tally = Self.run(.audio(AudioModel()), seconds: 60)
        #expect(tally.packets == 3000)
        #expect(tally.smallest >= 100 && tally.largest <= 160)
        let mean = Double(tally.bytes) / Double(tally.packets)
        #expect(abs(mean - 130) < 2, "mean \(mean)")
        // Both ends of the range occur.
        #expect(tally.sizes.contains(100) && tally.sizes.contains(160))
    }

    @Test func dtxAudioSendsFewerPacketsAsTheTalkShareSays() {
        let model = AudioModel(dtx: true)
        let tally = Self.run(.audio(model), seconds: 600)
        let pps = Double(tally.packets) / 600
        #expect(abs(pps - model.meanPacketsPerSecond) / model.meanPacketsPerSecond < 0.1,
                "pps \(pps), expected about \(model.meanPacketsPerSecond)")
        #expect(tally.sizes.contains(model.silenceFrameBytes))
        #expect(pps < 35)
    }

    @Test(arguments: [300, 1000, 2500])
    func videoAveragesItsBitrateWithKeyframesAndPacketsUnder1200Bytes(kbps: Int) {
        let model = VideoModel(kbps: kbps)
        // 1800 frames of 33,333,333 ns end just before 60 s.
        let tally = Self.run(.video(model, layer: 0), seconds: 59.99)
        let bitrate = Double(tally.bytes * 8) / 60 / 1000
        #expect(abs(bitrate - Double(kbps)) / Double(kbps) < 0.05, "\(bitrate) kbit/s for \(kbps)")
        #expect(tally.frames == 1800)
        #expect(tally.keyframes == 20)   // every 3 s
        #expect(tally.largest <= PayloadLimits.payloadFor1200ByteDatagrams)
        // Frames go out as bursts of several packets once they exceed one datagram.
        let packetsPerFrame = Double(tally.packets) / Double(tally.frames)
        let bytesPerFrame = Double(kbps) * 1000 / 8 / 30
        #expect(packetsPerFrame >= bytesPerFrame / Double(PayloadLimits.payloadFor1200ByteDatagrams))
    }

    @Test func simulcastLayersRunAtAQuarterEachWithTheirRTXStreams() {
        var model = VideoModel(kbps: 1600, simulcastLayers: 3)
        model.keyframeInterval = 2
        let rates = (0..<3).map { layer in
            Double(Self.run(.video(model, layer: layer), seconds: 60).bytes * 8) / 60 / 1000
        }
        for (layer, rate) in rates.enumerated() {
            let target = 1600 / Double(1 << (2 * layer))
            #expect(abs(rate - target) / target < 0.06, "layer \(layer): \(rate) kbit/s for \(target)")
        }
        let sources = ParticipantTraffic(name: "s", audio: AudioModel(), video: model).sources(seed: 1)
        #expect(sources.map(\.stream) == [0, 1, 2, 3])
        // Each video layer's retransmissions go on stream + 4; audio has none.
        #expect(sources.map { RTXPacket.stream(repairing: $0.stream) } == [nil, 5, 6, 7])
        #expect([5, 6, 7, 0, 4, 8].map(RTXPacket.repairedStream) == [1, 2, 3, nil, nil, nil])
    }

    @Test func theSameSeedGivesTheSameFramesAndAnotherSeedOthers() {
        func frames(_ seed: UInt64) -> [TrafficFrame] {
            var source = StreamSource(.video(VideoModel(kbps: 800), layer: 0), seed: seed)
            return (0..<200).map { _ in source.nextFrame() }
        }
        #expect(frames(42) == frames(42))
        #expect(frames(42) != frames(43))
    }

    @Test func theMixFollowsItsWeightsReproducibly() {
        let audio = ParticipantTraffic(name: "audio", audio: AudioModel(), video: nil)
        let av = ParticipantTraffic(name: "av", audio: AudioModel(), video: VideoModel(kbps: 500))
        let mix = TrafficMix([.init(weight: 3, traffic: av), .init(weight: 1, traffic: audio)])
        let names = (0..<2000).map { mix.traffic(participant: $0, seed: 5).name }
        let share = Double(names.count { $0 == "av" }) / 2000
        #expect(abs(share - 0.75) < 0.04, "av share \(share)")
        #expect(names == (0..<2000).map { mix.traffic(participant: $0, seed: 5).name })
    }

    @Test func churnReplacesParticipantsAtItsRateAndStopsBeforeTheEnd() {
        let address = HostPort(host: "127.0.0.1", port: 1)
        let configuration = LoadConfiguration(
            conferenceService: address, mediaDistributor: address, conferenceSizes: [2, 4, 8], duration: 200,
            mix: TrafficMix(everyone: ParticipantTraffic(name: "audio", audio: AudioModel(), video: nil)),
            rampUp: 7, churn: 2, joinStorm: .init(participants: 5, at: 10), seed: 3)
        let plan = ScenarioPlan(configuration)
        let first = 14, storm = 5
        let replacements = plan.participants.count - first - storm
        #expect(replacements == plan.churnTimes.count)
        // About 2 per second over the churn window (from the end of the ramp + 2 s to 5 s before the end).
        let window = 200 - 5 - (13.0 / 7 + 2)
        #expect(abs(Double(replacements) - 2 * window) < 4 * (2 * window).squareRoot(), "\(replacements) in \(window) s")
        #expect(plan.churnTimes.allSatisfy { $0 < 195 })
        // Each churn event is one leave and one join in the same conference at the same time.
        for time in plan.churnTimes {
            let leavers = plan.participants.filter { $0.leaveAt == time }
            let joiners = plan.participants.filter { $0.joinAt == time }
            #expect(leavers.count == 1 && joiners.count == 1 && leavers.first?.conference == joiners.first?.conference)
        }
        // The ramp: 7 joins per second, conferences filled round robin.
        #expect(plan.participants.prefix(first).map(\.joinAt) == (0..<first).map { Double($0) / 7 })
        #expect(plan.participants.filter { $0.joinAt == 10 }.count >= storm)
        #expect(ScenarioPlan(configuration).participants == plan.participants)
    }

    @Test func pathBreaksComeAtTheirRateToParticipantsPresentAroundThem() {
        let address = HostPort(host: "127.0.0.1", port: 1)
        var configuration = LoadConfiguration(
            conferenceService: address, mediaDistributor: address, conferenceSizes: [2, 4, 8], duration: 200,
            mix: TrafficMix(everyone: ParticipantTraffic(name: "audio", audio: AudioModel(), video: nil)),
            churn: 0.5, seed: 5)
        configuration.pathBreaks = 2
        let plan = ScenarioPlan(configuration)
        // About 2 per second from 2 s in to 5 s before the end.
        let window = 200 - 5 - 2.0
        #expect(abs(Double(plan.pathBreakCount) - 2 * window) < 4 * (2 * window).squareRoot(), "\(plan.pathBreakCount)")
        for participant in plan.participants {
            for (n, time) in participant.pathBreaks.enumerated() {
                #expect(time >= participant.joinAt + 2 && time + 2 < (participant.leaveAt ?? .infinity) && time < 195)
                if n > 0 { #expect(time >= participant.pathBreaks[n - 1] + 2) }
            }
        }
        #expect(ScenarioPlan(configuration).participants == plan.participants)
        configuration.pathBreaks = 0
        #expect(ScenarioPlan(configuration).pathBreakCount == 0)
        // Path breaks draw from their own random stream: churn is the same with or without them.
        #expect(ScenarioPlan(configuration).churnTimes == plan.churnTimes)
    }
}
