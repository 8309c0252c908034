// SPDX-License-Identifier: Apache-2.0
// Copyright 2026 the swift-perc authors

import PERCEndpoint

/// Audio as Opus sends it: a frame every ``frameMilliseconds`` (50 packets/s at 20 ms) of
/// ``minimumBytes``...``maximumBytes`` bytes (uniform, mean 130), one packet per frame. With
/// ``dtx``, the talker alternates talk spurts and silences (exponential lengths with the
/// given means); in silence it sends one ``silenceFrameBytes`` comfort-noise frame every
/// ``silenceFrameInterval`` milliseconds, as Opus DTX does (400 ms).
public struct AudioModel: Sendable, Equatable, Codable {
    public var frameMilliseconds = 20
    public var minimumBytes = 100
    public var maximumBytes = 160
    public var dtx = false
    public var meanTalkSeconds = 1.5
    public var meanSilenceSeconds = 1.5
    public var silenceFrameBytes = 24
    public var silenceFrameInterval = 400

    /// Opus-like audio, with or without DTX.
    public init(dtx: Bool = false) { self.dtx = dtx }

    /// Mean packets per second (with DTX: the talk share at 1000/frame ms, the rest at one per silence interval).
    public var meanPacketsPerSecond: Double {
        let talking = 1000 / Double(frameMilliseconds), silent = 1000 / Double(silenceFrameInterval)
        guard dtx else { return talking }
        let share = meanTalkSeconds / (meanTalkSeconds + meanSilenceSeconds)
        return share * talking + (1 - share) * silent
    }
}

/// Video as a real encoder sends it: ``frameRate`` frames per second averaging ``kbps``
/// (keyframes included) of RTP payload; a keyframe every ``keyframeInterval`` seconds is
/// ``keyframeFactor`` times a delta frame; frame sizes vary by ±``sizeVariation``
/// (uniform); every frame is cut into packets of at most
/// ``PayloadLimits/payloadFor1200ByteDatagrams`` bytes sent in one burst. With
/// ``simulcastLayers`` > 1 the sender also sends lower layers at a quarter of the bitrate
/// each (layer 2 at kbps/4, layer 3 at kbps/16), each its own SSRC. Retransmissions are not
/// part of the model: with ``LoadConfiguration/retransmission`` the endpoints run a real
/// NACK/RTX loop that answers the loss they see.
public struct VideoModel: Sendable, Equatable, Codable {
    public var kbps: Int
    public var frameRate: Double = 30
    public var keyframeInterval: Double = 3
    public var keyframeFactor: Double = 4
    public var sizeVariation: Double = 0.2
    public var simulcastLayers = 1

    /// Video at `kbps` kbit/s of payload (the top layer's).
    public init(kbps: Int, simulcastLayers: Int = 1) {
        self.kbps = kbps
        self.simulcastLayers = min(max(simulcastLayers, 1), 3)
    }

    /// The bitrate of `layer` (0: the top one), kbit/s.
    public func layerKbps(_ layer: Int) -> Double { Double(kbps) / Double(1 << (2 * layer)) }

    /// Mean bytes of a delta frame of `layer`, so keyframes and deltas together average its bitrate.
    func deltaFrameBytes(layer: Int) -> Double {
        let framesPerKeyframe = max(keyframeInterval * frameRate, 1)
        let bytesPerGroup = layerKbps(layer) * 1000 / 8 / frameRate * framesPerKeyframe
        return bytesPerGroup / (framesPerKeyframe - 1 + keyframeFactor)
    }
}

/// Payload sizes that keep a double-protected packet within a 1200-byte datagram.
public enum PayloadLimits {
    /// RTP payload bytes that keep a double-protected packet with a Full EKT field at 1200 bytes:
    /// 1200 - 12 (RTP header) - 33 (two tags, OHB) - 47 (Full EKT field wrapping a 16-byte key).
    public static let payloadFor1200ByteDatagrams = 1108

    /// `bytes` cut into packets of at most `maximum` bytes, sizes as equal as possible, each
    /// at least a payload header.
    public static func packetize(_ bytes: Int, maximum: Int = payloadFor1200ByteDatagrams) -> [Int] {
        let bytes = max(bytes, MediaPayload.headerLength)
        let count = (bytes + maximum - 1) / maximum
        let base = bytes / count, extra = bytes % count
        return (0..<count).map { base + ($0 < extra ? 1 : 0) }
    }
}
