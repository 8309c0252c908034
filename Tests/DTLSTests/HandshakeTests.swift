// SPDX-License-Identifier: Apache-2.0
// Copyright 2026 the swift-perc authors

@testable import DTLS
import Testing

/// Our client against our server over the in-memory network.
@Suite struct HandshakeTests {
    struct Pair {
        let client: DTLSConnection
        let server: DTLSConnection
    }

    static func makePair(clientProfiles: [SRTPProtectionProfileID] = SRTPProtectionProfileID.allKnown,
                         serverProfiles: [SRTPProtectionProfileID] = SRTPProtectionProfileID.allKnown,
                         clientEKT: [EKTCipherType] = [.aeskw128, .aeskw256], serverEKT: [EKTCipherType] = [],
                         clientExpectsFingerprint: CertificateFingerprint? = TestIdentities.server.fingerprint,
                         serverExpectsFingerprint: CertificateFingerprint? = TestIdentities.client.fingerprint,
                         maximumDatagramSize: Int = 1200,
                         clientSessionID: [UInt8]? = nil, serverSessionID: [UInt8]? = nil) throws -> Pair {
        var clientConfiguration = DTLSConfiguration(role: .client, identity: TestIdentities.client, srtpProfiles: clientProfiles,
                                                    peerFingerprint: clientExpectsFingerprint, ektCiphers: clientEKT, externalSessionID: clientSessionID)
        clientConfiguration.maximumDatagramSize = maximumDatagramSize
        var serverConfiguration = DTLSConfiguration(role: .server, identity: TestIdentities.server, srtpProfiles: serverProfiles,
                                                    peerFingerprint: serverExpectsFingerprint, ektCiphers: serverEKT, externalSessionID: serverSessionID)
        serverConfiguration.maximumDatagramSize = maximumDatagramSize
        return Pair(client: try DTLSConnection(configuration: clientConfiguration), server: try DTLSConnection(configuration: serverConfiguration))
    }

    /// Runs a handshake (and, when the server negotiated EKT, one EKTKey) to completion.
    static func handshake(_ pair: Pair, network: inout InMemoryNetwork, ektKey: EKTKey? = nil) throws -> (completed: Bool, received: [EKTKey], acknowledged: [UInt16], events: [(DTLSEvent, Bool)]) {
        var received: [EKTKey] = []
        var acknowledged: [UInt16] = []
        var events: [(DTLSEvent, Bool)] = []
        var sendError: Error?
        try pair.client.startHandshake(now: network.now)
        let wantsEKT = ektKey != nil
        var serverCompletedAt: ContinuousClock.Instant?
        let completed = network.run(client: pair.client, server: pair.server, onEvent: { event, fromServer in
            events.append((event, fromServer))
            switch event {
            case .handshakeCompleted where fromServer:
                serverCompletedAt = .now
            case .ektKeyReceived(let key): received.append(key)
            case .ektKeyAcknowledged(let spi): acknowledged.append(spi)
            default: break
            }
        }, done: { now in
            if serverCompletedAt != nil, let ektKey, pair.server.ektCipher != nil, received.isEmpty, acknowledged.isEmpty, sendError == nil {
                // Sent once, right after the server finished; retransmission does the rest.
                serverCompletedAt = nil
                do { try pair.server.sendEKTKey(ektKey, now: now) } catch { sendError = error }
            }
            let handshakeDone = pair.client.state == .connected && pair.server.state == .connected
            return handshakeDone && (!wantsEKT || !acknowledged.isEmpty)
        })
        if let sendError { throw sendError }
        return (completed, received, acknowledged, events)
    }

