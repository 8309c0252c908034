// SPDX-License-Identifier: Apache-2.0
// Copyright 2026 the swift-perc authors

import Foundation
import KeyDistributor
import MediaDistributor
import PERCEndpoint
import Testing

/// Real endpoints over loopback UDP against a Media Distributor and a Key Distributor on the
/// TLS tunnel: register over HTTP, join with STUN, DTLS-SRTP through the distributor, then
/// double-protected media verified end to end; a leave triggers a rekey the others see.
@Suite(.serialized) struct ConferenceEndpointTests {
    static func endpoints(_ names: [String], conference: String, setup: LoopbackConference,
                          host: String) throws -> [ConferenceEndpoint] {
        let service = HostPort(host: host, port: UInt16(setup.kd.httpPort))
        let media = HostPort(host: host, port: UInt16(setup.md.mediaPort))
        return try names.enumerated().map { index, name in
            try ConferenceEndpoint(configuration: .init(conference: conference, participant: name, sender: UInt32(index),
                                                        mediaDistributor: media, conferenceService: service))
        }
    }

    /// Services every endpoint until `condition` holds or `timeout` passes.
    static func drive(_ endpoints: [ConferenceEndpoint], timeout: Duration = .seconds(15),
                      every step: ([ConferenceEndpoint]) -> Void = { _ in }, until condition: () -> Bool) async -> Bool {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            for endpoint in endpoints { endpoint.service(now: .now) }
            step(endpoints)
            if condition() { return true }
            try? await Task.sleep(for: .milliseconds(2))
        }
        return condition()
    }

    @Test(arguments: ["127.0.0.1", "::1"])
    func threeEndpointsJoinKeyAndExchangeVerifiedMedia(host: String) async throws {
        let setup = try await LoopbackConference.start(host: host)
        defer { Task { await setup.stop() } }
        let endpoints = try Self.endpoints(["alice", "bob", "carol"], conference: "standup", setup: setup, host: host)
        var received: [[(UInt32, UInt32)]] = Array(repeating: [], count: 3)
        for (index, endpoint) in endpoints.enumerated() {
            endpoint.onMedia = { payload, _ in received[index].append((payload.sender, payload.sequence)) }
            try endpoint.register()
            try endpoint.join(now: .now)
        }
        #expect(await Self.drive(endpoints) { endpoints.allSatisfy { $0.phase == .keyed } },
                "phases: \(endpoints.map(\.phase)), \(endpoints.map(\.statistics)), tunnel up \(setup.md.tunnel?.isConnected == true), \(setup.md.statistics)")
        // The distributor holds only outer halves (16-byte keys, 12-byte salts for AES-128-GCM double).
        #expect(setup.md.heldKeyLengths.allSatisfy { $0.held == $0.outerHalf })
        #expect(!setup.md.heldKeyLengths.isEmpty)

        // Everyone sends 40 packets; wait until each got the other two's 40 (the first few may
        // precede a receiver's hop keys at the distributor, so senders keep going until then).
        var sequence: UInt32 = 0
        let done = await Self.drive(endpoints, every: { endpoints in
            guard sequence < 200 else { return }
            for endpoint in endpoints { endpoint.sendMedia(stream: 0, sequence: sequence, payloadLength: 160) }
            sequence += 1
        }, until: { received.allSatisfy { Set($0.map(\.0)).count == 2 && $0.count >= 80 } })
        #expect(done, "received: \(received.map(\.count))")
        for (index, endpoint) in endpoints.enumerated() {
            #expect(!received[index].contains { $0.0 == UInt32(index) }, "no endpoint hears itself")
            #expect(endpoint.statistics.e2eAuthenticationFailures == 0)
            #expect(endpoint.statistics.hbhAuthenticationFailures == 0)
            #expect(endpoint.statistics.contentMismatches == 0)
            #expect(endpoint.joinTime != nil)
        }
        for endpoint in endpoints { endpoint.leave() }
    }

    @Test func aLeaveIsARekeyTheOthersSeeAndMediaGoesOnUnderTheNewKey() async throws {
        let setup = try await LoopbackConference.start(policy: RekeyPolicy(rekeyOnLeave: true))
        defer { Task { await setup.stop() } }
        let endpoints = try Self.endpoints(["alice", "bob", "carol"], conference: "room", setup: setup, host: "127.0.0.1")
        var fromAlice: [UInt32] = []
        endpoints[1].onMedia = { payload, _ in if payload.sender == 0 { fromAlice.append(payload.sequence) } }
        for endpoint in endpoints {
            try endpoint.register()
            try endpoint.join(now: .now)
        }
        #expect(await Self.drive(endpoints) { endpoints.allSatisfy { $0.phase == .keyed } })
        let send = MediaRounds(payloadLength: 100).send
        #expect(await Self.drive(endpoints, every: send) { fromAlice.count >= 10 })

        // Carol leaves with close_notify: the KD drops her, rekeys; Alice and Bob get a new
        // EKTKey and, 250 ms later, send under fresh end-to-end keys.
        endpoints[2].leave()
        let stayers = Array(endpoints.prefix(2))
        #expect(await Self.drive(stayers, every: send) {
            stayers.allSatisfy { $0.statistics.rekeysSeen == 1 && $0.statistics.endToEndRekeys == 1 }
        })
        #expect(Set(stayers.map { $0.ektSPIs }).count == 1, "both saw the same two SPIs")
        #expect(endpoints[2].ektSPIs == [stayers[0].ektSPIs[0]], "the leaver never saw the new EKTKey")
        let before = fromAlice.count
        #expect(await Self.drive(stayers, every: send) { fromAlice.count >= before + 20 })
        for endpoint in stayers {
            #expect(endpoint.statistics.e2eAuthenticationFailures == 0)
            #expect(endpoint.statistics.hbhAuthenticationFailures == 0)
            #expect(endpoint.statistics.contentMismatches == 0)
            endpoint.leave()
        }
        #expect(endpoints[2].phase == .left)
    }

    @Test func anUnregisteredEndpointNeverGetsKeys() async throws {
        let setup = try await LoopbackConference.start()
        defer { Task { await setup.stop() } }
        let endpoint = try Self.endpoints(["mallory"], conference: "room", setup: setup, host: "127.0.0.1")[0]
        try endpoint.join(now: .now)   // no register()
        let ended = await Self.drive([endpoint], timeout: .seconds(3)) {
            if case .failed = endpoint.phase { return true }
            return false
        }
        #expect(ended, "phase: \(endpoint.phase)")
        #expect(endpoint.keying == nil && endpoint.statistics.ektKeysReceived == 0)
        endpoint.leave()
    }
}
