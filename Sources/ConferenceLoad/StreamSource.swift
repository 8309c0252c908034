// SPDX-License-Identifier: Apache-2.0
// Copyright 2026 the swift-perc authors

/// One frame of a stream: its packets' payload sizes (sent as one burst) and the time to the next frame.
public struct TrafficFrame: Sendable, Equatable {
    public var packets: [Int]
    /// Nanoseconds until the stream's next frame.
    public var gap: Int64
    public var keyframe: Bool
}

/// The frames of one sending stream (one SSRC), from an ``AudioModel`` or one simulcast
/// layer of a ``VideoModel``, drawn from a seeded generator: the same seed gives the same frames.
public struct StreamSource: Sendable {
    /// What the stream carries.
    public enum Kind: Sendable, Equatable {
        case audio(AudioModel)
        case video(VideoModel, layer: Int)
    }

    public let kind: Kind
    private var random: SeededRandom
    private var talking = true
    private var phaseLeft: Double
    private var frameIndex = 0

    /// A stream of `kind` seeded with `seed`.
    public init(_ kind: Kind, seed: UInt64) {
        self.kind = kind
        random = SeededRandom(seed: seed, stream: 0x5752)
        if case .audio(let model) = kind {
            phaseLeft = random.exponential(mean: model.meanTalkSeconds)
        } else {
            phaseLeft = 0
        }
    }

    /// The stream number in payloads and SSRCs: 0 audio, 1...3 video layers (1 the top).
    public var stream: UInt8 {
        switch kind {
        case .audio: 0
        case .video(_, let layer): UInt8(1 + layer)
        }
    }

    /// The next frame.
    public mutating func nextFrame() -> TrafficFrame {
        switch kind {
        case .audio(let model):
            if talking {
                let size = model.minimumBytes + Int(random.uniform() * Double(model.maximumBytes - model.minimumBytes + 1))
                let frame = TrafficFrame(packets: [size], gap: Int64(model.frameMilliseconds) * 1_000_000, keyframe: false)
                if model.dtx {
                    phaseLeft -= Double(model.frameMilliseconds) / 1000
                    if phaseLeft <= 0 { talking = false; phaseLeft = random.exponential(mean: model.meanSilenceSeconds) }
                }
                return frame
            }
            phaseLeft -= Double(model.silenceFrameInterval) / 1000
            if phaseLeft <= 0 { talking = true; phaseLeft = random.exponential(mean: model.meanTalkSeconds) }
            return TrafficFrame(packets: [model.silenceFrameBytes], gap: Int64(model.silenceFrameInterval) * 1_000_000,
                                keyframe: false)
        case .video(let model, let layer):
            let framesPerKeyframe = max(Int((model.keyframeInterval * model.frameRate).rounded()), 1)
            let keyframe = frameIndex % framesPerKeyframe == 0
            frameIndex += 1
            let variation = 1 + model.sizeVariation * (2 * random.uniform() - 1)
            let bytes = model.deltaFrameBytes(layer: layer) * (keyframe ? model.keyframeFactor : 1) * variation
            let packets = PayloadLimits.packetize(Int(bytes.rounded()))
            return TrafficFrame(packets: packets, gap: Int64((1e9 / model.frameRate).rounded()), keyframe: keyframe)
        }
    }
}

/// What one participant sends: audio, video, or both.
public struct ParticipantTraffic: Sendable, Equatable, Codable {
    /// A short name for reports (`audio`, `av`, `simulcast`, `video`, ...).
    public var name: String
    public var audio: AudioModel?
    public var video: VideoModel?

    public init(name: String, audio: AudioModel?, video: VideoModel?) {
        self.name = name
        self.audio = audio
        self.video = video
    }

    /// Its streams, seeded from `seed`.
    public func sources(seed: UInt64) -> [StreamSource] {
        var sources: [StreamSource] = []
        if let audio { sources.append(StreamSource(.audio(audio), seed: seed)) }
        if let video {
            for layer in 0..<video.simulcastLayers {
                sources.append(StreamSource(.video(video, layer: layer), seed: seed &+ UInt64(layer + 1)))
            }
        }
        return sources
    }
}

/// Participants' traffic in proportions: each participant gets one entry, drawn by weight
/// from a seeded generator (participant i's draw depends only on the seed and i).
public struct TrafficMix: Sendable, Equatable, Codable {
    public struct Entry: Sendable, Equatable, Codable {
        public var weight: Double
        public var traffic: ParticipantTraffic
        public init(weight: Double, traffic: ParticipantTraffic) {
            self.weight = weight
            self.traffic = traffic
        }
    }

    public var entries: [Entry]

    public init(_ entries: [Entry]) { self.entries = entries }

    /// Everyone sends the same.
    public init(everyone traffic: ParticipantTraffic) { entries = [Entry(weight: 1, traffic: traffic)] }

    /// The traffic of participant `index` under `seed`.
    public func traffic(participant index: Int, seed: UInt64) -> ParticipantTraffic {
        guard entries.count > 1 else { return entries[0].traffic }
        var random = SeededRandom(seed: seed, stream: 0x4D49_5800 &+ UInt64(index))
        let total = entries.reduce(0) { $0 + $1.weight }
        var draw = random.uniform() * total
        for entry in entries {
            draw -= entry.weight
            if draw < 0 { return entry.traffic }
        }
        return entries[entries.count - 1].traffic
    }
}
