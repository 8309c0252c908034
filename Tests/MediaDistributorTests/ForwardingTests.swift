// SPDX-License-Identifier: Apache-2.0
// Copyright 2026 the swift-perc authors

import TestSupport
import Foundation
import MediaDistributor
import PERC
import PERCTunnel
import SRTP
import Testing

/// The distributor with fake endpoints on loopback UDP: they join with STUN, their
/// (fake) DTLS goes through the real TLS tunnel to a fake KD that answers with MediaKeys,
/// and double-protected media then flows between them and decrypts end to end.
@Suite(.serialized) struct ForwardingTests {
    static func random(_ count: Int) -> [UInt8] { (0..<count).map { _ in UInt8.random(in: 0...255) } }

    static func ektParameters() throws -> EKTParameterSet {
        try EKTParameterSet(spi: 7, cipher: .aesKeyWrap128, key: random(16), masterSalt: random(12))
    }

    /// Sends `rounds` RTP packets from every endpoint, then checks each endpoint decrypts
    /// exactly the others' payloads.
    /// Joins each endpoint with STUN and hands the distributor its hop keys directly (as the
    /// Key Distributor's MediaKeys would).
    static func joinWithInjectedKeys(_ endpoints: [FakeEndpoint], conference: String, md: MediaDistributor,
                                     at distributor: EndpointAddress) throws {
        for endpoint in endpoints {
            #expect(endpoint.join(conference: conference, at: distributor)?.ok == true)
            let id = try #require(md.association(conference: conference, participant: endpoint.name))
            try md.handle(.mediaKeys(MediaKeys(
                associationID: id, protectionProfile: 0x0009,
                clientWriteMasterKey: SecretBytes(endpoint.toDistributor.key),
                serverWriteMasterKey: SecretBytes(endpoint.fromDistributor.key),
                clientWriteMasterSalt: endpoint.toDistributor.salt, serverWriteMasterSalt: endpoint.fromDistributor.salt)))
        }
    }

    static func exchangeMedia(_ endpoints: [FakeEndpoint], rounds: Int, to distributor: EndpointAddress,
                              tag: String) throws {
        for round in 0..<rounds {
            for endpoint in endpoints {
                endpoint.send(try endpoint.protectedRTP(payload: Array("\(tag) \(endpoint.name) \(round)".utf8)), to: distributor)
            }
        }
        for endpoint in endpoints {
            let expected = Set(endpoints.filter { $0 !== endpoint }.flatMap { other in
                (0..<rounds).map { "\(tag) \(other.name) \($0)" }
            })
            var got: Set<String> = []
            var silent = 0
            while got.count < expected.count && silent < 20 {
                guard let datagram = endpoint.receive() else { silent += 1; continue }
                let packet = try endpoint.receiver.unprotect(datagram)
                got.insert(String(decoding: packet[12...], as: UTF8.self))
            }
            #expect(got == expected, "\(endpoint.name) received \(got.count) of \(expected.count)")
        }
    }