    @Test func cleanNetworkAgreesOnKeysAndProfile() throws {
        let pair = try Self.makePair()
        var network = InMemoryNetwork(seed: 1)
        let result = try Self.handshake(pair, network: &network)
        #expect(result.completed)
        #expect(pair.client.selectedProfile == .doubleAeadAes128Gcm)
        #expect(pair.server.selectedProfile == .doubleAeadAes128Gcm)
        let clientKeys = try pair.client.srtpKeyingMaterial()
        let serverKeys = try pair.server.srtpKeyingMaterial()
        #expect(clientKeys.exported.count == 112)
        #expect(clientKeys == serverKeys)
        #expect(clientKeys.clientMasterKey.count == 32 && clientKeys.serverMasterSalt.count == 24)
        #expect(clientKeys.clientMasterKey != clientKeys.serverMasterKey)
        #expect(pair.client.peerCertificateDER == TestIdentities.server.certificateDER)
        #expect(pair.server.peerCertificateDER == TestIdentities.client.certificateDER)
        #expect(pair.client.ektCipher == nil && pair.server.ektCipher == nil)
        // Another exporter label gives other bytes.
        #expect(try pair.client.exportKeyingMaterial(label: "EXPERIMENTAL-other", length: 112) != clientKeys.exported)
    }

    @Test(arguments: [SRTPProtectionProfileID.doubleAeadAes256Gcm, .aeadAes128Gcm, .aeadAes256Gcm, .aes128CmSha1_80, .aes128CmSha1_32])
    func serverPreferenceSelectsProfile(_ profile: SRTPProtectionProfileID) throws {
        let pair = try Self.makePair(serverProfiles: [profile])
        var network = InMemoryNetwork(seed: 2)
        #expect(try Self.handshake(pair, network: &network).completed)
        #expect(pair.client.selectedProfile == profile)
        let keys = try pair.client.srtpKeyingMaterial()
        #expect(keys.exported.count == profile.keyingMaterialLength)
        #expect(keys == (try pair.server.srtpKeyingMaterial()))
    }

    /// 24 seeds, a quarter of all datagrams lost, a fifth duplicated, delays up to 300 ms
    /// (reordering); odd seeds also fragment every message into 200-byte datagrams.
    @Test func lossyReorderingDuplicatingNetworkCompletes() throws {
        var totalDropped = 0
        for seed in 0..<24 {
            let pair = try Self.makePair(serverEKT: [.aeskw256, .aeskw128], maximumDatagramSize: seed % 2 == 0 ? 1200 : 200)
            var network = InMemoryNetwork(seed: UInt64(seed) &+ 100)
            network.lossRate = 0.25
            network.duplicateRate = 0.2
            network.maximumDelayMilliseconds = 300
            let ekt = try EKTKey(key: [UInt8](repeating: 0x42, count: 16), masterSalt: Array(0..<12), spi: UInt16(seed), ttl: 86400)
            let result = try Self.handshake(pair, network: &network, ektKey: ekt)
            #expect(result.completed, "seed \(seed): client \(pair.client.state), server \(pair.server.state)")
            #expect(try pair.client.srtpKeyingMaterial() == (try pair.server.srtpKeyingMaterial()))
            #expect(pair.client.ektCipher == .aeskw128)  // the client's preference
            #expect(result.received.first == ekt)
            #expect(result.acknowledged == [UInt16(seed)])
            totalDropped += network.dropped
        }
        #expect(totalDropped > 24)
    }

    @Test func smallDatagramsFragmentEveryLargeMessage() throws {
        let pair = try Self.makePair(maximumDatagramSize: 128)
        var network = InMemoryNetwork(seed: 3)
        var largest = 0
        try pair.client.startHandshake(now: network.now)
        // Observe sizes on the way.
        let first = pair.client.takeOutgoingDatagrams()
        largest = first.map(\.count).max() ?? 0
        #expect(first.count > 1, "the ClientHello should need more than one 128-byte datagram")
        for datagram in first { _ = pair.server.receive(datagram: datagram, now: network.now) }
        let completed = network.run(client: pair.client, server: pair.server) { _ in
            pair.client.state == .connected && pair.server.state == .connected
        }
        #expect(completed)
        #expect(largest <= 128)
        #expect(try pair.client.srtpKeyingMaterial() == (try pair.server.srtpKeyingMaterial()))
    }

