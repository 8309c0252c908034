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
        let heard = KeyDistributorRestartTests.Heard()
        let endpoints = try setup.endpoints(["alice", "bob", "carol"], heard: heard)
        for endpoint in endpoints {
            try endpoint.register()
            try endpoint.join(now: .now)
        }
        let send = MediaRounds().send
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
