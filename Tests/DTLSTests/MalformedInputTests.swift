// SPDX-License-Identifier: Apache-2.0
// Copyright 2026 the swift-perc authors

@testable import DTLS
import Testing

/// Malformed records and handshake messages end in an alert (or are dropped), never a crash.
@Suite struct MalformedInputTests {
    /// The alerts in `datagrams` (plaintext epoch-0 records only), as (level, description).
    static func plaintextAlerts(_ datagrams: [[UInt8]]) -> [[UInt8]] {
        var alerts: [[UInt8]] = []
        for datagram in datagrams {
            for record in DTLSRecord.parseAll(datagram) where record.contentType == 21 && record.epoch == 0 {
                alerts.append(Array(record.body))
            }
        }
        return alerts
    }

    /// A plaintext epoch-0 handshake record holding one unfragmented message.
    static func handshakeRecord(type: UInt8, seq: UInt16 = 0, body: [UInt8]) -> [UInt8] {
        DTLSRecord.serialize(contentType: 22, epoch: 0, sequence: 5,
                             body: HandshakeFragment.serialize(type: type, messageSeq: seq, body: body, offset: 0, count: body.count))
    }

    static func server() throws -> DTLSConnection {
        try DTLSConnection(configuration: DTLSConfiguration(role: .server, identity: TestIdentities.server))
    }

    /// A client that has sent its first ClientHello (returned).
    static func startedClient() throws -> (DTLSConnection, [[UInt8]]) {
        let client = try DTLSConnection(configuration: DTLSConfiguration(role: .client, identity: TestIdentities.client, ektCiphers: [.aeskw128]))
        try client.startHandshake(now: .now)
        return (client, client.takeOutgoingDatagrams())
    }

    @Test func randomGarbageNeverCrashesEitherSide() throws {
        var random = SplitMix64(seed: 42)
        let server = try Self.server()
        let (client, _) = try Self.startedClient()
        for round in 0..<2000 {
            let length = Int.random(in: 0...200, using: &random)
            var datagram = (0..<length).map { _ in UInt8.random(in: 0...255, using: &random) }
            // Make half of them look like DTLS 1.2 records so they get past the header check.
            if round % 2 == 0, datagram.count >= 13 {
                datagram[0] = [20, 21, 22, 23, 26][round / 2 % 5]
                datagram[1] = 0xFE; datagram[2] = 0xFD; datagram[3] = 0; datagram[4] = UInt8(round / 10 % 2)
                let bodyLength = datagram.count - 13
                datagram[11] = UInt8(bodyLength >> 8); datagram[12] = UInt8(bodyLength & 0xFF)
            }
            _ = server.receive(datagram: datagram, now: .now)
            _ = client.receive(datagram: datagram, now: .now)
        }
        // The server keeps no association before a valid cookie, so garbage cannot end it.
        #expect(server.state == .handshaking)
        _ = server.takeOutgoingDatagrams()
        // ... and a real client still gets through.
        let fresh = try DTLSConnection(configuration: DTLSConfiguration(role: .client, identity: TestIdentities.client))
        var network = InMemoryNetwork(seed: 43)
        try fresh.startHandshake(now: network.now)
        let completed = network.run(client: fresh, server: server) { _ in fresh.state == .connected && server.state == .connected }
        #expect(completed)
        #expect(try fresh.srtpKeyingMaterial() == (try server.srtpKeyingMaterial()))
    }

    @Test func truncatedClientHelloGetsDecodeError() throws {
        let (_, flight) = try Self.startedClient()
        let records = DTLSRecord.parseAll(flight[0])
        let fragments = try HandshakeFragment.parseAll(records[0].body)
        let body = Array(fragments[0].fragment)
        for cut in [1, 10, 34, 40, body.count - 1] {
            let server = try Self.server()
            _ = server.receive(datagram: Self.handshakeRecord(type: 1, body: Array(body.prefix(cut))), now: .now)
            #expect(Self.plaintextAlerts(server.takeOutgoingDatagrams()) == [[2, 50]], "cut at \(cut)")
            #expect(server.state == .handshaking)
        }
    }

    @Test func inconsistentFragmentHeaderGetsDecodeError() throws {
        let server = try Self.server()
        // length 10, offset 8, fragment length 4: past the end of the message.
        let fragment: [UInt8] = [1, 0, 0, 10, 0, 0, 0, 0, 8, 0, 0, 4, 1, 2, 3, 4]
        _ = server.receive(datagram: DTLSRecord.serialize(contentType: 22, epoch: 0, sequence: 0, body: fragment), now: .now)
        #expect(Self.plaintextAlerts(server.takeOutgoingDatagrams()) == [[2, 50]])
    }

