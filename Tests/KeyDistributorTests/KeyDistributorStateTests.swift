// SPDX-License-Identifier: Apache-2.0
// Copyright 2026 the swift-perc authors

import DTLS
import Foundation
import KeyDistributor
import PERC
import PERCTunnel
import SRTP
import TestSupport
import Testing

/// The Key Distributor's saved state: the encoding, the file (mode, atomic replace), and a
/// restart that resumes conferences, holds rekeys back while members from before the restart
/// remain, and gives up on them at the TTL.
@Suite struct KeyDistributorStateTests {
    typealias Endpoint = KeyDistributorTests.Endpoint

    static func sampleState() throws -> KeyDistributorState {
        let registrations = [
            Registration(conference: "room", participant: "alice", fingerprint: String(repeating: "ab", count: 32),
                         tlsID: "tls-id-alice-0123456789"),
            Registration(conference: "hall ✓", participant: "bob", fingerprint: String(repeating: "0c", count: 32),
                         tlsID: "tls-id-bob-01234567890123"),
        ]
        let room = try EKTParameterSet(spi: 7, cipher: .aesKeyWrap128, key: Array(1...16), masterSalt: Array(101...112),
                                       ttl: 3600)
        let hall = try EKTParameterSet(spi: 9, cipher: .aesKeyWrap256, key: Array(201...232), masterSalt: Array(1...12))
        return KeyDistributorState(registrations: registrations, nextSPI: 10, conferences: [
            .init(name: "room", keys: room, createdAt: 1_790_000_000.25, members: [.random(), .random()], rekeyPending: true),
            .init(name: "hall ✓", keys: hall, createdAt: 1_790_000_100, members: [], rekeyPending: false),
        ])
    }

    @Test func encodingRoundTrips() throws {
        let state = try Self.sampleState()
        let decoded = try state.encoded().withUnsafeBytes { try KeyDistributorState(decoding: $0) }
        #expect(decoded.registrations == state.registrations)
        #expect(decoded.nextSPI == 10)
        #expect(decoded.conferences.count == 2)
        for (a, b) in zip(decoded.conferences, state.conferences) {
            #expect(a.name == b.name && a.createdAt == b.createdAt && a.members == b.members && a.rekeyPending == b.rekeyPending)
            #expect(a.keys.spi == b.keys.spi && a.keys.cipher == b.keys.cipher && a.keys.ttl == b.keys.ttl)
            #expect(a.keys.key == b.keys.key && a.keys.masterSalt == b.keys.masterSalt)
        }
    }

