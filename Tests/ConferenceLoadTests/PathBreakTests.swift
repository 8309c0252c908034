// SPDX-License-Identifier: Apache-2.0
// Copyright 2026 the swift-perc authors

import KeyDistributor
import MediaDistributor
import PERCEndpoint
import Testing

/// One endpoint's path breaks while the Media Distributor stays up: it joins again from a new
/// socket under the same registration. The Key Distributor ends its old association as soon
/// as the new one is admitted (no rekey: the member never left), the distributor frees the
/// old association's SSRCs, and the others hear the endpoint again long before the old
/// association's idle timeout (30 s here) would have freed them.
@Suite(.serialized) struct PathBreakTests {
    @Test func anEndpointWhosePathBrokeIsHeardAgainWithoutWaitingForTheIdleTimeout() async throws {
        let setup = try await LoopbackConference.start(policy: RekeyPolicy(rekeyOnLeave: true), idleTimeout: .seconds(30))
        defer { Task { await setup.stop() } }
        let service = HostPort(host: "127.0.0.1", port: UInt16(setup.kd.httpPort))
        let media = HostPort(host: "127.0.0.1", port: UInt16(setup.md.mediaPort))
        let heard = KeyDistributorRestartTests.Heard()
        let endpoints = try ["alice", "bob", "carol"].enumerated().map { index, name in
            let endpoint = try ConferenceEndpoint(configuration: .init(
                conference: "room", participant: name, sender: UInt32(index), mediaDistributor: media,
                conferenceService: service, ektFullFieldInterval: 1))
            endpoint.onMedia = { payload, _ in heard.record(receiver: UInt32(index), sender: payload.sender) }
            try endpoint.register()
            try endpoint.join(now: .now)
            return endpoint
        }
        var sequence: UInt32 = 0
        let send: ([ConferenceEndpoint]) -> Void = { endpoints in
            for endpoint in endpoints { endpoint.sendMedia(stream: 0, sequence: sequence, payloadLength: 120) }
            sequence += 1
        }
        #expect(await ConferenceEndpointTests.drive(endpoints) { endpoints.allSatisfy { $0.phase == .keyed } })
        #expect(await ConferenceEndpointTests.drive(endpoints, every: send) { heard.grew([0, 1, 2], by: 20, since: [:]) })
        let spi = try #require(endpoints[0].ektSPIs.first)
        let associations = setup.md.associationCount

        endpoints[0].pathLost(now: .now)
        let before = heard.snapshot
        #expect(await ConferenceEndpointTests.drive(endpoints, every: send) { heard.grew([0, 1, 2], by: 20, since: before) },
                "phases \(endpoints.map(\.phase)), heard \(heard.snapshot), \(setup.md.statistics)")
        #expect(endpoints[0].statistics.rejoins == 1 && endpoints[0].phase == .keyed)
        #expect(endpoints.allSatisfy { $0.ektSPIs == [spi] }, "no rekey: \(endpoints.map(\.ektSPIs))")
        #expect(await setup.kd.snapshot().disconnectsSent == 1, "the old association, ended by the Key Distributor")
        // The old association stays bound (without keys) until its handshake timeout; it
        // never sent again, and the rejoined endpoint never repeated an index.
        #expect(setup.md.associationCount == associations + 1)
        #expect(setup.md.statistics.copiesRefused == 0 && setup.md.statistics.authenticationFailures == 0)
        KeyDistributorRestartTests.expectClean([endpoints[0]], rejoins: 1)
        KeyDistributorRestartTests.expectClean(Array(endpoints[1...]))
        for endpoint in endpoints { endpoint.leave() }
    }
}