    @Test func everyBitFlipInTheClientHelloIsHandled() throws {
        let (_, flight) = try Self.startedClient()
        let original = flight[0]
        for index in original.indices {
            for bit in [0, 7] {
                var mutated = original
                mutated[index] ^= 1 << bit
                let server = try Self.server()
                _ = server.receive(datagram: mutated, now: .now)
                let output = server.takeOutgoingDatagrams().flatMap { DTLSRecord.parseAll($0) }
                // Dropped, a HelloVerifyRequest, or an alert: nothing else, and no association.
                for record in output {
                    #expect(record.contentType == 21 || (record.contentType == 22 && record.body.first == 3), "byte \(index) bit \(bit)")
                }
                #expect(server.state == .handshaking)
            }
        }
    }

    @Test func malformedServerHelloGetsDecodeError() throws {
        let (client, _) = try Self.startedClient()
        _ = client.receive(datagram: Self.handshakeRecord(type: 2, body: [0xFE, 0xFD, 1, 2, 3]), now: .now)
        #expect(Self.plaintextAlerts(client.takeOutgoingDatagrams()) == [[2, 50]])
        guard case .failed(.alertSent(.decodeError, _)) = client.state else {
            Issue.record("expected decode_error, got \(client.state)")
            return
        }
    }

    @Test func serverHelloWithAnotherCipherSuiteGetsIllegalParameter() throws {
        let (client, _) = try Self.startedClient()
        var extensions = HelloExtensions()
        extensions.append(ExtensionType.extendedMasterSecret, [])
        extensions.append(ExtensionType.useSRTP, UseSRTPExtension(profiles: [.aeadAes128Gcm]).bytes)
        let hello = ServerHello(random: [UInt8](repeating: 9, count: 32), cipherSuite: 0xC02C, extensions: extensions)
        _ = client.receive(datagram: Self.handshakeRecord(type: 2, body: hello.bytes), now: .now)
        #expect(Self.plaintextAlerts(client.takeOutgoingDatagrams()) == [[2, 47]])
    }

    @Test func serverHelloWithoutExtendedMasterSecretGetsHandshakeFailure() throws {
        let (client, _) = try Self.startedClient()
        var extensions = HelloExtensions()
        extensions.append(ExtensionType.useSRTP, UseSRTPExtension(profiles: [.aeadAes128Gcm]).bytes)
        let hello = ServerHello(random: [UInt8](repeating: 9, count: 32), cipherSuite: 0xC02B, extensions: extensions)
        _ = client.receive(datagram: Self.handshakeRecord(type: 2, body: hello.bytes), now: .now)
        #expect(Self.plaintextAlerts(client.takeOutgoingDatagrams()) == [[2, 40]])
    }

    @Test func finishedInEpochZeroGetsUnexpectedMessage() throws {
        let (client, _) = try Self.startedClient()
        _ = client.receive(datagram: Self.handshakeRecord(type: 20, body: [UInt8](repeating: 0, count: 12)), now: .now)
        #expect(Self.plaintextAlerts(client.takeOutgoingDatagrams()) == [[2, 10]])
    }

    @Test func unknownContentTypeGetsUnexpectedMessage() throws {
        let (client, _) = try Self.startedClient()
        _ = client.receive(datagram: DTLSRecord.serialize(contentType: 99, epoch: 0, sequence: 0, body: [1, 2, 3]), now: .now)
        #expect(Self.plaintextAlerts(client.takeOutgoingDatagrams()) == [[2, 10]])
    }

    /// Runs an EKT-capable handshake, then has the server send `body` as an EKTKey.
    static func deliverEKTKeyBody(_ body: [UInt8]) throws -> (client: DTLSConnection, server: DTLSConnection) {
        let pair = try HandshakeTests.makePair(serverEKT: [.aeskw128])
        var network = InMemoryNetwork(seed: 77)
        #expect(try HandshakeTests.handshake(pair, network: &network).completed)
        var packer = DatagramPacker(maximumSize: 1200)
        pair.server.pack(handshake: .ektKey, messageSeq: pair.server.sendMessageSeq, body: body, epoch: 1, into: &packer)
        for datagram in packer.finish() { _ = pair.client.receive(datagram: datagram, now: network.now) }
        for datagram in pair.client.takeOutgoingDatagrams() { _ = pair.server.receive(datagram: datagram, now: network.now) }
        return (pair.client, pair.server)
    }

    @Test func malformedEKTKeyGetsDecodeError() throws {
        let (client, server) = try Self.deliverEKTKeyBody([0, 16, 1, 2, 3])
        guard case .failed(.alertSent(.decodeError, _)) = client.state else {
            Issue.record("expected decode_error, got \(client.state)")
            return
        }
        #expect(server.state == .failed(.alertReceived(.decodeError)))
    }