    @Test func ektIsOffWhenTheServerDoesNotOfferIt() throws {
        let pair = try Self.makePair(serverEKT: [])
        var network = InMemoryNetwork(seed: 4)
        #expect(try Self.handshake(pair, network: &network).completed)
        #expect(pair.client.ektCipher == nil)
        let ekt = try EKTKey(key: [UInt8](repeating: 1, count: 16), masterSalt: [1], spi: 1, ttl: 1)
        #expect(throws: DTLSError.ektNotNegotiated) { try pair.server.sendEKTKey(ekt, now: .now) }
    }

    @Test func ektKeyLengthMustFitTheCipher() throws {
        let pair = try Self.makePair(clientEKT: [.aeskw256], serverEKT: [.aeskw256])
        var network = InMemoryNetwork(seed: 5)
        #expect(try Self.handshake(pair, network: &network).completed)
        #expect(pair.server.ektCipher == .aeskw256)
        let short = try EKTKey(key: [UInt8](repeating: 1, count: 16), masterSalt: [1], spi: 1, ttl: 1)
        #expect(throws: DTLSError.self) { try pair.server.sendEKTKey(short, now: .now) }
    }

    @Test func externalSessionIDsAreExchanged() throws {
        let clientID = Array("client-tls-id-0123456789".utf8)
        let serverID = Array("server-tls-id-abcdefghij".utf8)
        let pair = try Self.makePair(clientSessionID: clientID, serverSessionID: serverID)
        var network = InMemoryNetwork(seed: 6)
        #expect(try Self.handshake(pair, network: &network).completed)
        #expect(pair.server.peerExternalSessionID == clientID)
        #expect(pair.client.peerExternalSessionID == serverID)
    }

    @Test func wrongServerFingerprintFailsWithBadCertificate() throws {
        let pair = try Self.makePair(clientExpectsFingerprint: TestIdentities.other.fingerprint)
        var network = InMemoryNetwork(seed: 7)
        var clientFailure: DTLSError?
        var serverFailure: DTLSError?
        try pair.client.startHandshake(now: network.now)
        _ = network.run(client: pair.client, server: pair.server, onEvent: { event, fromServer in
            if case .failed(let error) = event { if fromServer { serverFailure = error } else { clientFailure = error } }
        }, done: { _ in clientFailure != nil && serverFailure != nil })
        #expect(clientFailure == .alertSent(.badCertificate, reason: "the peer's certificate fingerprint does not match"))
        #expect(serverFailure == .alertReceived(.badCertificate))
    }

    @Test func wrongClientFingerprintFailsWithBadCertificate() throws {
        let pair = try Self.makePair(serverExpectsFingerprint: TestIdentities.other.fingerprint)
        var network = InMemoryNetwork(seed: 8)
        var clientFailure: DTLSError?
        try pair.client.startHandshake(now: network.now)
        _ = network.run(client: pair.client, server: pair.server, onEvent: { event, fromServer in
            if case .failed(let error) = event, !fromServer { clientFailure = error }
        }, done: { _ in clientFailure != nil })
        #expect(clientFailure == .alertReceived(.badCertificate))
        #expect(pair.server.state != .connected)
    }

    @Test func noCommonProfileFailsWithHandshakeFailure() throws {
        let pair = try Self.makePair(clientProfiles: [.aes128CmSha1_80], serverProfiles: [.doubleAeadAes128Gcm])
        var network = InMemoryNetwork(seed: 9)
        var clientFailure: DTLSError?
        try pair.client.startHandshake(now: network.now)
        _ = network.run(client: pair.client, server: pair.server, onEvent: { event, fromServer in
            if case .failed(let error) = event, !fromServer { clientFailure = error }
        }, done: { _ in clientFailure != nil })
        #expect(clientFailure == .alertReceived(.handshakeFailure))
    }

