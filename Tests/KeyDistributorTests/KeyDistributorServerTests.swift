// SPDX-License-Identifier: Apache-2.0
// Copyright 2026 the swift-perc authors

import DTLS
import Foundation
import KeyDistributor
import PERCTunnel
import TestSupport
import Testing

/// The Key Distributor on the network refuses media distributors that do not authenticate,
/// while serving one that does, at the same time.
@Suite(.serialized) struct KeyDistributorServerTests {
    typealias Endpoint = KeyDistributorTests.Endpoint

    @Test func unauthenticatedMediaDistributorsGetNothingWhileAnAuthenticatedOneIsServed() async throws {
        let directory = temporaryDirectory("kd-auth"), other = temporaryDirectory("kd-auth-other")
        defer {
            try? FileManager.default.removeItem(atPath: directory)
            try? FileManager.default.removeItem(atPath: other)
        }
        let certificates = try DevelopmentCertificates.loadOrCreate(in: directory)
        let stranger = try DevelopmentCertificates.loadOrCreate(in: other)
        let server = try await KeyDistributorServer.start(configuration: .init(
            tunnelHost: "127.0.0.1", tunnelPort: 0, httpHost: "127.0.0.1", httpPort: 0,
            credentials: try certificates.keyDistributorCredentials(),
            keyDistributor: .init(identity: try DTLSIdentity.selfSigned(), sessionID: Array("kd-session-id-0123456789".utf8))))

        // Three media distributors: ours; one without a certificate; one whose certificate
        // comes from another CA (it trusts our KMF, so only the KMF can refuse it).
        var noCertificate = try certificates.mediaDistributorCredentials()
        noCertificate.certificateChain = []
        var otherCA = try stranger.mediaDistributorCredentials()
        otherCA.trustRoots = try certificates.mediaDistributorCredentials().trustRoots
        let credentials = [try certificates.mediaDistributorCredentials(), noCertificate, otherCA]
        let inboxes = credentials.map { _ in Collected<TunnelMessage>() }
        let disconnects = credentials.map { _ in Collected<Int>() }
        let clients = try credentials.enumerated().map { index, credentials in
            try TunnelClient(configuration: .init(host: "127.0.0.1", port: server.tunnelPort, credentials: credentials,
                                                  protectionProfiles: [0x0009, 0x000A], initialBackoff: .milliseconds(20),
                                                  maximumBackoff: .milliseconds(200))) { event in
                switch event {
                case .message(let message): inboxes[index].append(message)
                case .disconnected: disconnects[index].append(1)
                case .connected: break
                }
            }
        }
        // Behind each, a registered endpoint: were a tunnel accepted, its endpoint would be keyed.
        let endpoints = try clients.indices.map { try Endpoint(tlsID: "tls-id-endpoint-\($0)-0123456789") }
        for endpoint in endpoints { try server.registry.register(endpoint.registration(conference: "room")) }
        for client in clients { client.start() }
        let start = ContinuousClock.now
        for endpoint in endpoints { try endpoint.dtls.startHandshake(now: start) }
        let clientHellos = endpoints.map { $0.dtls.takeOutgoingDatagrams() }

        // Relay each endpoint's DTLS over its tunnel. The refused tunnels get their ClientHello
        // again and again, whenever their client thinks it is connected.
        var delivered = [0, 0, 0]
        var refusedSends = 0
        var helloSent = false
        let deadline = start + .seconds(10)
        while ContinuousClock.now < deadline {
            let now = ContinuousClock.now
            let messages = inboxes[0].all
            for case .tunneledDtls(let dtls) in messages[delivered[0]...] where dtls.associationID == endpoints[0].association {
                let events = endpoints[0].dtls.receive(datagram: dtls.dtlsMessage, now: now)
                endpoints[0].events += events
                for case .ektKeyReceived(let key) in events { endpoints[0].ektKeys.append(key) }
            }
            delivered[0] = messages.count
            if let due = endpoints[0].dtls.nextDeadline, due <= now { endpoints[0].events += endpoints[0].dtls.handleTimer(now: now) }
            var outgoing = [endpoints[0].dtls.takeOutgoingDatagrams()]
            if !helloSent, clients[0].isConnected {
                outgoing[0] = clientHellos[0] + outgoing[0]
                helloSent = true
            }
            outgoing += clientHellos[1...]
            for (index, datagrams) in outgoing.enumerated() where clients[index].isConnected {
                for datagram in datagrams {
                    let message = TunnelMessage.tunneledDtls(TunneledDtls(associationID: endpoints[index].association,
                                                                          dtlsMessage: datagram))
                    if clients[index].send(message), index > 0 { refusedSends += 1 }
                }
            }
            if endpoints[0].ektKeys.count == 1, disconnects[1].all.count >= 3, disconnects[2].all.count >= 3 { break }
            try await Task.sleep(for: .milliseconds(10))
        }

        #expect(endpoints[0].ektKeys.count == 1, "the authenticated MDD's endpoint was keyed")
        #expect(inboxes[0].all.contains {
            if case .mediaKeys(let keys) = $0 { return keys.associationID == endpoints[0].association }
            return false
        })
        #expect(disconnects[1].all.count >= 3 && disconnects[2].all.count >= 3, "refused again and again")
        #expect(inboxes[1].all.isEmpty && inboxes[2].all.isEmpty, "no DTLS, no MediaKeys, nothing")
        #expect(endpoints[1].ektKeys.isEmpty && endpoints[2].ektKeys.isEmpty)
        let counters = await server.snapshot()
        #expect(counters.tunnels == 1 && counters.associations == 1 && counters.mediaKeysSent == 1,
                "\(counters) (unauthenticated sends attempted: \(refusedSends))")
        #expect(clients[0].isConnected && clients[0].connectionCount == 1, "the authenticated tunnel never dropped")

        for client in clients { await client.stop() }
        await server.stop()
    }
}