    @Test func everyTruncationAndCorruptionIsATypedError() throws {
        let bytes = try Self.sampleState().encoded().withUnsafeBytes { Array($0) }
        for length in 0..<bytes.count {
            #expect(throws: KeyDistributorStateError.self) {
                try bytes[0..<length].withUnsafeBytes { try KeyDistributorState(decoding: $0) }
            }
        }
        var corrupt: [[UInt8]] = [bytes + [0]]
        var badMagic = bytes; badMagic[0] ^= 1; corrupt.append(badMagic)
        var badVersion = bytes; badVersion[4] = 2; corrupt.append(badVersion)
        var hugeCount = bytes; hugeCount.replaceSubrange(7..<11, with: [0xFF, 0xFF, 0xFF, 0xFF]); corrupt.append(hugeCount)
        var zeroSPI = bytes; zeroSPI[5] = 0; zeroSPI[6] = 0; corrupt.append(zeroSPI)
        for bad in corrupt {
            #expect(throws: KeyDistributorStateError.self) { try bad.withUnsafeBytes { try KeyDistributorState(decoding: $0) } }
        }
        // Every single-byte change either decodes or throws; it never traps or reads past the end.
        for index in bytes.indices {
            var changed = bytes
            changed[index] ^= 0x80
            _ = try? changed.withUnsafeBytes { try KeyDistributorState(decoding: $0) }
        }
    }

    @Test func fileIsPrivateReplacedAtomicallyAndReadBack() throws {
        let parent = temporaryDirectory("kmf-state")
        defer { try? FileManager.default.removeItem(atPath: parent) }
        let file = try KeyDistributorStateFile(directory: parent + "/state")
        #expect(try file.load() == nil, "nothing saved yet")
        let directoryMode = try FileManager.default.attributesOfItem(atPath: file.directory)[.posixPermissions] as? Int
        #expect(directoryMode == 0o700)

        var state = try Self.sampleState()
        try file.save(state)
        state.nextSPI = 11
        state.registrations.removeLast()
        try file.save(state)
        let mode = try FileManager.default.attributesOfItem(atPath: file.path)[.posixPermissions] as? Int
        #expect(mode == 0o600)
        #expect(try FileManager.default.contentsOfDirectory(atPath: file.directory) == ["kmf-state"],
                "no temporary file is left behind")
        let loaded = try #require(try file.load())
        #expect(loaded.nextSPI == 11 && loaded.registrations == state.registrations)
        #expect(loaded.conferences.map(\.keys.key) == state.conferences.map(\.keys.key))

        try Data("PKMF garbage".utf8).write(to: URL(fileURLWithPath: file.path))
        #expect(throws: KeyDistributorStateError.self) { try file.load() }
        #expect(throws: KeyDistributorStateError.self) { try KeyDistributorStateFile(directory: file.path) }
    }

    static func makeKD(policy: RekeyPolicy = RekeyPolicy(), ttl: UInt32 = 86_400,
                       file: KeyDistributorStateFile) throws -> KeyDistributor {
        let kd = try KeyDistributor(configuration: .init(identity: try DTLSIdentity.selfSigned(),
                                                         sessionID: Array("key-distributor-0001".utf8), policy: policy,
                                                         ektTTL: ttl),
                                    registry: ConferenceRegistry(), stateFile: file)
        kd.tunnelOpened(1, profiles: [0x0009, 0x000A])
        return kd
    }

    /// Handshakes `endpoints` with `kd` and delivers their EKTKey acknowledgements.
    static func join(_ endpoints: [Endpoint], to kd: KeyDistributor, now: ContinuousClock.Instant) throws {
        _ = try KeyDistributorTests.connect(endpoints, to: kd, now: now)
        for endpoint in endpoints {
            for datagram in endpoint.dtls.takeOutgoingDatagrams() {
                _ = kd.receiveDTLS(tunnel: 1, association: endpoint.association, datagram: datagram, now: now)
            }
        }
    }

    @Test func aRestartedKeyDistributorResumesAndHoldsRekeysUntilTheEarlierMembersLeave() throws {
        let directory = temporaryDirectory("kmf-restart")
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let file = try KeyDistributorStateFile(directory: directory)
        let policy = RekeyPolicy(rekeyOnJoin: true, rekeyOnLeave: true)
        let (alice, bob, carol) = (try Endpoint(tlsID: "tls-id-alice-0123456789"), try Endpoint(tlsID: "tls-id-bob-01234567890"),
                                   try Endpoint(tlsID: "tls-id-carol-0123456789"))

        let first = try Self.makeKD(policy: policy, file: file)
        for endpoint in [alice, bob, carol] { try first.registry.register(endpoint.registration(conference: "room")) }
        try Self.join([alice, bob], to: first, now: .now)
        let later = ContinuousClock.now.advanced(by: .seconds(1))
        KeyDistributorTests.exchange([alice, bob], with: first, now: later)
        #expect(first.memberCount(conference: "room") == 2)
        let spi = try #require(first.currentSPI(conference: "room"))
        #expect(alice.ektKeys.last?.spi == spi && bob.ektKeys.last?.spi == spi, "the join rekey reached both")
        let usedSPIs = Set((alice.ektKeys + bob.ektKeys).map(\.spi))
        first.shutDown()
        #expect(first.currentSPI(conference: "room") == nil, "the keys are gone from memory")

        // The restart: a new identity and registry; carol registered before it and joins after.
        let second = try Self.makeKD(policy: policy, file: file)
        #expect(second.currentSPI(conference: "room") == spi)
        #expect(second.restoredMemberCount(conference: "room") == 2 && second.memberCount(conference: "room") == 0)
        #expect(Set(second.registry.all.map(\.participant)) == Set([alice, bob, carol].map(\.tlsID)))
        let start = ContinuousClock.now
        try Self.join([carol], to: second, now: start)
        #expect(carol.ektKeys.map(\.spi) == [spi])
        #expect(carol.ektKeys.first?.key == alice.ektKeys.last?.key && carol.ektKeys.first?.masterSalt == alice.ektKeys.last?.masterSalt,
                "the late joiner gets the EKTKey the earlier members hold")
        #expect(second.memberCount(conference: "room") == 1)

        // Alice's close_notify cannot be read without her old session: ignored, she stays.
        alice.dtls.close()
        for datagram in alice.dtls.takeOutgoingDatagrams() {
            #expect(second.receiveDTLS(tunnel: 1, association: alice.association, datagram: datagram, now: start).isEmpty)
        }
        #expect(second.restoredMemberCount(conference: "room") == 2)
        // Carol's join and alice's leave (reported by the media distributor) would each rekey;
        // bob, from before the restart, would not get the new key, so the rekey waits.
        #expect(second.endpointDisconnected(association: alice.association, now: start).isEmpty)
        #expect(second.restoredMemberCount(conference: "room") == 1)
        for seconds in [1, 5, 30] {
            let now = start.advanced(by: .seconds(seconds))
            for action in second.tick(now: now) { _ = KeyDistributorTests.deliver(action, to: [carol], now: now) }
            #expect(second.currentSPI(conference: "room") == spi)
        }
        #expect(carol.ektKeys.count == 1)
        // Bob leaves too: the held rekey runs and reaches carol.
        _ = second.endpointDisconnected(association: bob.association, now: start.advanced(by: .seconds(31)))
        let after = start.advanced(by: .seconds(32))
        for action in second.tick(now: after) { _ = KeyDistributorTests.deliver(action, to: [carol], now: after) }
        let newSPI = try #require(second.currentSPI(conference: "room"))
        #expect(newSPI != spi && !usedSPIs.contains(newSPI), "SPIs are not reused across the restart")
        #expect(carol.ektKeys.map(\.spi) == [spi, newSPI])
        second.shutDown()

        let third = try Self.makeKD(policy: policy, file: file)
        #expect(third.currentSPI(conference: "room") == newSPI)
        #expect(third.restoredMemberCount(conference: "room") == 1, "carol, admitted by the second instance")
    }

    @Test func theHoldBackEndsAtTheTTL() throws {
        let directory = temporaryDirectory("kmf-ttl")
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let file = try KeyDistributorStateFile(directory: directory)
        let alice = try Endpoint(tlsID: "tls-id-alice-0123456789")
        let first = try Self.makeKD(ttl: 20, file: file)
        try first.registry.register(alice.registration(conference: "room"))
        try Self.join([alice], to: first, now: .now)
        let spi = try #require(first.currentSPI(conference: "room"))
        first.shutDown()

        let second = try Self.makeKD(ttl: 20, file: file)
        let start = ContinuousClock.now
        // Renewal is due at half the TTL (10 s) but held back for alice ...
        _ = second.tick(now: start.advanced(by: .seconds(12)))
        #expect(second.currentSPI(conference: "room") == spi && second.restoredMemberCount(conference: "room") == 1)
        // ... until the TTL runs out: then the key is replaced and alice given up on.
        _ = second.tick(now: start.advanced(by: .seconds(21)))
        #expect(second.currentSPI(conference: "room") != spi)
        #expect(second.restoredMemberCount(conference: "room") == 0)
    }

    @Test func withoutAStateFileNothingSurvives() throws {
        let kd = try KeyDistributorTests.makeKD()
        let alice = try Endpoint(tlsID: "tls-id-alice-0123456789")
        try kd.registry.register(alice.registration(conference: "room"))
        try Self.join([alice], to: kd, now: .now)
        #expect(kd.currentSPI(conference: "room") != nil && kd.stateSaveFailures == 0)
        kd.shutDown()
        #expect(kd.currentSPI(conference: "room") == nil && kd.memberCount(conference: "room") == 0)
        #expect(kd.tick(now: .now).isEmpty)
    }
}
