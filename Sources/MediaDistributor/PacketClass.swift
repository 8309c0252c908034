// SPDX-License-Identifier: Apache-2.0
// Copyright 2026 the swift-perc authors

/// What a datagram on the media port is, by its first bytes (RFC 7983 7, RFC 5761 4).
public enum PacketClass: Sendable, Equatable {
    /// First byte 0...3.
    case stun
    /// First byte 20...63.
    case dtls
    /// First byte 128...191, second byte not 192...223.
    case rtp
    /// First byte 128...191, second byte (the RTCP packet type) 192...223.
    case rtcp
    /// Anything else (ZRTP, TURN channels, garbage): dropped.
    case other

    /// Classifies a datagram from its first two bytes (`second` is ignored unless needed).
    @inline(__always)
    public init(first: UInt8, second: UInt8) {
        // Plain comparisons: no range or pattern-matching generics on the per-packet path.
        if first <= 3 {
            self = .stun
        } else if first >= 20 && first <= 63 {
            self = .dtls
        } else if first >= 128 && first <= 191 {
            self = second >= 192 && second <= 223 ? .rtcp : .rtp
        } else {
            self = .other
        }
    }

    /// Classifies `datagram` (empty and one-byte RTP-range datagrams are `.other`).
    @inline(__always)
    public init(_ datagram: UnsafeRawBufferPointer) {
        let count = datagram.count
        guard count > 0 else { self = .other; return }
        let first = datagram[0]
        if first >= 128 && first <= 191 && count < 2 { self = .other; return }
        self.init(first: first, second: count > 1 ? datagram[1] : 0)
    }
}
