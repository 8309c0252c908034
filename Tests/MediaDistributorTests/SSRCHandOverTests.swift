// SPDX-License-Identifier: Apache-2.0
// Copyright 2026 the swift-perc authors

import TestSupport
import Foundation
import MediaDistributor
import PERCTunnel
import Testing

/// An SSRC passes to a new association when the Key Distributor ends the old one (a member
/// that lost its path and joined again from a new address): the new association's media
/// flows at once instead of after the old one's idle timeout, yet no receiver's hop seals
/// an index of that SSRC twice.
@Suite(.serialized) struct SSRCHandOverTests {
    static func sequenceNumber(_ datagram: [UInt8]) -> Int { Int(datagram[2]) << 8 | Int(datagram[3]) }

    @Test func aMemberJoiningAgainTakesItsSSRCButCannotRepeatAnIndex() async throws {
        let md = try MediaDistributor(configuration: .init(mediaHost: "127.0.0.1", workers: 1, pinWorkers: false))
        md.start()
        let distributor = EndpointAddress(host: "127.0.0.1", port: md.mediaPort)!
        let ekt = try ForwardingTests.ektParameters()
        let alice = try FakeEndpoint(name: "alice", host: "127.0.0.1", ssrc: 0xA11CE, ekt: ekt)
        let bob = try FakeEndpoint(name: "bob", host: "127.0.0.1", ssrc: 0xB0B, ekt: ekt)
        try ForwardingTests.joinWithInjectedKeys([alice, bob], conference: "room", md: md, at: distributor)
        let oldAssociation = try #require(md.association(conference: "room", participant: "alice"))
        try await Task.sleep(for: .milliseconds(200))
        for _ in 0..<3 { alice.send(try alice.protectedRTP(payload: Array("alice".utf8)), to: distributor) }   // 1001...1003
        var fromAlice: [Int] = []
        while fromAlice.count < 3, let datagram = bob.receive() { fromAlice.append(Self.sequenceNumber(datagram)) }
        #expect(fromAlice == [1001, 1002, 1003])

        // Alice again, from a new address with new keys, counting her sequence from 1001 again.
        let again = try FakeEndpoint(name: "alice-again", host: "127.0.0.1", ssrc: 0xA11CE, ekt: ekt)
        try ForwardingTests.joinWithInjectedKeys([again], conference: "room", md: md, at: distributor)
        try await Task.sleep(for: .milliseconds(100))
        again.send(try again.protectedRTP(payload: Array("again".utf8)), to: distributor)   // 1001
        #expect(await eventually { md.statistics.ssrcConflicts == 1 }, "the old association still owns the SSRC")

        try md.handle(.endpointDisconnect(EndpointDisconnect(associationID: oldAssociation)))
        // 1002 is sent until the worker has applied the disconnect (a conflict changes
        // nothing, so the same packet may come again): then bob's hop refuses it.
        let second = try again.protectedRTP(payload: Array("again".utf8))
        #expect(await eventually {
            if md.statistics.copiesRefused == 0 { again.send(second, to: distributor) }
            return md.statistics.copiesRefused == 1
        })
        for _ in 0..<3 { again.send(try again.protectedRTP(payload: Array("again".utf8)), to: distributor) }   // 1003...1005
        #expect(await eventually { md.statistics.copiesRefused == 2 && md.statistics.rtpForwarded == 5 },
                "\(md.statistics)")
        var fromAgain: [Int] = []
        while let datagram = bob.receive() { fromAgain.append(Self.sequenceNumber(datagram)) }
        #expect(fromAgain == [1004, 1005], "only indices bob's hop never sealed")
        await md.stop()
    }
}
