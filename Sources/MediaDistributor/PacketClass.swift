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
        switch first {
        case 0...3: self = .stun
        case 20...63: self = .dtls
        case 128...191: self = (192...223).contains(second) ? .rtcp : .rtp
        default: self = .other
        }
    }

    /// Classifies `datagram` (empty and one-byte RTP-range datagrams are `.other`).
    public init(_ datagram: UnsafeRawBufferPointer) {
        guard let first = datagram.first else { self = .other; return }
        if (128...191).contains(first) && datagram.count < 2 { self = .other; return }
        self.init(first: first, second: datagram.count > 1 ? datagram[1] : 0)
    }
}
