// SPDX-License-Identifier: Apache-2.0
// Copyright 2026 the swift-perc authors

import Foundation
import KeyDistributor
import MediaDistributor
import PERCEndpoint
import Testing

/// A Key Distributor restart under real endpoints: media between the members keeps flowing
/// through the Media Distributor while the KMF is away; the MDD reconnects to the restarted
/// KMF, which resumed the conference from its state directory, so a later joiner exchanges
/// verified media both ways with the earlier members; the restarted KMF holds rekeys back
/// until the members from before the restart have left, including one that left while it
/// was away.
@Suite(.serialized) struct KeyDistributorRestartTests {
    /// Counts of verified packets per receiver and sender.
    final class Heard {
        private var counts: [UInt32: [UInt32: Int]] = [:]

        func record(receiver: UInt32, sender: UInt32) { counts[receiver, default: [:]][sender, default: 0] += 1 }
        func count(_ receiver: UInt32, from sender: UInt32) -> Int { counts[receiver]?[sender] ?? 0 }

        /// Whether every receiver in `group` got at least `minimum` more packets from every other
        /// member of `group` than in `baseline`.
        func grew(_ group: [UInt32], by minimum: Int, since baseline: Heard.Snapshot) -> Bool {
            group.allSatisfy { receiver in
                group.allSatisfy { sender in
                    sender == receiver || count(receiver, from: sender) >= (baseline[receiver]?[sender] ?? 0) + minimum
                }
            }
        }

        typealias Snapshot = [UInt32: [UInt32: Int]]
        var snapshot: Snapshot { counts }
    }

