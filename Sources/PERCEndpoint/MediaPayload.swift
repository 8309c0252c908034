// SPDX-License-Identifier: Apache-2.0
// Copyright 2026 the swift-perc authors

#if canImport(Glibc)
import Glibc
#endif

/// The RTP payload a test endpoint sends: a 20-byte header saying who sent it, which stream
/// and packet it is and when it was sent, then filler bytes that are a function of those,
/// so a receiver can check every byte it got and the one-way latency.
///
/// Layout (big-endian): magic `"P"` (1), stream (1), whole length (2), sender (4), sequence (4),
/// send time (8, nanoseconds of `CLOCK_MONOTONIC`, which every process on a host shares),
/// then filler: byte i is byte `i % 8` of `mix(seed + i / 8)`, where `seed` mixes every header
/// field and `mix` is SplitMix64's finalizer, so a changed byte (header or filler) or a cut
/// payload shows.
public struct MediaPayload: Sendable, Equatable {
    /// Bytes before the filler.
    public static let headerLength = 20
    static let magic: UInt8 = 0x50

    /// The sending endpoint's number in the run.
    public var sender: UInt32
    /// The sender's stream (0 audio, 1 video, ...).
    public var stream: UInt8
    /// The packet's number in its stream, from 0.
    public var sequence: UInt32
    /// When it was sent (``MediaPayload/now()``).
    public var sendTime: UInt64
    /// Whole payload length, header included (``headerLength``...65535).
    public var length: Int

    /// A payload description; see the properties.
    public init(sender: UInt32, stream: UInt8, sequence: UInt32, sendTime: UInt64, length: Int) {
        self.sender = sender
        self.stream = stream
        self.sequence = sequence
        self.sendTime = sendTime
        self.length = min(max(length, Self.headerLength), 65535)
    }

    /// `CLOCK_MONOTONIC` in nanoseconds.
    public static func now() -> UInt64 {
        var time = timespec()
        clock_gettime(CLOCK_MONOTONIC, &time)
        return UInt64(time.tv_sec) * 1_000_000_000 + UInt64(time.tv_nsec)
    }

    /// SplitMix64's output function: every input bit affects every output bit.
    @inline(__always)
    static func mix(_ value: UInt64) -> UInt64 {
        var z = value &+ 0x9E37_79B9_7F4A_7C15
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// The filler's seed: all header fields (a change to any one of them changes it).
    var seed: UInt64 {
        Self.mix(Self.mix(UInt64(sender) << 32 | UInt64(sequence)) ^ UInt64(stream) << 56 ^ sendTime)
    }

    /// Calls `body` with each filler offset (`headerLength..<length`) and its byte, until it returns false.
    @inline(__always)
    func forEachFillerByte(_ body: (Int, UInt8) -> Bool) {
        let seed = self.seed
        var index = Self.headerLength
        var block = Self.mix(seed &+ UInt64(index >> 3))
        while index < length {
            if index & 7 == 0 { block = Self.mix(seed &+ UInt64(index >> 3)) }
            guard body(index, UInt8(truncatingIfNeeded: block >> UInt64((index & 7) * 8))) else { return }
            index += 1
        }
    }

    /// The payload's bytes.
    public var bytes: [UInt8] {
        var out = [Self.magic, stream, UInt8(truncatingIfNeeded: length >> 8), UInt8(truncatingIfNeeded: length)]
        for shift in stride(from: 24, through: 0, by: -8) { out.append(UInt8(truncatingIfNeeded: sender >> UInt32(shift))) }
        for shift in stride(from: 24, through: 0, by: -8) { out.append(UInt8(truncatingIfNeeded: sequence >> UInt32(shift))) }
        for shift in stride(from: 56, through: 0, by: -8) { out.append(UInt8(truncatingIfNeeded: sendTime >> UInt64(shift))) }
        out.reserveCapacity(length)
        forEachFillerByte { _, byte in
            out.append(byte)
            return true
        }
        return out
    }

    /// Reads and checks a received payload: the header must parse and every filler byte
    /// must be the one the header implies. Nil when anything differs.
    public init?(verifying payload: ArraySlice<UInt8>) {
        guard payload.count >= Self.headerLength else { return nil }
        let base = payload.startIndex
        guard payload[base] == Self.magic, Int(payload[base + 2]) << 8 | Int(payload[base + 3]) == payload.count else {
            return nil
        }
        func word(_ offset: Int, _ count: Int) -> UInt64 {
            (0..<count).reduce(UInt64(0)) { $0 << 8 | UInt64(payload[base + offset + $1]) }
        }
        self.init(sender: UInt32(word(4, 4)), stream: payload[base + 1], sequence: UInt32(word(8, 4)),
                  sendTime: word(12, 8), length: payload.count)
        var intact = true
        forEachFillerByte { index, byte in
            intact = payload[base + index] == byte
            return intact
        }
        guard intact else { return nil }
    }
}
