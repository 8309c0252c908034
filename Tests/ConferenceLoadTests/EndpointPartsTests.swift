// SPDX-License-Identifier: Apache-2.0
// Copyright 2026 the swift-perc authors

import ConferenceLoad
import Foundation
import KeyDistributor
import NIOCore
import NIOPosix
@testable import PERCEndpoint
import Testing

/// The endpoint's small parts: addresses, payload verification, the HTTP client against the
/// real conference service.
@Suite struct EndpointPartsTests {
    @Test func hostPortParsesIPv4IPv6NamesAndSchemes() {
        #expect(HostPort("127.0.0.1:5004") == HostPort(host: "127.0.0.1", port: 5004))
        #expect(HostPort("[::1]:5004") == HostPort(host: "::1", port: 5004))
        #expect(HostPort("http://[::1]:8080/x") == HostPort(host: "::1", port: 8080))
        #expect(HostPort("http://localhost:80") == HostPort(host: "localhost", port: 80))
        #expect(HostPort("[::1]:5004")?.description == "[::1]:5004")
        for bad in ["::1:5004", "localhost", "host:0", "host:70000", ":5004", "[::1]5004", "[::1]:"] {
            #expect(HostPort(bad) == nil, "\(bad)")
        }
    }

    @Test func payloadVerifiesAndEveryChangedByteIsCaught() {
        let payload = MediaPayload(sender: 7, stream: 1, sequence: 123_456, sendTime: 987_654_321_000, length: 160)
        let bytes = payload.bytes
        #expect(bytes.count == 160)
        #expect(MediaPayload(verifying: bytes[...]) == payload)
        for index in bytes.indices {
            var changed = bytes
            changed[index] ^= 0x01
            #expect(MediaPayload(verifying: changed[...]) == nil, "flipped bit in byte \(index)")
        }
        #expect(MediaPayload(verifying: bytes.dropLast(1)) == nil)
        #expect(MediaPayload(verifying: (bytes + [0])[...]) == nil)
        #expect(MediaPayload(verifying: bytes[..<10]) == nil)
        // Another packet's filler does not pass for this one.
        let other = MediaPayload(sender: 7, stream: 1, sequence: 123_457, sendTime: 987_654_321_000, length: 160).bytes
        #expect(Array(other[20...]) != Array(bytes[20...]))
    }

    @Test func httpAnswerParsing() throws {
        let answer = Array("HTTP/1.1 201 Created\r\ncontent-length: 2\r\nconnection: close\r\n\r\n{}trailing".utf8)
        let parsed = try ConferenceServiceClient.parse(answer)
        #expect(parsed.status == 201 && parsed.body == Array("{}".utf8))
        #expect(throws: EndpointError.self) { try ConferenceServiceClient.parse(Array("garbage".utf8)) }
        #expect(throws: EndpointError.self) { try ConferenceServiceClient.parse(Array("SIP/2.0 200 OK\r\n\r\n".utf8)) }
    }

    @Test(arguments: ["127.0.0.1", "::1"])
    func registersWithTheConferenceService(host: String) async throws {
        let registry = ConferenceRegistry()
        let service = ConferenceService(registry: registry, keyDistributorTLSID: "kd-tls-id-000000000001")
        let channel = try await service.start(host: host, port: 0, group: MultiThreadedEventLoopGroup.singleton)
        let address = HostPort(host: host, port: UInt16(channel.localAddress!.port!))
        let client = ConferenceServiceClient(address: address)
        let fingerprint = String(repeating: "ab", count: 32)
        let answer = try client.register(conference: "room", participant: "alice", fingerprint: fingerprint,
                                         tlsID: "tls-id-alice-0123456789")
        #expect(answer["key_distributor_tls_id"] == "kd-tls-id-000000000001")
        #expect(registry.registrations(conference: "room").map(\.fingerprint) == [fingerprint])
        let refusal = #expect(throws: EndpointError.self) {
            try client.register(conference: "room", participant: "bob", fingerprint: fingerprint, tlsID: "short")
        }
        if case .registration(let text) = refusal { #expect(text.hasPrefix("HTTP 400"), "\(text)") } else {
            Issue.record("expected a registration error, got \(String(describing: refusal))")
        }
        try await channel.close()
        #expect(throws: EndpointError.self) {
            try client.register(conference: "room", participant: "carol", fingerprint: fingerprint,
                                tlsID: "tls-id-carol-0123456789")
        }
    }
}
