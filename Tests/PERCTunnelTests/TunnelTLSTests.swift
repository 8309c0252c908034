// SPDX-License-Identifier: Apache-2.0
// Copyright 2026 the swift-perc authors

import TestSupport
import Foundation
import NIOCore
import PERCTunnel
import SRTP
import Testing

/// The mutually authenticated TLS 1.3 tunnel on loopback with the development CA.
@Suite(.serialized) struct TunnelTLSTests {
    /// Server events reduced to what the tests compare.
    enum Seen: Sendable, Equatable {
        case connected(SupportedProfiles)
        case message(TunnelMessage)
        case disconnected
    }

    static func record(_ seen: Collected<Seen>) -> @Sendable (TunnelServer.Event) -> Void {
        { event in
            switch event {
            case .connected(_, let profiles): seen.append(.connected(profiles))
            case .message(_, let message): seen.append(.message(message))
            case .disconnected: seen.append(.disconnected)
            }
        }
    }

    static func fastClient(host: String, port: Int, credentials: TunnelCredentials, version: UInt8 = 0)
        -> TunnelClient.Configuration
    {
        TunnelClient.Configuration(host: host, port: port, credentials: credentials, protectionProfiles: [0x0009, 0x000A],
                                   version: version, initialBackoff: .milliseconds(20), maximumBackoff: .milliseconds(200))
    }

    @Test(arguments: ["127.0.0.1", "::1"])
    func authenticatedClientConnectsAndTalks(host: String) async throws {
        let directory = temporaryDirectory("tls")
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let certificates = try DevelopmentCertificates.loadOrCreate(in: directory)
        let seen = Collected<Seen>()
        let connections = Collected<TunnelConnection>()
        let server = try await TunnelServer.start(
            configuration: .init(host: host, port: 0, credentials: certificates.keyDistributorCredentials())) { event in
            if case .connected(let connection, _) = event { connections.append(connection) }
            Self.record(seen)(event)
        }
        let received = Collected<TunnelMessage>()
        let client = try TunnelClient(configuration: Self.fastClient(host: host, port: server.port,
                                                                     credentials: certificates.mediaDistributorCredentials())) { event in
            if case .message(let message) = event { received.append(message) }
        }
        client.start()

        #expect(await seen.wait { $0.first == .connected(SupportedProfiles(version: 0, protectionProfiles: [0x0009, 0x000A])) })
        #expect(client.isConnected && client.connectionCount == 1)

        let id = AssociationID.random()
        let dtls = TunnelMessage.tunneledDtls(TunneledDtls(associationID: id, dtlsMessage: [22, 0xFE, 0xFD, 1, 2, 3]))
        #expect(client.send(dtls))
        #expect(await seen.wait { $0.contains(.message(dtls)) })

        let keys = TunnelMessage.mediaKeys(MediaKeys(
            associationID: id, protectionProfile: 0x0009, clientWriteMasterKey: SecretBytes([UInt8](repeating: 1, count: 16)),
            serverWriteMasterKey: SecretBytes([UInt8](repeating: 2, count: 16)),
            clientWriteMasterSalt: [UInt8](repeating: 3, count: 12), serverWriteMasterSalt: [UInt8](repeating: 4, count: 12)))
        try await connections.all[0].send(keys).get()
        #expect(await received.wait { $0 == [keys] })

        await client.stop()
        #expect(await seen.wait { $0.last == .disconnected })
        await server.close()
    }

    @Test func clientWithoutCertificateIsRefused() async throws {
        let directory = temporaryDirectory("tls-nocert")
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let certificates = try DevelopmentCertificates.loadOrCreate(in: directory)
        let seen = Collected<Seen>()
        let server = try await TunnelServer.start(
            configuration: .init(host: "127.0.0.1", port: 0, credentials: certificates.keyDistributorCredentials()),
            onEvent: Self.record(seen))
        var credentials = try certificates.mediaDistributorCredentials()
        credentials.certificateChain = []
        let disconnects = Collected<Int>()
        let client = try TunnelClient(configuration: Self.fastClient(host: "127.0.0.1", port: server.port,
                                                                     credentials: credentials)) { event in
            if case .disconnected = event { disconnects.append(1) }
        }
        client.start()
        #expect(await disconnects.wait { $0.count >= 3 }, "the client keeps being refused and retrying")
        #expect(seen.all.isEmpty, "the server never reports a connection or a message")
        await client.stop()
        await server.close()
    }