    @Test func threeEndpointsThroughTheTunnel() async throws {
        let directory = temporaryDirectory("md")
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let certificates = try DevelopmentCertificates.loadOrCreate(in: directory)
        let kd = try await FakeKeyDistributor.start(host: "127.0.0.1", credentials: certificates.keyDistributorCredentials())
        let md = try MediaDistributor(configuration: .init(
            mediaHost: "127.0.0.1", workers: 2, idleTimeout: .seconds(30),
            keyDistributor: .init(host: "127.0.0.1", port: kd.server.port,
                                  credentials: certificates.mediaDistributorCredentials())))
        md.start()
        #expect(await kd.profiles.wait { $0 == [SupportedProfiles(version: 0, protectionProfiles: [0x0009, 0x000A])] })

        let distributor = EndpointAddress(host: "127.0.0.1", port: md.mediaPort)!
        let ekt = try Self.ektParameters()
        let endpoints = try ["alice", "bob", "carol"].enumerated().map { i, name in
            try FakeEndpoint(name: name, host: "127.0.0.1", ssrc: 0x1000_0000 + UInt32(i), ekt: ekt)
        }
        for endpoint in endpoints {
            kd.register(endpoint.name, toDistributor: endpoint.toDistributor, fromDistributor: endpoint.fromDistributor)
            let joined = endpoint.join(conference: "standup", at: distributor)
            #expect(joined?.ok == true, "XOR-MAPPED-ADDRESS names the endpoint's port")
            endpoint.send(FakeKeyDistributor.dtlsPrefix + Array(endpoint.name.utf8), to: distributor)
            var reply: [UInt8]?
            for _ in 0..<30 where reply == nil { reply = endpoint.receive() }
            #expect(reply == FakeKeyDistributor.dtlsPrefix + Array("hello \(endpoint.name)".utf8),
                    "the KD's TunneledDtls comes back to the endpoint's 5-tuple")
        }
        let ids = endpoints.map { md.association(conference: "standup", participant: $0.name) }
        #expect(ids.allSatisfy { $0 != nil && $0!.version == 4 })
        #expect(Set(kd.associations.all.map(\.id)) == Set(ids.compactMap { $0 }))
        #expect(await eventually { ids.allSatisfy { md.hopKeys(for: $0!) != nil } })
        try await Task.sleep(for: .milliseconds(200))   // workers apply the keys between batches

        try Self.exchangeMedia(endpoints, rounds: 10, to: distributor, tag: "rtp")

        // SRTCP goes hop by hop: every endpoint gets the others' reports under its own hop key.
        for (i, endpoint) in endpoints.enumerated() {
            endpoint.send(try endpoint.protectedRTCP(marker: UInt8(0x41 + i)), to: distributor)
        }
        for endpoint in endpoints {
            var markers: Set<UInt8> = []
            var silent = 0
            while markers.count < 2 && silent < 20 {
                guard let datagram = endpoint.receive() else { silent += 1; continue }
                let rtcp = try endpoint.receiver.hopByHop.unprotectRTCP(datagram)
                markers.insert(rtcp[18])
            }
            let others = Set(endpoints.enumerated().filter { $0.element !== endpoint }.map { UInt8(0x41 + $0.offset) })
            #expect(markers == others)
        }

        // The key store holds exactly the outer halves, never an inner key.
        let held = md.heldKeyLengths
        #expect(held.count == 12 && held.allSatisfy { $0.held == $0.outerHalf })
        for (endpoint, id) in zip(endpoints, ids) {
            let keys = try #require(md.hopKeys(for: id!))
            #expect(keys.endpointToDistributor.key == endpoint.toDistributor.key)
            #expect(keys.distributorToEndpoint.key == endpoint.fromDistributor.key)
            for other in endpoints {
                #expect(keys.endpointToDistributor.key != other.innerKey && keys.distributorToEndpoint.key != other.innerKey)
            }
        }

        // The KD goes away: media keeps flowing with the installed hop keys.
        await kd.server.close()
        #expect(await eventually { md.tunnel?.isConnected == false })
        try Self.exchangeMedia(endpoints, rounds: 5, to: distributor, tag: "kd-down")

