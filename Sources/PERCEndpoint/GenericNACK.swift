// SPDX-License-Identifier: Apache-2.0
// Copyright 2026 the swift-perc authors

/// An RTCP transport-layer feedback Generic NACK (RFC 4585 6.2.1): a receiver's request that
/// the sender of `mediaSSRC` retransmit the RTP packets with the sequence numbers in
/// ``lostSequences``.
///
/// Wire format (RFC 4585 6.1 and 6.2.1, big-endian):
///
/// ```
///  0                   1                   2                   3
/// |V=2|P|  FMT=1  |    PT=205     |          length               |
/// |                  SSRC of packet sender                        |
/// |                  SSRC of media source                         |
/// |            PID                |             BLP               |   (one or more FCIs)
/// ```
///
/// `length` is the packet's length in 32-bit words minus one. Each FCI names the lost packet
/// `PID` and, in `BLP`, which of the 16 packets after it are lost too (numbering the least
/// significant bit 1, bit i is `PID + i`, modulo 2^16).
public struct GenericNACK: Sendable, Equatable {
    /// RTCP packet type of transport-layer feedback (RTPFB).
    public static let packetType: UInt8 = 205
    /// Feedback message type of the Generic NACK.
    public static let format: UInt8 = 1
    /// FCIs written into one packet at most; ``encode()`` starts another packet after them.
    public static let maximumFCIsPerPacket = 64

    /// The SSRC of the endpoint that asks.
    public var senderSSRC: UInt32
    /// The SSRC of the stream whose packets are asked for.
    public var mediaSSRC: UInt32
    /// The sequence numbers asked for, in FCI order (wire order).
    public var lostSequences: [UInt16]

    /// A request for `lostSequences` of `mediaSSRC` (order kept; a repeat of the current FCI's
    /// PID or of a sequence already in its bitmask is not written twice).
    public init(senderSSRC: UInt32, mediaSSRC: UInt32, lostSequences: [UInt16]) {
        self.senderSSRC = senderSSRC
        self.mediaSSRC = mediaSSRC
        self.lostSequences = lostSequences
    }

    /// The FCIs (PID, BLP) for ``lostSequences``: a sequence 1...16 after the current PID
    /// (modulo 2^16) sets its BLP bit, any other starts a new FCI.
    public var fcis: [(pid: UInt16, blp: UInt16)] {
        var out: [(pid: UInt16, blp: UInt16)] = []
        for sequence in lostSequences {
            if let last = out.last {
                let distance = sequence &- last.pid
                if distance == 0 { continue }
                if distance <= 16 {
                    out[out.count - 1].blp |= 1 << (distance - 1)
                    continue
                }
            }
            out.append((sequence, 0))
        }
        return out
    }

    /// The NACK as RTCP: one packet, or several (same SSRCs) when it needs more than
    /// ``maximumFCIsPerPacket`` FCIs, concatenated as a compound packet. Empty when there is
    /// nothing to ask for.
    public func encode() -> [UInt8] {
        let all = fcis
        var out: [UInt8] = []
        var start = 0
        while start < all.count {
            let chunk = all[start..<min(start + Self.maximumFCIsPerPacket, all.count)]
            start += chunk.count
            let length = UInt16(2 + chunk.count)
            out += [0x80 | Self.format, Self.packetType, UInt8(length >> 8), UInt8(truncatingIfNeeded: length)]
            for word in [senderSSRC, mediaSSRC] {
                out += [UInt8(word >> 24), UInt8(truncatingIfNeeded: word >> 16), UInt8(truncatingIfNeeded: word >> 8),
                        UInt8(truncatingIfNeeded: word)]
            }
            for fci in chunk {
                out += [UInt8(fci.pid >> 8), UInt8(truncatingIfNeeded: fci.pid),
                        UInt8(fci.blp >> 8), UInt8(truncatingIfNeeded: fci.blp)]
            }
        }
        return out
    }

    /// Reads one Generic NACK packet (exactly `bytes`, which must be the whole packet).
    /// - Throws: ``GenericNACKError`` when it is not a well-formed Generic NACK.
    public init(parsing bytes: ArraySlice<UInt8>) throws(GenericNACKError) {
        guard bytes.count >= 4 else { throw .truncated(bytes.count) }
        let base = bytes.startIndex
        guard bytes[base] >> 6 == 2 else { throw .version(bytes[base] >> 6) }
        guard bytes[base + 1] == Self.packetType, bytes[base] & 0x1F == Self.format else {
            throw .notGenericNACK(packetType: bytes[base + 1], format: bytes[base] & 0x1F)
        }
        guard bytes[base] & 0x20 == 0 else { throw .padding }
        let words = Int(bytes[base + 2]) << 8 | Int(bytes[base + 3])
        guard (words + 1) * 4 == bytes.count else { throw .length(declared: (words + 1) * 4, actual: bytes.count) }
        guard words >= 3 else { throw .noFCI }
        func word(_ offset: Int) -> UInt32 {
            (0..<4).reduce(UInt32(0)) { $0 << 8 | UInt32(bytes[base + offset + $1]) }
        }
        senderSSRC = word(4)
        mediaSSRC = word(8)
        lostSequences = []
        for offset in stride(from: 12, to: bytes.count, by: 4) {
            let fci = word(offset)
            let pid = UInt16(fci >> 16), blp = UInt16(truncatingIfNeeded: fci)
            lostSequences.append(pid)
            for bit in 0..<16 where blp & (1 << bit) != 0 { lostSequences.append(pid &+ UInt16(bit + 1)) }
        }
    }

    /// Every Generic NACK in an RTCP compound packet, in order; other RTCP packets (reports,
    /// SDES, other feedback) are skipped.
    /// - Throws: ``GenericNACKError`` when a packet header or length does not fit the
    ///   compound, or a packet that says it is a Generic NACK is malformed. Nothing is
    ///   returned then: a compound is taken whole or not at all.
    public static func parseCompound(_ bytes: ArraySlice<UInt8>) throws(GenericNACKError) -> [GenericNACK] {
        var nacks: [GenericNACK] = []
        guard !bytes.isEmpty else { throw .truncated(0) }
        var offset = bytes.startIndex
        while offset < bytes.endIndex {
            guard bytes.endIndex - offset >= 4 else { throw .truncated(bytes.endIndex - offset) }
            guard bytes[offset] >> 6 == 2 else { throw .version(bytes[offset] >> 6) }
            let length = ((Int(bytes[offset + 2]) << 8 | Int(bytes[offset + 3])) + 1) * 4
            guard length <= bytes.endIndex - offset else {
                throw .length(declared: length, actual: bytes.endIndex - offset)
            }
            if bytes[offset + 1] == packetType, bytes[offset] & 0x1F == format {
                nacks.append(try GenericNACK(parsing: bytes[offset..<offset + length]))
            }
            offset += length
        }
        return nacks
    }
}

/// Why bytes are not a Generic NACK (RFC 4585 6.2.1).
public enum GenericNACKError: Error, Equatable, Sendable {
    /// Fewer bytes than an RTCP header (the count).
    case truncated(Int)
    /// The RTCP version is not 2 (the version found).
    case version(UInt8)
    /// Another RTCP packet type or feedback format.
    case notGenericNACK(packetType: UInt8, format: UInt8)
    /// The padding bit is set (feedback packets here are never padded).
    case padding
    /// The length field does not match the bytes (both in bytes).
    case length(declared: Int, actual: Int)
    /// A Generic NACK without an FCI entry (RFC 4585 6.2.1 requires one or more).
    case noFCI
}
