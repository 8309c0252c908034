// SPDX-License-Identifier: Apache-2.0
// Copyright 2026 the swift-perc authors

import KeyDistributor
import MediaDistributor
import PERCEndpoint
import Testing

/// A Media Distributor restart under real endpoints: the new distributor knows none of them
/// (no bindings, no hop keys), so media stops; each endpoint's consent checks go unanswered,
/// it joins again (new socket, Binding, DTLS handshake with the same Key Distributor) and
/// verified media flows both ways again. While the distributor is up, consent checks never
/// make an endpoint rejoin. The Key Distributor recognises the rejoined members (by their
/// registrations), so a later leave rekeys at once instead of waiting for the old
/// associations to time out.
@Suite(.serialized) struct MediaDistributorRestartTests {
    @Test(arguments: ["127.0.0.1", "::1"])
    func endpointsJoinAgainAfterTheMediaDistributorRestarts(host: String) async throws {
        let setup = try await LoopbackConference.start(host: host, policy: RekeyPolicy(rekeyOnLeave: true),
                                                       reconnectBackoff: .milliseconds(50))
        defer { Task { await setup.stop() } }
        let media = HostPort(host: host, port: UInt16(setup.md.mediaPort))
        let heard = KeyDistributorRestartTests.Heard()
        let endpoints = try setup.endpoints(["alice", "bob", "carol"], heard: heard) { configuration in
            configuration.consentInterval = .milliseconds(200)
            configuration.pathLossTimeout = .seconds(1)
        }
        for endpoint in endpoints {
            try endpoint.register()
            try endpoint.join(now: .now)
        }
        let send = MediaRounds().send
        #expect(await ConferenceEndpointTests.drive(endpoints, timeout: .seconds(10)) { endpoints.allSatisfy { $0.phase == .keyed } })
        let spi = try #require(endpoints[0].ektSPIs.first)

        // Media for one and a half path-loss timeouts: answered consent checks, no rejoin.
        let start = ContinuousClock.now
        #expect(await ConferenceEndpointTests.drive(endpoints, timeout: .seconds(10), every: send) {
            ContinuousClock.now - start > .milliseconds(1500) && heard.grew([0, 1, 2], by: 20, since: [:])
        }, "heard \(heard.snapshot)")
        #expect(endpoints.allSatisfy { $0.statistics.rejoins == 0 && $0.outages.isEmpty })
        let answered = setup.md.statistics.stunAnswered
        #expect(answered >= 3 * 5, "consent checks answered: \(answered)")

        // The distributor restarts empty on the same port; the endpoints notice and rejoin.
        let restarted = try await setup.restartMediaDistributor()
        #expect(restarted.mediaPort == Int(media.port))
        let before = heard.snapshot
        #expect(await ConferenceEndpointTests.drive(endpoints, timeout: .seconds(10), every: send) {
            heard.grew([0, 1, 2], by: 20, since: before)
        }, "phases \(endpoints.map(\.phase)), heard \(heard.snapshot)")
        for endpoint in endpoints {
            #expect(endpoint.phase == .keyed)
            #expect(endpoint.statistics.rejoins == 1 && endpoint.outages.count == 1, "\(endpoint.outages)")
            let outage = try #require(endpoint.outages.first)
            let gap = try #require(outage.mediaGap)
            // Detection takes the path-loss timeout (1 s) from the first check that went
            // unanswered, sent after the old distributor stopped; the join a few round trips more.
            #expect(gap >= .milliseconds(600) && gap < .seconds(8), "gap \(gap)")
            #expect(outage.keyedAt.map { $0 >= outage.detectedAt } == true)
            // The Key Distributor kept the conference's EKTKey: no new key was counted.
            #expect(endpoint.ektSPIs == [spi], "\(endpoint.ektSPIs)")
        }
        #expect(restarted.statistics.authenticationFailures == 0)
        KeyDistributorRestartTests.expectClean(endpoints, rejoins: 1)

        // Carol leaves: Alice and Bob get a new EKTKey (a rekey on leave that nothing holds back).
        endpoints[2].leave()
        let stayers = Array(endpoints.prefix(2))
        #expect(await ConferenceEndpointTests.drive(stayers, timeout: .seconds(10), every: send) {
            stayers.allSatisfy { $0.ektSPIs.count == 2 }
        }, "\(stayers.map(\.ektSPIs))")
        let afterRekey = heard.snapshot
        #expect(await ConferenceEndpointTests.drive(stayers, timeout: .seconds(10), every: send) {
            heard.grew([0, 1], by: 20, since: afterRekey)
        })
        KeyDistributorRestartTests.expectClean(endpoints, rejoins: 1)
        for endpoint in endpoints { endpoint.leave() }
    }
}
