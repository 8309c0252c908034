// SPDX-License-Identifier: Apache-2.0
// Copyright 2026 the swift-perc authors

import PERCTunnel
import SRTP
import TestSupport
import Testing

/// Reassembly across arbitrary read boundaries, and rejection of garbage.
@Suite struct TunnelMessageDecoderTests {
    /// One of each message type, with a large TunneledDtls that spans many TLS records.
    static func sampleMessages() -> [TunnelMessage] {
        let id = AssociationID.random()
        return [
            .supportedProfiles(SupportedProfiles(protectionProfiles: [0x0009, 0x000A])),
            .tunneledDtls(TunneledDtls(associationID: id, dtlsMessage: (0..<40_000).map { UInt8(truncatingIfNeeded: $0 * 7) })),
            .mediaKeys(MediaKeys(associationID: id, protectionProfile: 0x0009,
                                 clientWriteMasterKey: SecretBytes((0..<16).map { UInt8($0) }),
                                 serverWriteMasterKey: SecretBytes((16..<32).map { UInt8($0) }),
                                 clientWriteMasterSalt: [UInt8](repeating: 1, count: 12),
                                 serverWriteMasterSalt: [UInt8](repeating: 2, count: 12))),
            .tunneledDtls(TunneledDtls(associationID: id, dtlsMessage: [22])),
            .endpointDisconnect(EndpointDisconnect(associationID: id)),
            .unsupportedVersion(UnsupportedVersion(highestVersion: 0)),
        ]
    }

    static func stream(_ messages: [TunnelMessage]) throws -> [UInt8] {
        try messages.flatMap { try $0.encoded() }
    }

    @Test func byteAtATime() throws {
        let messages = Self.sampleMessages()
        var decoder = TunnelMessageDecoder()
        var out: [TunnelMessage] = []
        for byte in try Self.stream(messages) {
            try decoder.feed(CollectionOfOne(byte)) { out.append($0) }
            #expect(decoder.bufferedByteCount <= TunnelMessageDecoder.maximumBufferedBytes)
        }
        try decoder.finish()
        #expect(out == messages)
    }

    @Test func randomChunks() throws {
        let messages = Self.sampleMessages()
        let bytes = try Self.stream(messages)
        var generator = SeededGenerator(seed: 0x9185)
        for _ in 0..<20 {
            var decoder = TunnelMessageDecoder()
            var out: [TunnelMessage] = []
            var offset = 0
            while offset < bytes.count {
                let size = Int.random(in: 1...20_000, using: &generator)
                let end = min(offset + size, bytes.count)
                try decoder.feed(bytes[offset..<end]) { out.append($0) }
                offset = end
            }
            try decoder.finish()
            #expect(out == messages)
        }
    }

    @Test func wholeStreamAtOnce() throws {
        let messages = Self.sampleMessages()
        var decoder = TunnelMessageDecoder()
        var out: [TunnelMessage] = []
        try decoder.feed(try Self.stream(messages)) { out.append($0) }
        #expect(out == messages)
        #expect(decoder.bufferedByteCount == 0)
    }

    @Test func partialMessageAtEndIsReported() throws {
        let bytes = try TunnelMessage.endpointDisconnect(EndpointDisconnect(associationID: .random())).encoded()
        var decoder = TunnelMessageDecoder()
        try decoder.feed(bytes.dropLast(3)) { _ in Issue.record("no message expected") }
        #expect(decoder.bufferedByteCount == bytes.count - 3)
        #expect(throws: TunnelError.truncatedStream(buffered: bytes.count - 3)) { try decoder.finish() }
    }

    @Test func unknownTypeIsRejectedAtItsFirstByteAndStaysRejected() throws {
        var decoder = TunnelMessageDecoder()
        var delivered = 0
        let good = try TunnelMessage.unsupportedVersion(UnsupportedVersion(highestVersion: 0)).encoded()
        #expect(throws: TunnelError.unknownMessageType(0x47)) {
            try decoder.feed(good + Array("GET / HTTP/1.1\r\n".utf8)) { _ in delivered += 1 }
        }
        #expect(delivered == 1, "the message before the garbage is delivered")
        #expect(decoder.bufferedByteCount == 0)
        #expect(throws: TunnelError.unknownMessageType(0x47)) { try decoder.feed(good) { _ in delivered += 1 } }
        #expect(delivered == 1)
    }

    @Test func reservedTypeZeroIsRejected() {
        var decoder = TunnelMessageDecoder()
        #expect(throws: TunnelError.reservedMessageType) { try decoder.feed([0x00]) { _ in } }
    }

    /// Random bytes never crash the decoder and never make it hold more than one message;
    /// every failure is a TunnelError.
    @Test func randomGarbage() {
        var generator = SeededGenerator(seed: 42)
        var failures = 0
        for _ in 0..<2000 {
            var decoder = TunnelMessageDecoder()
            let length = Int.random(in: 1...300, using: &generator)
            var bytes = (0..<length).map { _ in UInt8.random(in: 0...255, using: &generator) }
            bytes[0] = UInt8.random(in: 1...5, using: &generator)   // get past the type check
            if length > 2 { bytes[1] = 0 }
            do {
                try decoder.feed(bytes) { _ in }
                #expect(decoder.bufferedByteCount < TunnelMessageDecoder.maximumBufferedBytes)
            } catch is TunnelError {
                failures += 1
            } catch {
                Issue.record("unexpected error type \(error)")
            }
        }
        #expect(failures > 0)
    }
}