        // Workers publish their counters after each batch, so the last one may lag the packets.
        #expect(await eventually { md.statistics.rtpForwarded == 3 * 2 * 15 })
        let statistics = md.statistics
        #expect(statistics.authenticationFailures == 0 && statistics.unknownSource == 0)
        #expect(statistics.rtpReceived == 3 * 15)
        #expect(statistics.rtcpForwarded == 3 * 2)
        #expect(statistics.stunAnswered >= 3)
        await md.stop()
    }

    @Test func injectedKeysOverIPv6AndSSRCOwnership() async throws {
        let md = try MediaDistributor(configuration: .init(mediaHost: "::1", workers: 1, pinWorkers: false))
        md.start()
        let distributor = EndpointAddress(host: "::1", port: md.mediaPort)!
        let ekt = try Self.ektParameters()
        let alice = try FakeEndpoint(name: "alice", host: "::1", ssrc: 0xA11CE, ekt: ekt)
        let bob = try FakeEndpoint(name: "bob", host: "::1", ssrc: 0xB0B, ekt: ekt)
        let mallory = try FakeEndpoint(name: "mallory", host: "::1", ssrc: 0xA11CE, ekt: ekt)   // alice's SSRC
        try Self.joinWithInjectedKeys([alice, bob, mallory], conference: "v6", md: md, at: distributor)
        try await Task.sleep(for: .milliseconds(200))
        try Self.exchangeMedia([alice, bob], rounds: 5, to: distributor, tag: "v6")
        while mallory.receive() != nil {}

        // mallory claims alice's SSRC: dropped, so no (key, SSRC) stream is sealed twice.
        for round in 0..<3 { mallory.send(try mallory.protectedRTP(payload: Array("forged \(round)".utf8)), to: distributor) }
        #expect(await eventually { md.statistics.ssrcConflicts == 3 })
        #expect(bob.receive() == nil)
        await md.stop()
    }

    /// The several-node path on whatever machine runs the test: a topology that puts the
    /// machine's CPUs on two nodes, node 0 (which every machine has) first, so the worker
    /// prefers node 0's memory and remakes its batches on its own thread; media then still
    /// flows. Without libnuma the worker is only pinned, and media flows too.
    @Test func aWorkerPlacedOnANodeRemakesItsBuffersAndForwards() async throws {
        let cpus = CPUTopology.current().cpus.map(\.id)
        let first = try #require(cpus.first)
        let topology = CPUTopology(cpus: [.init(id: first, node: 0), .init(id: cpus.count > 1 ? cpus[1] : first, node: 1)])
        let md = try MediaDistributor(configuration: .init(mediaHost: "127.0.0.1", workers: 1, pinWorkers: true,
                                                           topology: topology))
        #expect(md.workerPlacements == [WorkerPlacement(cpu: first, node: 0)])
        md.start()
        if CPUTopology.isNUMAAvailable {
            #expect(await eventually { md.workerMemoryNodes == [0] }, "the worker placed its memory on node 0")
        }
        let distributor = EndpointAddress(host: "127.0.0.1", port: md.mediaPort)!
        let ekt = try Self.ektParameters()
        let alice = try FakeEndpoint(name: "alice", host: "127.0.0.1", ssrc: 0xA, ekt: ekt)
        let bob = try FakeEndpoint(name: "bob", host: "127.0.0.1", ssrc: 0xB, ekt: ekt)
        try Self.joinWithInjectedKeys([alice, bob], conference: "numa", md: md, at: distributor)
        try await Task.sleep(for: .milliseconds(200))
        try Self.exchangeMedia([alice, bob], rounds: 20, to: distributor, tag: "numa")
        #expect(await eventually { md.statistics.rtpForwarded == 2 * 20 })
        await md.stop()
    }

    /// A second MediaKeys (a DTLS rekey) replaces the hop contexts in the workers: packets
    /// under the old endpoint-to-distributor half fail, packets under the new one flow.
    @Test func secondMediaKeysReplacesTheHopKeys() async throws {
        let md = try MediaDistributor(configuration: .init(mediaHost: "127.0.0.1", pinWorkers: false))
        md.start()
        let distributor = EndpointAddress(host: "127.0.0.1", port: md.mediaPort)!
        let ekt = try Self.ektParameters()
        let alice = try FakeEndpoint(name: "alice", host: "127.0.0.1", ssrc: 0xA, ekt: ekt)
        let bob = try FakeEndpoint(name: "bob", host: "127.0.0.1", ssrc: 0xB, ekt: ekt)
        func install(_ endpoint: FakeEndpoint) throws {
            let id = try #require(md.association(conference: "rekey", participant: endpoint.name))
            try md.handle(.mediaKeys(MediaKeys(
                associationID: id, protectionProfile: 0x0009,
                clientWriteMasterKey: SecretBytes(endpoint.toDistributor.key),
                serverWriteMasterKey: SecretBytes(endpoint.fromDistributor.key),
                clientWriteMasterSalt: endpoint.toDistributor.salt, serverWriteMasterSalt: endpoint.fromDistributor.salt)))
        }
        for endpoint in [alice, bob] {
            #expect(endpoint.join(conference: "rekey", at: distributor)?.ok == true)
            try install(endpoint)
        }
        try await Task.sleep(for: .milliseconds(200))
        try Self.exchangeMedia([alice, bob], rounds: 3, to: distributor, tag: "before")

        let oldSender = try alice.replaceOuterKey()
        try install(alice)
        #expect(md.hopKeys(for: md.association(conference: "rekey", participant: "alice")!)?.generation == 3)
        try await Task.sleep(for: .milliseconds(200))
        alice.send(try alice.protectedRTP(payload: Array("stale".utf8), using: oldSender), to: distributor)
        #expect(await eventually { md.statistics.authenticationFailures == 1 })
        #expect(bob.receive() == nil)
        try Self.exchangeMedia([alice, bob], rounds: 3, to: distributor, tag: "after")
        await md.stop()
    }

    @Test func mediaKeysThatAreNotOuterHalvesAreRefused() async throws {
        let md = try MediaDistributor(configuration: .init(mediaHost: "127.0.0.1", profiles: [.aes128Gcm]))
        md.start()
        let distributor = EndpointAddress(host: "127.0.0.1", port: md.mediaPort)!
        let endpoint = try FakeEndpoint(name: "eve", host: "127.0.0.1", ssrc: 1, ekt: try Self.ektParameters())
        #expect(endpoint.join(conference: "c", at: distributor)?.ok == true)
        let id = try #require(md.association(conference: "c", participant: "eve"))
        func keys(profile: UInt16 = 0x0009, mki: [UInt8] = [], key: Int = 16, salt: Int = 12) -> TunnelMessage {
            .mediaKeys(MediaKeys(associationID: id, protectionProfile: profile, mki: mki,
                                 clientWriteMasterKey: SecretBytes(Self.random(key)), serverWriteMasterKey: SecretBytes(Self.random(16)),
                                 clientWriteMasterSalt: Self.random(salt), serverWriteMasterSalt: Self.random(12)))
        }
        #expect(throws: MediaDistributorError.notAnOuterHalf(field: "client_write_SRTP_master_key", expected: 16, actual: 32)) {
            try md.handle(keys(key: 32))   // a whole double key (inner || outer) is refused
        }
        #expect(throws: MediaDistributorError.notAnOuterHalf(field: "client_write_SRTP_master_salt", expected: 12, actual: 24)) {
            try md.handle(keys(salt: 24))
        }
        #expect(throws: MediaDistributorError.unsupportedProfile(0x000A)) { try md.handle(keys(profile: 0x000A, key: 32)) }
        #expect(throws: MediaDistributorError.mkiNotSupported) { try md.handle(keys(mki: [1])) }
        #expect(throws: MediaDistributorError.self) {
            try md.handle(.endpointDisconnect(EndpointDisconnect(associationID: .random())))
        }
        #expect(md.hopKeys(for: id) == nil && md.heldKeyLengths.isEmpty && md.rejectedMediaKeys == 4)
        try md.handle(keys())
        #expect(md.hopKeys(for: id)?.generation == 1)
        try md.handle(keys())   // a DTLS rekey: the second MediaKeys replaces the first
        #expect(md.hopKeys(for: id)?.generation == 2 && md.heldKeyLengths.count == 4)
        await md.stop()
    }
}
