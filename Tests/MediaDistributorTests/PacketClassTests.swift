// SPDX-License-Identifier: Apache-2.0
// Copyright 2026 the swift-perc authors

import MediaDistributor
import Testing

/// RFC 7983 7 demultiplexing by first byte, RTCP by the second (RFC 5761 4).
@Suite struct PacketClassTests {
    @Test func everyFirstByte() {
        for first in 0...255 {
            let expected: PacketClass
            switch first {
            case 0...3: expected = .stun
            case 20...63: expected = .dtls
            case 128...191: expected = .rtp
            default: expected = .other
            }
            #expect(PacketClass(first: UInt8(first), second: 96) == expected, "first byte \(first)")
        }
    }

    @Test func rtcpBySecondByte() {
        for second in 0...255 {
            let expected: PacketClass = (192...223).contains(second) ? .rtcp : .rtp
            #expect(PacketClass(first: 0x80, second: UInt8(second)) == expected)
        }
        #expect([UInt8]().withUnsafeBytes { PacketClass($0) } == .other)
        #expect([UInt8(0x80)].withUnsafeBytes { PacketClass($0) } == .other)
        #expect([UInt8(0x81), 200].withUnsafeBytes { PacketClass($0) } == .rtcp)
    }
}