    @Test func silentPeerTimesOutAfterBoundedRetransmissions() throws {
        var configuration = DTLSConfiguration(role: .client, identity: TestIdentities.client)
        configuration.maximumRetransmissions = 3
        let client = try DTLSConnection(configuration: configuration)
        var now = ContinuousClock.now
        try client.startHandshake(now: now)
        var sent = client.takeOutgoingDatagrams().count
        var failure: DTLSError?
        for _ in 0..<10 {
            guard let deadline = client.nextDeadline else { break }
            now = deadline
            for case .failed(let error) in client.handleTimer(now: now) { failure = error }
            sent += client.takeOutgoingDatagrams().count
        }
        #expect(sent == 4)  // the first ClientHello and three retransmissions
        guard case .timeout = failure else {
            Issue.record("expected a timeout, got \(String(describing: failure))")
            return
        }
        #expect(client.nextDeadline == nil)
    }

    @Test func applicationDataAndCloseNotify() throws {
        let pair = try Self.makePair()
        var network = InMemoryNetwork(seed: 10)
        #expect(try Self.handshake(pair, network: &network).completed)
        try pair.client.sendApplicationData(Array("hello".utf8))
        let events = pair.client.takeOutgoingDatagrams().flatMap { pair.server.receive(datagram: $0, now: network.now) }
        #expect(events == [.applicationData(Array("hello".utf8))])
        pair.server.close()
        let closing = pair.server.takeOutgoingDatagrams().flatMap { pair.client.receive(datagram: $0, now: network.now) }
        #expect(closing == [.closed])
        #expect(pair.client.state == .closed)
        #expect(throws: DTLSError.notConnected) { try pair.client.sendApplicationData([1]) }
    }

    @Test func replayedApplicationRecordIsDropped() throws {
        let pair = try Self.makePair()
        var network = InMemoryNetwork(seed: 11)
        #expect(try Self.handshake(pair, network: &network).completed)
        try pair.client.sendApplicationData([7])
        let datagram = pair.client.takeOutgoingDatagrams()[0]
        #expect(pair.server.receive(datagram: datagram, now: network.now) == [.applicationData([7])])
        #expect(pair.server.receive(datagram: datagram, now: network.now) == [])
        var tampered = datagram
        tampered[tampered.count - 1] ^= 1
        #expect(pair.server.receive(datagram: tampered, now: network.now) == [])
        #expect(pair.server.state == .connected)
    }
}

/// Cookie exchange, renegotiation refusal and EKTKey repetition, seen message by message.
@Suite struct HandshakeDetailTests {
    @Test func serverAnswersTheFirstClientHelloWithAHelloVerifyRequestOnly() throws {
        let pair = try HandshakeTests.makePair()
        try pair.client.startHandshake(now: .now)
        let hello = pair.client.takeOutgoingDatagrams()
        #expect(pair.server.receive(datagram: hello[0], now: .now) == [])
        let answer = pair.server.takeOutgoingDatagrams()
        #expect(answer.count == 1)
        // One handshake record (type 22) holding a HelloVerifyRequest (type 3), message_seq 0.
        #expect(answer[0][0] == 22 && answer[0][13] == 3 && answer[0][17] == 0 && answer[0][18] == 0)
        // The same ClientHello again gets the same cookie: no state was kept.
        _ = pair.server.receive(datagram: hello[0], now: .now)
        #expect(pair.server.takeOutgoingDatagrams() == answer)
        #expect(pair.server.nextDeadline == nil)
    }