    @Test func clientWithCertificateFromAnotherCAIsRefused() async throws {
        let directory = temporaryDirectory("tls-ours"), other = temporaryDirectory("tls-other")
        defer {
            try? FileManager.default.removeItem(atPath: directory)
            try? FileManager.default.removeItem(atPath: other)
        }
        let certificates = try DevelopmentCertificates.loadOrCreate(in: directory)
        let stranger = try DevelopmentCertificates.loadOrCreate(in: other)
        let seen = Collected<Seen>()
        let server = try await TunnelServer.start(
            configuration: .init(host: "127.0.0.1", port: 0, credentials: certificates.keyDistributorCredentials()),
            onEvent: Self.record(seen))
        // The stranger's MD certificate and key, but it trusts our KD (so only the server can refuse).
        var credentials = try stranger.mediaDistributorCredentials()
        credentials.trustRoots = try certificates.mediaDistributorCredentials().trustRoots
        let disconnects = Collected<Int>()
        let client = try TunnelClient(configuration: Self.fastClient(host: "127.0.0.1", port: server.port,
                                                                     credentials: credentials)) { event in
            if case .disconnected = event { disconnects.append(1) }
        }
        client.start()
        #expect(await disconnects.wait { $0.count >= 3 })
        #expect(seen.all.isEmpty)
        await client.stop()
        await server.close()
    }

    @Test func clientRefusesAServerFromAnotherCA() async throws {
        let directory = temporaryDirectory("tls-ours2"), other = temporaryDirectory("tls-other2")
        defer {
            try? FileManager.default.removeItem(atPath: directory)
            try? FileManager.default.removeItem(atPath: other)
        }
        let certificates = try DevelopmentCertificates.loadOrCreate(in: directory)
        let stranger = try DevelopmentCertificates.loadOrCreate(in: other)
        var serverCredentials = try stranger.keyDistributorCredentials()
        serverCredentials.trustRoots = try certificates.keyDistributorCredentials().trustRoots
        let seen = Collected<Seen>()
        let server = try await TunnelServer.start(
            configuration: .init(host: "127.0.0.1", port: 0, credentials: serverCredentials), onEvent: Self.record(seen))
        let connected = Collected<Int>()
        let client = try TunnelClient(configuration: Self.fastClient(host: "127.0.0.1", port: server.port,
                                                                     credentials: certificates.mediaDistributorCredentials())) { event in
            if case .connected = event { connected.append(1) }
        }
        client.start()
        try await Task.sleep(for: .milliseconds(500))
        #expect(connected.all.isEmpty && !client.isConnected)
        #expect(seen.all.isEmpty)
        await client.stop()
        await server.close()
    }

    @Test func reconnectsAfterServerRestartAndSendsSupportedProfilesFirst() async throws {
        let directory = temporaryDirectory("tls-restart")
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let certificates = try DevelopmentCertificates.loadOrCreate(in: directory)
        let first = Collected<Seen>()
        let server = try await TunnelServer.start(
            configuration: .init(host: "::1", port: 0, credentials: certificates.keyDistributorCredentials()),
            onEvent: Self.record(first))
        let port = server.port
        let client = try TunnelClient(configuration: Self.fastClient(host: "::1", port: port,
                                                                     credentials: certificates.mediaDistributorCredentials())) { _ in }
        client.start()
        #expect(await eventually { client.connectionCount == 1 && client.isConnected })
        await server.close()
        #expect(await eventually { !client.isConnected })
        #expect(!client.send(.endpointDisconnect(EndpointDisconnect(associationID: .random()))), "dropped while down")

        let second = Collected<Seen>()
        let restarted = try await TunnelServer.start(
            configuration: .init(host: "::1", port: port, credentials: certificates.keyDistributorCredentials()),
            onEvent: Self.record(second))
        #expect(await second.wait { !$0.isEmpty })
        #expect(second.all.first == .connected(SupportedProfiles(version: 0, protectionProfiles: [0x0009, 0x000A])))
        #expect(await eventually { client.connectionCount == 2 && client.isConnected })
        let bye = TunnelMessage.endpointDisconnect(EndpointDisconnect(associationID: .random()))
        #expect(client.send(bye))
        #expect(await second.wait { $0.contains(.message(bye)) })
        await client.stop()
        await restarted.close()
    }

    @Test func unsupportedVersionIsRememberedForTheReconnect() async throws {
        let directory = temporaryDirectory("tls-version")
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let certificates = try DevelopmentCertificates.loadOrCreate(in: directory)
        let seen = Collected<Seen>()
        let server = try await TunnelServer.start(
            configuration: .init(host: "127.0.0.1", port: 0, credentials: certificates.keyDistributorCredentials(),
                                 highestVersion: 0),
            onEvent: Self.record(seen))
        let received = Collected<TunnelMessage>()
        let client = try TunnelClient(configuration: Self.fastClient(
            host: "127.0.0.1", port: server.port, credentials: certificates.mediaDistributorCredentials(), version: 3)) { event in
            if case .message(let message) = event { received.append(message) }
        }
        client.start()
        #expect(await received.wait { $0.contains(.unsupportedVersion(UnsupportedVersion(highestVersion: 0))) })
        #expect(await seen.wait { !$0.isEmpty })
        #expect(seen.all.first == .connected(SupportedProfiles(version: 0, protectionProfiles: [0x0009, 0x000A])),
                "the version-3 hello was refused, the reconnect offered version 0")
        #expect(client.protocolVersion == 0)
        await client.stop()
        await server.close()
    }
}
