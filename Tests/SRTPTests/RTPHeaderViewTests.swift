// SPDX-License-Identifier: Apache-2.0
// Copyright 2026 the swift-perc authors

import SRTP
import TestSupport
import Testing

/// The RTP and RTCP header views (RFC 3550 5.1, 6.4) and RFC 8285 extension elements:
/// seeded random headers built from known parts must read back exactly; padding and
/// reserved IDs are skipped or stop parsing as RFC 8285 4.2 / 4.3 say; overruns are errors.
@Suite struct RTPHeaderViewTests {
    struct Built {
        var bytes: [UInt8] = []
        var csrcs: [UInt32] = []
        var profile: UInt16? = nil
        var elements: [[UInt8]] = []   // id followed by the value
        var headerLength = 0
        var padding: Int? = nil
    }

    static func build(using rng: inout SeededGenerator) -> Built {
        var built = Built()
        built.csrcs = (0..<Int.random(in: 0...15, using: &rng)).map { _ in UInt32.random(in: 0...UInt32.max, using: &rng) }
        var extensionData: [UInt8] = []
        switch Int.random(in: 0..<3, using: &rng) {
        case 0: break
        case 1:
            built.profile = 0xBEDE
            for _ in 0..<Int.random(in: 0...6, using: &rng) {
                if Bool.random(using: &rng) { extensionData.append(0) }
                let value = rng.bytes(Int.random(in: 1...16, using: &rng))
                let id = UInt8.random(in: 1...14, using: &rng)
                extensionData.append(id << 4 | UInt8(value.count - 1))
                extensionData += value
                built.elements.append([id] + value)
            }
        default:
            built.profile = 0x1000 | UInt16.random(in: 0...15, using: &rng)
            for _ in 0..<Int.random(in: 0...6, using: &rng) {
                if Bool.random(using: &rng) { extensionData.append(0) }
                let value = rng.bytes(Int.random(in: 0...30, using: &rng))
                let id = UInt8.random(in: 1...255, using: &rng)
                extensionData += [id, UInt8(value.count)] + value
                built.elements.append([id] + value)
            }
        }
        while extensionData.count % 4 != 0 { extensionData.append(0) }
        let payload = rng.bytes(Int.random(in: 0...64, using: &rng))
        let padding = payload.isEmpty || Bool.random(using: &rng) ? nil : Int.random(in: 1...payload.count, using: &rng)
        built.padding = padding
        built.bytes = [0x80 | (padding != nil ? 0x20 : 0) | (built.profile != nil ? 0x10 : 0) | UInt8(built.csrcs.count),
                       0xE0, 0xAB, 0xCD, 0x01, 0x02, 0x03, 0x04, 0xCA, 0xFE, 0xBA, 0xBE]
        for csrc in built.csrcs { built.bytes += TestPackets.bigEndian(csrc) }
        if let profile = built.profile {
            built.bytes += [UInt8(profile >> 8), UInt8(profile & 0xFF), 0, UInt8(extensionData.count / 4)] + extensionData
        }
        built.headerLength = built.bytes.count
        var body = payload
        if let padding { body[body.count - 1] = UInt8(padding) }
        built.bytes += body
        return built
    }

    @Test func randomHeadersReadBack() throws {
        var rng = SeededGenerator(seed: 0x4EAD)
        for _ in 0..<2000 {
            let built = Self.build(using: &rng)
            try built.bytes.withUnsafeBytes { raw in
                let view = try RTPHeaderView(raw)
                #expect(view.headerLength == built.headerLength)
                #expect(view.csrcCount == built.csrcs.count)
                #expect((0..<view.csrcCount).map { view.csrc(at: $0) } == built.csrcs)
                #expect(view.marker && view.payloadType == 0x60)
                #expect(view.sequenceNumber == 0xABCD && view.timestamp == 0x0102_0304 && view.ssrc == 0xCAFE_BABE)
                #expect(view.baseHeaderLength == 12 + 4 * built.csrcs.count)
                #expect(view.paddingLength == built.padding)
                #expect(view.hasExtension == (built.profile != nil))
                if let ext = view.headerExtension {
                    #expect(ext.profile == built.profile)
                    #expect(ext.isOneByte == (built.profile == 0xBEDE) && ext.isTwoByte == (built.profile != 0xBEDE))
                    #expect(try ext.elements().map { [$0.id] + $0.value } == built.elements)
                }
            }
        }
    }