    @Test func clientCompletesWithAServerThatSkipsTheCookie() throws {
        let pair = try HandshakeTests.makePair()
        var serverConfiguration = pair.server.configuration
        serverConfiguration.usesCookieExchange = false
        let server = try DTLSConnection(configuration: serverConfiguration)
        try pair.client.startHandshake(now: .now)
        let hello = pair.client.takeOutgoingDatagrams()
        _ = server.receive(datagram: hello[0], now: .now)
        let flight = server.takeOutgoingDatagrams()
        // Straight to ServerHello (type 2) with message_seq 0.
        #expect(flight[0][13] == 2 && flight[0][17] == 0 && flight[0][18] == 0)
        for datagram in flight { _ = pair.client.receive(datagram: datagram, now: .now) }
        var network = InMemoryNetwork(seed: 22)
        let completed = network.run(client: pair.client, server: server) { _ in pair.client.state == .connected && server.state == .connected }
        #expect(completed)
        #expect(try pair.client.srtpKeyingMaterial() == (try server.srtpKeyingMaterial()))
    }

    @Test func renegotiationIsRefusedWithAWarning() throws {
        let pair = try HandshakeTests.makePair()
        var network = InMemoryNetwork(seed: 20)
        #expect(try HandshakeTests.handshake(pair, network: &network).completed)
        // A new ClientHello from the client under epoch 1.
        try pair.client.sendRenegotiationAttemptForTesting()
        let events = pair.client.takeOutgoingDatagrams().flatMap { pair.server.receive(datagram: $0, now: network.now) }
        #expect(events.isEmpty)
        let replies = pair.server.takeOutgoingDatagrams().flatMap { pair.client.receive(datagram: $0, now: network.now) }
        #expect(replies == [.warningReceived(.noRenegotiation)])
        #expect(pair.client.state == .connected && pair.server.state == .connected)
    }

    @Test func repeatedEKTKeyIsAcknowledgedAgain() throws {
        let pair = try HandshakeTests.makePair(serverEKT: [.aeskw128])
        var network = InMemoryNetwork(seed: 21)
        #expect(try HandshakeTests.handshake(pair, network: &network).completed)
        let key = try EKTKey(key: [UInt8](repeating: 5, count: 16), masterSalt: [UInt8](repeating: 6, count: 12), spi: 77, ttl: 3600)
        try pair.server.sendEKTKey(key, now: network.now)
        let first = pair.server.takeOutgoingDatagrams()
        #expect(pair.client.receive(datagram: first[0], now: network.now) == [.ektKeyReceived(key)])
        _ = pair.client.takeOutgoingDatagrams()  // this ACK is lost
        // The server's timer fires and it sends the EKTKey again in a new record.
        let retransmitAt = try #require(pair.server.nextDeadline)
        #expect(pair.server.handleTimer(now: retransmitAt) == [])
        let second = pair.server.takeOutgoingDatagrams()
        #expect(second.count == 1 && second != first)
        // The client does not report it twice, but acknowledges it; the server is satisfied.
        #expect(pair.client.receive(datagram: second[0], now: retransmitAt) == [])
        let ack = pair.client.takeOutgoingDatagrams()
        #expect(ack.count == 1 && ack[0][0] == 26)
        #expect(pair.server.receive(datagram: ack[0], now: retransmitAt) == [.ektKeyAcknowledged(spi: 77)])
        #expect(pair.server.nextDeadline == nil)
        // A later EKTKey with a new SPI re-keys (RFC 8870 5.2).
        let next = try EKTKey(key: [UInt8](repeating: 8, count: 16), masterSalt: [UInt8](repeating: 9, count: 12), spi: 78, ttl: 3600)
        try pair.server.sendEKTKey(next, now: retransmitAt)
        let events = pair.server.takeOutgoingDatagrams().flatMap { pair.client.receive(datagram: $0, now: retransmitAt) }
        #expect(events == [.ektKeyReceived(next)])
        let acks = pair.client.takeOutgoingDatagrams().flatMap { pair.server.receive(datagram: $0, now: retransmitAt) }
        #expect(acks == [.ektKeyAcknowledged(spi: 78)])
    }
}
