// SPDX-License-Identifier: Apache-2.0
// Copyright 2026 the swift-perc authors

/// One media stream's sending pattern: every `interval` a frame of `frameBytes` bytes,
/// cut into packets whose payload is at most `maximumPayload` bytes, sent in one burst.
public struct TrafficModel: Sendable, Equatable {
    /// The stream number carried in the payload (0 audio, 1 video).
    public let stream: UInt8
    /// Time between frames.
    public let interval: Duration
    /// Bytes of one frame (payload header included).
    public let frameBytes: Int
    /// Largest RTP payload; with the double transform's and EKT's overhead and the RTP header
    /// a packet stays at or below 1200 bytes.
    public let maximumPayload: Int

    /// RTP payload bytes that keep a double-protected packet with a Full EKT field at 1200 bytes:
    /// 1200 - 12 (RTP header) - 33 (two tags, OHB) - 47 (Full EKT field wrapping a 16-byte key).
    public static let payloadFor1200ByteDatagrams = 1108

    /// Audio as in an Opus call: a 160-byte payload every 20 ms (50 packets/s).
    public static let audio = TrafficModel(stream: 0, interval: .milliseconds(20), frameBytes: 160,
                                           maximumPayload: payloadFor1200ByteDatagrams)

    /// Video at `kbps` kbit/s of payload, 30 frames/s, each frame packetized into payloads of
    /// at most ``payloadFor1200ByteDatagrams`` bytes.
    public static func video(kbps: Int) -> TrafficModel {
        TrafficModel(stream: 1, interval: .nanoseconds(33_333_333), frameBytes: max(kbps * 1000 / 8 / 30, 32),
                     maximumPayload: payloadFor1200ByteDatagrams)
    }

    /// The payload sizes of one frame's packets, in order (sizes as equal as possible).
    public var packetSizes: [Int] {
        let count = (frameBytes + maximumPayload - 1) / maximumPayload
        let base = frameBytes / count, extra = frameBytes % count
        return (0..<count).map { base + ($0 < extra ? 1 : 0) }
    }

    /// Packets per second this stream sends.
    public var packetsPerSecond: Double {
        let (seconds, attoseconds) = interval.components
        return Double(packetSizes.count) / (Double(seconds) + Double(attoseconds) * 1e-18)
    }
}