    /// RFC 8285 4.2: ID 15 ends parsing of the block, whatever follows.
    @Test func oneByteReservedIDStopsParsing() throws {
        let packet = [0x90] + TestPackets.rtp(sequenceNumber: 1, payload: []).dropFirst()
            + [0xBE, 0xDE, 0x00, 0x02, 0x10, 0xAA, 0xF3, 0xFF, 0x20, 0x01, 0x02, 0x00]
        try packet.withUnsafeBytes { raw in
            let view = try RTPHeaderView(raw)
            #expect(view.headerLength == 24)
            #expect(try view.headerExtension?.elements().map { [$0.id] + $0.value } == [[1, 0xAA]])
        }
    }

    /// A one-byte element header with ID 0 is padding, length bits or not (RFC 8285 4.2:
    /// ID 0 is reserved for padding), so no element ever has ID 0.
    @Test func oneByteIDZeroIsPadding() throws {
        let packet: [UInt8] = [0x90, 0x60, 0, 1, 0, 0, 0, 0, 0xCA, 0xFE, 0xBA, 0xBE, 0xBE, 0xDE, 0, 2,
                               0x03, 0x10, 0xAA, 0x00, 0x21, 0xBB, 0xCC, 0x00]
        try packet.withUnsafeBytes { raw in
            let view = try RTPHeaderView(raw)
            #expect(try view.headerExtension?.elements().map { [$0.id] + $0.value } == [[1, 0xAA], [2, 0xBB, 0xCC]])
        }
    }

    @Test func elementsPastTheBlockAreErrors() throws {
        for block: [UInt8] in [[0xBE, 0xDE, 0x00, 0x01, 0x13, 0xAA, 0xBB, 0xCC],   // L=3 needs 4 bytes, 3 left
                               [0x10, 0x00, 0x00, 0x01, 0x05, 0x04, 0xAA, 0xBB],   // length 4, 2 left
                               [0x10, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x07]] { // ID 7 without its length byte
            let packet = [0x90] + TestPackets.rtp(sequenceNumber: 1, payload: []).dropFirst() + block
            try packet.withUnsafeBytes { raw in
                let view = try RTPHeaderView(raw)
                #expect(throws: SRTPError.malformed(.extensionPastEnd(length: 4))) { try view.headerExtension?.elements() }
            }
        }
    }

    @Test func rtcpHeader() throws {
        let packet = TestPackets.rtcp(ssrc: 0x0A0B_0C0D, body: [1, 2, 3, 4])
        try packet.withUnsafeBytes { raw in
            let view = try RTCPHeaderView(raw)
            #expect(view.count == 1 && view.packetType == 201 && view.lengthField == 1 && view.ssrc == 0x0A0B_0C0D && !view.hasPadding)
        }
        #expect(throws: SRTPError.malformed(.tooShort(length: 7, needed: 8))) {
            try Array(packet.prefix(7)).withUnsafeBytes { _ = try RTCPHeaderView($0) }
        }
    }

    /// A padding count larger than the payload is reported as no valid padding (nil).
    @Test func impossiblePaddingCount() throws {
        var packet = TestPackets.rtp(sequenceNumber: 1, payload: [1, 2, 3])
        packet[0] |= 0x20
        packet[packet.count - 1] = 4
        #expect(try packet.withUnsafeBytes { try RTPHeaderView($0).paddingLength } == nil)
        packet[packet.count - 1] = 3
        #expect(try packet.withUnsafeBytes { try RTPHeaderView($0).paddingLength } == 3)
    }
}