    @Test func ektKeyOfTheWrongLengthGetsIllegalParameter() throws {
        let wrong = try EKTKey(key: [UInt8](repeating: 1, count: 32), masterSalt: [UInt8](repeating: 2, count: 12), spi: 3, ttl: 60)
        let (client, server) = try Self.deliverEKTKeyBody(wrong.bytes)
        guard case .failed(.alertSent(.illegalParameter, _)) = client.state else {
            Issue.record("expected illegal_parameter, got \(client.state)")
            return
        }
        #expect(server.state == .failed(.alertReceived(.illegalParameter)))
    }

    @Test func everyTruncationOfEachMessageThrows() throws {
        let ekt = try EKTKey(key: Array(0..<16), masterSalt: Array(0..<12), spi: 1, ttl: 86400)
        // The RFC 8870 5.2 example layout: 2-byte lengths, SPI, 24-bit TTL.
        #expect(ekt.bytes == [0, 16] + Array(0..<16) + [0, 12] + Array(0..<12) + [0, 1, 0x01, 0x51, 0x80])
        #expect(try EKTKey(parsing: ekt.bytes) == ekt)
        for cut in 0..<ekt.bytes.count { #expect(throws: (any Error).self) { try EKTKey(parsing: Array(ekt.bytes.prefix(cut))) } }

        let ack = DTLSAck(recordNumbers: [RecordNumber(epoch: 1, sequence: 7)])
        #expect(ack.bytes == [0, 16, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 7])
        for cut in 1..<ack.bytes.count { #expect(throws: (any Error).self) { try DTLSAck(parsing: ack.bytes.prefix(cut)) } }

        let (_, flight) = try Self.startedClient()
        let hello = Array(try HandshakeFragment.parseAll(DTLSRecord.parseAll(flight[0])[0].body)[0].fragment)
        #expect(try ClientHello(parsing: hello).bytes == hello)
        for cut in 0..<hello.count where cut != 2 + 32 + 1 + 1 + 2 + 2 + 2 {
            // (The one prefix that ends right after compression methods is a valid ClientHello
            // without extensions.)
            #expect(throws: (any Error).self) { try ClientHello(parsing: Array(hello.prefix(cut))) }
        }
    }
}

/// Bit flips in whole flights, each fed to a fresh peer at the point where it expects them.
@Suite struct FlightMutationTests {
    /// A client and server driven by hand to where the server has sent flight 4.
    static func toFlightFour() throws -> (client: DTLSConnection, server: DTLSConnection, flightFour: [[UInt8]]) {
        let pair = try HandshakeTests.makePair(serverEKT: [.aeskw128])
        try pair.client.startHandshake(now: .now)
        for datagram in pair.client.takeOutgoingDatagrams() { _ = pair.server.receive(datagram: datagram, now: .now) }
        for datagram in pair.server.takeOutgoingDatagrams() { _ = pair.client.receive(datagram: datagram, now: .now) }
        for datagram in pair.client.takeOutgoingDatagrams() { _ = pair.server.receive(datagram: datagram, now: .now) }
        return (pair.client, pair.server, pair.server.takeOutgoingDatagrams())
    }

    /// The outcome must be one of: the handshake moved on, the input was dropped, or a fatal
    /// alert was sent; and never a crash.
    static func expectHandled(_ connection: DTLSConnection, _ label: String) {
        switch connection.state {
        case .handshaking, .connected: break
        case .failed(.alertSent): break
        default: Issue.record("\(label): unexpected state \(connection.state)")
        }
    }

    @Test func bitFlipsInFlightFourReachingTheClient() throws {
        let sample = try Self.toFlightFour().flightFour
        let datagram = sample[0]
        var alerts = 0
        for index in stride(from: 0, to: datagram.count, by: max(1, datagram.count / 150)) {
            let (client, _, flight) = try Self.toFlightFour()
            var mutated = flight[0]
            guard index < mutated.count else { continue }
            mutated[index] ^= 0x10
            _ = client.receive(datagram: mutated, now: .now)
            Self.expectHandled(client, "byte \(index)")
            if case .failed = client.state { alerts += 1 }
        }
        #expect(alerts > 0)
    }

    @Test func bitFlipsInFlightFiveReachingTheServer() throws {
        var alerts = 0
        var position = 0
        for _ in 0..<150 {
            let (client, server, flightFour) = try Self.toFlightFour()
            for datagram in flightFour { _ = client.receive(datagram: datagram, now: .now) }
            let flightFive = client.takeOutgoingDatagrams()
            let total = flightFive.reduce(0) { $0 + $1.count }
            position = (position + 7) % total
            var remaining = position
            var mutatedFlight = flightFive
            for (index, datagram) in flightFive.enumerated() {
                if remaining < datagram.count {
                    mutatedFlight[index][remaining] ^= 0x04
                    break
                }
                remaining -= datagram.count
            }
            for datagram in mutatedFlight { _ = server.receive(datagram: datagram, now: .now) }
            Self.expectHandled(server, "flight 5 byte \(position)")
            if case .failed = server.state { alerts += 1 }
        }
        #expect(alerts > 0)
    }
}
