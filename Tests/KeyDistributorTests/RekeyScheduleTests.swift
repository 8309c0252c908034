// SPDX-License-Identifier: Apache-2.0
// Copyright 2026 the swift-perc authors

import KeyDistributor
import NIOHTTP1
import Testing

/// The rekey policy of RFC 8871 4.5.2 as the Key Distributor applies it: rekey on join
/// and/or leave, coalesced within the hold-off.
@Suite struct RekeyScheduleTests {
    @Test func noRekeyWithoutPolicy() {
        var schedule = RekeySchedule(policy: RekeyPolicy())
        schedule.joined(at: 0)
        schedule.left(at: 1)
        #expect(schedule.dueTime == nil)
        #expect(!fire(&schedule, at: 100))
        #expect(schedule.rekeys == 0)
    }

    @Test func burstOfJoinsWithinHoldoffIsOneRekey() {
        var schedule = RekeySchedule(policy: RekeyPolicy(rekeyOnJoin: true, holdoff: 2))
        for t in stride(from: 0.0, to: 1.9, by: 0.1) { schedule.joined(at: t) }
        #expect(schedule.dueTime == 2)
        #expect(!fire(&schedule, at: 1.99))
        #expect(fire(&schedule, at: 2.0))
        #expect(!fire(&schedule, at: 2.5))
        #expect(schedule.rekeys == 1)
        schedule.joined(at: 3)
        #expect(fire(&schedule, at: 5))
        #expect(schedule.rekeys == 2)
    }

    @Test func leaveOnlyPolicyIgnoresJoins() {
        var schedule = RekeySchedule(policy: RekeyPolicy(rekeyOnLeave: true, holdoff: 0))
        schedule.joined(at: 0)
        #expect(!fire(&schedule, at: 0))
        schedule.left(at: 1)
        #expect(fire(&schedule, at: 1))
        #expect(schedule.rekeys == 1)
    }
}

/// Runs the mutating check outside the #expect macro.
private func fire(_ schedule: inout RekeySchedule, at now: Double) -> Bool { schedule.due(at: now) }

@Suite struct EKTKeyScheduleTests {
    @Test func rotationGivesFreshSPIKeyAndSalt() throws {
        let allocator = SPIAllocator()
        var schedule = try EKTKeySchedule(cipher: .aesKeyWrap128, ttl: 100, now: 0, allocator: allocator)
        let first = schedule.current
        #expect(!schedule.needsRenewal(at: 49))
        #expect(schedule.needsRenewal(at: 50))
        let second = try schedule.rotate(at: 50)
        #expect(second.spi != first.spi)
        #expect(second.key != first.key)
        #expect(second.masterSalt != first.masterSalt)
        #expect(second.key.count == 16 && second.masterSalt.count == 12)
        #expect(!schedule.needsRenewal(at: 60))
    }

    @Test func spiAllocatorSkipsZeroOnWrap() {
        let allocator = SPIAllocator(start: .max)
        #expect(allocator.next() == .max)
        #expect(allocator.next() == 1)
    }
}

@Suite struct ConferenceRegistryTests {
    let fingerprint = String(repeating: "ab", count: 32)

    @Test func authorizesMatchingFingerprintAndTLSID() throws {
        let registry = ConferenceRegistry()
        try registry.register(Registration(conference: "room", participant: "alice",
                                           fingerprint: fingerprint.uppercased(), tlsID: "tls-id-0123456789-alice"))
        let found = try registry.authorize(fingerprint: fingerprint, externalSessionID: Array("tls-id-0123456789-alice".utf8))
        #expect(found.participant == "alice")
        #expect(throws: RegistrationError.tlsIDMismatch) {
            try registry.authorize(fingerprint: fingerprint, externalSessionID: Array("tls-id-0123456789-other".utf8))
        }
        #expect(throws: RegistrationError.tlsIDMismatch) {
            try registry.authorize(fingerprint: fingerprint, externalSessionID: nil)
        }
        #expect(throws: RegistrationError.unknownEndpoint) {
            try registry.authorize(fingerprint: String(repeating: "cd", count: 32), externalSessionID: Array("tls-id-0123456789-alice".utf8))
        }
    }

    @Test func rejectsMalformedRegistrations() {
        let registry = ConferenceRegistry()
        #expect(throws: RegistrationError.self) {
            try registry.register(Registration(conference: "", participant: "a", fingerprint: fingerprint, tlsID: "x"))
        }
        #expect(throws: RegistrationError.self) {
            try registry.register(Registration(conference: "c", participant: "a", fingerprint: "abcd", tlsID: "x"))
        }
        #expect(throws: RegistrationError.self) {
            try registry.register(Registration(conference: "c", participant: "a", fingerprint: fingerprint, tlsID: ""))
        }
    }
}

@Suite struct ConferenceServiceTests {
    let fingerprint = String(repeating: "0f", count: 32)

    @Test func registersAndReportsParticipants() throws {
        let service = ConferenceService(registry: ConferenceRegistry(), keyDistributorTLSID: "kd-tls-id-000000000001")
        let body = Array(#"{"participant":"alice","fingerprint":"\#(fingerprint)","tls_id":"tls-id-alice-0123456789"}"#.utf8)
        let created = service.respond(method: .POST, path: "/conferences/room/participants", body: body)
        #expect(created.status == .created)
        #expect(created.json["key_distributor_tls_id"] == "kd-tls-id-000000000001")
        #expect(service.respond(method: .GET, path: "/conferences/room", body: []).json["registered"] == "1")
        #expect(service.respond(method: .DELETE, path: "/conferences/room/participants/\(fingerprint)", body: []).status == .noContent)
        #expect(service.respond(method: .GET, path: "/conferences/room", body: []).json["registered"] == "0")
    }

    @Test func rejectsBadRequests() {
        let service = ConferenceService(registry: ConferenceRegistry(), keyDistributorTLSID: "kd-tls-id-000000000001")
        #expect(service.respond(method: .POST, path: "/conferences/room/participants", body: Array("{".utf8)).status == .badRequest)
        let shortID = Array(#"{"fingerprint":"\#(fingerprint)","tls_id":"short"}"#.utf8)
        #expect(service.respond(method: .POST, path: "/conferences/room/participants", body: shortID).status == .badRequest)
        #expect(service.respond(method: .GET, path: "/nowhere", body: []).status == .notFound)
        #expect(service.respond(method: .PUT, path: "/conferences/room", body: []).status == .methodNotAllowed)
    }
}