    static func expectClean(_ endpoints: [ConferenceEndpoint], rejoins: Int = 0,
                            sourceLocation: SourceLocation = #_sourceLocation) {
        for endpoint in endpoints {
            let statistics = endpoint.statistics
            #expect(statistics.e2eAuthenticationFailures == 0 && statistics.hbhAuthenticationFailures == 0
                        && statistics.contentMismatches == 0 && statistics.otherErrors == 0,
                    "\(endpoint.configuration.participant): \(statistics)", sourceLocation: sourceLocation)
            #expect(statistics.rejoins == rejoins, "\(endpoint.configuration.participant): \(endpoint.outages)",
                    sourceLocation: sourceLocation)
        }
    }

    @Test(arguments: ["127.0.0.1", "::1"])
    func mediaOutlivesTheKMFAndALaterJoinerTalksWithTheEarlierMembers(host: String) async throws {
        let state = NSTemporaryDirectory() + "perc-kmf-state-\(UInt64.random(in: 0...UInt64.max))"
        let setup = try await LoopbackConference.start(host: host, policy: RekeyPolicy(rekeyOnLeave: true),
                                                       stateDirectory: state, reconnectBackoff: .milliseconds(50))
        defer { Task { await setup.stop() } }
        let tunnel = try #require(setup.md.tunnel)
        let heard = Heard()
        // A FullEKTField in every packet, so that the late joiner can open every packet it gets
        // (by default it would first see ShortEKTFields it has no key for).
        let all = try setup.endpoints(["alice", "bob", "carol", "dave"], heard: heard)
        let (early, dave) = (Array(all.prefix(3)), all[3])
        let send = MediaRounds().send

        // Alice, Bob and Carol join and talk.
        for endpoint in early {
            try endpoint.register()
            try endpoint.join(now: .now)
        }
        #expect(await ConferenceEndpointTests.drive(early) { early.allSatisfy { $0.phase == .keyed } })
        let spi = try #require(early[0].ektSPIs.first)
        #expect(early.allSatisfy { $0.ektSPIs == [spi] })
        #expect(await ConferenceEndpointTests.drive(early, every: send) { heard.grew([0, 1, 2], by: 10, since: [:]) })
        let associations = try ["alice", "bob", "carol"].map {
            try #require(setup.md.association(conference: "room", participant: $0))
        }

        // The KMF goes away. Media keeps flowing with the installed hop keys.
        await setup.kd.stop()
        #expect(await eventually { !tunnel.isConnected })
        let whileAway = heard.snapshot
        let forwarded = setup.md.statistics.rtpForwarded
        #expect(await ConferenceEndpointTests.drive(early, every: send) { heard.grew([0, 1, 2], by: 30, since: whileAway) },
                "heard: \(heard.snapshot)")
        #expect(!tunnel.isConnected, "the KMF was away the whole time")
        #expect(await eventually(timeout: .seconds(1)) { setup.md.statistics.rtpForwarded >= forwarded + 180 },
                "forwarded \(setup.md.statistics.rtpForwarded - forwarded) while away")
        #expect(setup.md.statistics.authenticationFailures == 0)
        #expect(associations.allSatisfy { setup.md.hopKeys(for: $0) != nil }, "the hop keys stayed installed")
        #expect(setup.md.heldKeyLengths.allSatisfy { $0.held == $0.outerHalf })
        Self.expectClean(early)

        // Carol leaves while the KMF is away (the MDD keeps the EndpointDisconnect for later).
        #expect(setup.md.leave(conference: "room", participant: "carol"))
        let (alice, bob) = (all[0], all[1])

        // A KMF starts again on the same ports and state; the MDD reconnects.
        let restarted = try await setup.restartKeyDistributor()
        #expect(restarted.tunnelPort == setup.tunnelPort && restarted.httpPort == setup.httpPort)
        #expect(await eventually(timeout: .seconds(10)) { tunnel.connectionCount == 2 && tunnel.isConnected },
                "connections: \(tunnel.connectionCount)")

        // Dave registers with the restarted KMF and joins: he gets the EKTKey the others hold,
        // and every pair hears each other. Media keeps going meanwhile.
        let members = [alice, bob, dave]
        try dave.register()
        try dave.join(now: .now)
        #expect(await ConferenceEndpointTests.drive(members, every: send) { dave.phase == .keyed }, "dave: \(dave.phase)")
        #expect(dave.ektSPIs == [spi], "the restarted KMF resumed the conference's EKTKey")
        let joined = heard.snapshot
        #expect(await ConferenceEndpointTests.drive(members, every: send) { heard.grew([0, 1, 3], by: 20, since: joined) },
                "heard: \(heard.snapshot)")
        Self.expectClean(all)

        // Alice leaves: Carol's and Alice's leaves each call for a rekey (rekey on leave), but
        // Bob joined before the restart and could not be given a new EKTKey, so it waits.
        #expect(setup.md.leave(conference: "room", participant: "alice"))
        let stayers = [bob, dave]
        let afterAlice = heard.snapshot
        #expect(await ConferenceEndpointTests.drive(stayers, every: send) { heard.grew([1, 3], by: 20, since: afterAlice) })
        #expect(stayers.allSatisfy { $0.ektSPIs == [spi] }, "no rekey while a member from before the restart remains")

        // Bob leaves too: the held rekey reaches Dave. (Had Carol's leave, made while the KMF
        // was away, not reached it, she would still count and the rekey would still wait.)
        #expect(setup.md.leave(conference: "room", participant: "bob"))
        #expect(await ConferenceEndpointTests.drive([dave]) { dave.ektSPIs.count == 2 }, "dave: \(dave.ektSPIs)")
        #expect(dave.ektSPIs.last != spi)
        Self.expectClean(all)
        for endpoint in all { endpoint.leave() }
    }

    /// An endpoint that joins while the KMF is away: the MDD answers its Binding and holds
    /// its DTLS until the tunnel is back, then the handshake completes and media flows.
    @Test func aJoinWhileTheKMFIsAwayCompletesWhenItReturns() async throws {
        let state = NSTemporaryDirectory() + "perc-kmf-state-\(UInt64.random(in: 0...UInt64.max))"
        let setup = try await LoopbackConference.start(stateDirectory: state, reconnectBackoff: .milliseconds(50))
        defer { Task { await setup.stop() } }
        let tunnel = try #require(setup.md.tunnel)
        let heard = Heard()
        let endpoints = try setup.endpoints(["erin", "frank"], heard: heard)
        for endpoint in endpoints { try endpoint.register() }
        await setup.kd.stop()
        #expect(await eventually { !tunnel.isConnected })
        for endpoint in endpoints { try endpoint.join(now: .now) }
        #expect(await ConferenceEndpointTests.drive(endpoints) { setup.md.dtlsHeld >= 2 }, "held \(setup.md.dtlsHeld)")
        #expect(endpoints.allSatisfy { $0.phase == .handshaking })

        _ = try await setup.restartKeyDistributor()
        #expect(await ConferenceEndpointTests.drive(endpoints, every: MediaRounds().send) {
            heard.grew([0, 1], by: 10, since: [:])
        }, "phases \(endpoints.map(\.phase))")
        Self.expectClean(endpoints)
        for endpoint in endpoints { endpoint.leave() }
    }
}
