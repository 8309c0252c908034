// SPDX-License-Identifier: Apache-2.0
// Copyright 2026 the swift-perc authors

import TestSupport
import Foundation
import MediaDistributor
import PERC
import PERCTunnel
import SRTP
import Testing

/// EndpointDisconnect in both directions: idle timeout and leave (MD to KD), and the KD's
/// disconnect dropping an association's keys.
@Suite(.serialized) struct DisconnectTests {
    /// A distributor tunnelled to a fake KD, and endpoints that joined and got keys.
    static func setUp(names: [String], idleTimeout: Duration) async throws
        -> (FakeKeyDistributor, MediaDistributor, [FakeEndpoint], [AssociationID], String)
    {
        let directory = temporaryDirectory("md-disconnect")
        let certificates = try DevelopmentCertificates.loadOrCreate(in: directory)
        let kd = try await FakeKeyDistributor.start(host: "127.0.0.1", credentials: certificates.keyDistributorCredentials())
        let md = try MediaDistributor(configuration: .init(
            mediaHost: "127.0.0.1", idleTimeout: idleTimeout,
            keyDistributor: .init(host: "127.0.0.1", port: kd.server.port, credentials: certificates.mediaDistributorCredentials())))
        md.start()
        _ = await kd.profiles.wait { !$0.isEmpty }
        let distributor = EndpointAddress(host: "127.0.0.1", port: md.mediaPort)!
        let ekt = try EKTParameterSet(spi: 1, cipher: .aesKeyWrap128, key: ForwardingTests.random(16),
                                      masterSalt: ForwardingTests.random(12))
        var endpoints: [FakeEndpoint] = []
        var ids: [AssociationID] = []
        for (i, name) in names.enumerated() {
            let endpoint = try FakeEndpoint(name: name, host: "127.0.0.1", ssrc: UInt32(i + 1), ekt: ekt)
            kd.register(name, toDistributor: endpoint.toDistributor, fromDistributor: endpoint.fromDistributor)
            _ = endpoint.join(conference: "room", at: distributor)
            let id = try #require(md.association(conference: "room", participant: name))
            // Sent again if no keys came (a DTLS endpoint retransmits too), at most three times.
            // Keys that came and already timed out count (a short idle timeout on a busy
            // machine): without keys an endpoint is kept for the 30 s handshake timeout.
            var keyed = false
            for _ in 0..<3 where !keyed {
                endpoint.send(FakeKeyDistributor.dtlsPrefix + Array(name.utf8), to: distributor)
                keyed = await eventually(timeout: .seconds(5)) {
                    md.hopKeys(for: id) != nil || kd.disconnects.all.contains(id)
                }
            }
            #expect(keyed, "held DTLS \(md.dtlsHeld), tunnel up \(md.tunnel?.isConnected == true), \(md.statistics)")
            endpoints.append(endpoint)
            ids.append(id)
        }
        return (kd, md, endpoints, ids, directory)
    }

    @Test func idleEndpointIsDisconnected() async throws {
        let start = ContinuousClock.now
        let (kd, md, _, ids, directory) = try await Self.setUp(names: ["quiet"], idleTimeout: .milliseconds(400))
        defer { try? FileManager.default.removeItem(atPath: directory) }
        #expect(await kd.disconnects.wait(timeout: .seconds(3)) { $0 == ids })
        #expect(ContinuousClock.now - start >= .milliseconds(400), "not before the timeout")
        #expect(md.hopKeys(for: ids[0]) == nil && md.association(conference: "room", participant: "quiet") == nil)
        #expect(md.disconnectsSent == 1)
        await md.stop()
        await kd.server.close()
    }

    @Test func mediaKeepsAnEndpointAlive() async throws {
        // The talker joins last and talks at once: its idle clock starts with its keys, and the
        // listener's set-up (seconds on a busy machine) does not eat into it.
        let (kd, md, endpoints, ids, directory) = try await Self.setUp(names: ["listener", "talker"],
                                                                       idleTimeout: .seconds(3))
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let distributor = EndpointAddress(host: "127.0.0.1", port: md.mediaPort)!
        // 4 s of media every 100 ms from the talker only (an idle timeout far above the gaps,
        // which a busy machine can stretch to seconds).
        for round in 0..<40 {
            endpoints[1].send(try endpoints[1].protectedRTP(payload: [UInt8(round)]), to: distributor)
            try await Task.sleep(for: .milliseconds(100))
        }
        #expect(kd.disconnects.all == [ids[0]], "only the silent listener timed out")
        await md.stop()
        await kd.server.close()
    }

    @Test func leaveSendsEndpointDisconnect() async throws {
        let (kd, md, _, ids, directory) = try await Self.setUp(names: ["a", "b"], idleTimeout: .seconds(30))
        defer { try? FileManager.default.removeItem(atPath: directory) }
        #expect(md.leave(conference: "room", participant: "b"))
        #expect(!md.leave(conference: "room", participant: "nobody"))
        #expect(await kd.disconnects.wait { $0 == [ids[1]] })
        #expect(md.hopKeys(for: ids[1]) == nil && md.hopKeys(for: ids[0]) != nil)
        await md.stop()
        await kd.server.close()
    }

    @Test func aLeaveWhileTheKeyDistributorIsAwayIsReportedWhenTheTunnelIsBack() async throws {
        let (kd, md, _, ids, directory) = try await Self.setUp(names: ["a", "b", "c"], idleTimeout: .seconds(30))
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let port = kd.server.port
        await kd.server.close()
        #expect(await eventually { md.tunnel?.isConnected == false })
        #expect(md.leave(conference: "room", participant: "c"))
        #expect(md.leave(conference: "room", participant: "a"))
        #expect(md.hopKeys(for: ids[0]) == nil && md.hopKeys(for: ids[2]) == nil && md.hopKeys(for: ids[1]) != nil)

        let certificates = try DevelopmentCertificates.loadOrCreate(in: directory)
        let restarted = try await FakeKeyDistributor.start(host: "127.0.0.1", credentials: certificates.keyDistributorCredentials(),
                                                           port: port)
        #expect(await restarted.disconnects.wait { $0 == [ids[2], ids[0]] }, "in the order they left")
        #expect(kd.disconnects.all.isEmpty)
        // Sent once: a later leave goes straight through, without the earlier ones again.
        #expect(md.leave(conference: "room", participant: "b"))
        #expect(await restarted.disconnects.wait { $0 == [ids[2], ids[0], ids[1]] })
        await md.stop()
        await restarted.server.close()
    }

    @Test func keyDistributorDisconnectDropsTheKeys() async throws {
        let (kd, md, _, ids, directory) = try await Self.setUp(names: ["x", "y"], idleTimeout: .seconds(30))
        defer { try? FileManager.default.removeItem(atPath: directory) }
        try await kd.send(.endpointDisconnect(EndpointDisconnect(associationID: ids[0])))
        #expect(await eventually { md.hopKeys(for: ids[0]) == nil })
        #expect(md.hopKeys(for: ids[1]) != nil && md.heldKeyLengths.count == 4)
        await md.stop()
        await kd.server.close()
    }
}
