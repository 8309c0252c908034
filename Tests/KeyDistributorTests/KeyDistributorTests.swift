// SPDX-License-Identifier: Apache-2.0
// Copyright 2026 the swift-perc authors

import DTLS
import Foundation
import KeyDistributor
import PERC
import PERCTunnel
import SRTP
import Testing

/// The Key Distributor with real DTLS clients as endpoints, the tunnel replaced by direct
/// calls: admission checks, MediaKeys contents, EKTKey delivery and the rekey policy.
@Suite struct KeyDistributorTests {
    /// An endpoint: a DTLS client with its own certificate and tls-id.
    final class Endpoint {
        let identity: DTLSIdentity
        let tlsID: String
        let association = AssociationID.random()
        let dtls: DTLSConnection
        var ektKeys: [EKTKey] = []
        var events: [DTLSEvent] = []

        convenience init(tlsID: String) throws {
            try self.init(identity: try DTLSIdentity.selfSigned(), tlsID: tlsID)
        }

        /// The same registration (certificate and tls-id) on a new association, as an
        /// endpoint that lost its path and joined again from a new address.
        convenience init(joiningAgain other: Endpoint) throws {
            try self.init(identity: other.identity, tlsID: other.tlsID)
        }

        init(identity: DTLSIdentity, tlsID: String) throws {
            self.identity = identity
            self.tlsID = tlsID
            dtls = try DTLSConnection(configuration: DTLSConfiguration(
                role: .client, identity: identity, srtpProfiles: [.doubleAeadAes128Gcm], ektCiphers: [.aeskw128],
                externalSessionID: Array(tlsID.utf8)))
        }

        func registration(conference: String) -> Registration {
            Registration(conference: conference, participant: tlsID, fingerprint: identity.fingerprint.hex, tlsID: tlsID)
        }
    }

    /// Runs the handshake of `endpoints` against `kd`, delivering every datagram, and
    /// returns the KD's MediaKeys and disconnect actions.
    static func connect(_ endpoints: [Endpoint], to kd: KeyDistributor, tunnel: Int = 1,
                        now: ContinuousClock.Instant) throws -> [KeyDistributor.Action] {
        var results: [KeyDistributor.Action] = []
        for endpoint in endpoints { try endpoint.dtls.startHandshake(now: now) }
        for _ in 0..<20 {
            var progress = false
            for endpoint in endpoints {
                for datagram in endpoint.dtls.takeOutgoingDatagrams() {
                    progress = true
                    for action in kd.receiveDTLS(tunnel: tunnel, association: endpoint.association, datagram: datagram, now: now) {
                        results += deliver(action, to: endpoints, now: now)
                    }
                }
            }
            if !progress { break }
        }
        return results
    }

    /// Runs the KD's timer at `now` and carries every datagram both ways (EKTKeys out,
    /// their acknowledgements back) until nothing moves.
    static func exchange(_ endpoints: [Endpoint], with kd: KeyDistributor, now: ContinuousClock.Instant) {
        for action in kd.tick(now: now) { _ = deliver(action, to: endpoints, now: now) }
        for _ in 0..<20 {
            var progress = false
            for endpoint in endpoints {
                for datagram in endpoint.dtls.takeOutgoingDatagrams() {
                    progress = true
                    for action in kd.receiveDTLS(tunnel: 1, association: endpoint.association, datagram: datagram, now: now) {
                        _ = deliver(action, to: endpoints, now: now)
                    }
                }
            }
            if !progress { break }
        }
    }

    /// Hands DTLS actions to the endpoint they are for; returns the other actions.
    static func deliver(_ action: KeyDistributor.Action, to endpoints: [Endpoint], now: ContinuousClock.Instant) -> [KeyDistributor.Action] {
        guard case .sendDTLS(_, let association, let datagram) = action else { return [action] }
        guard let endpoint = endpoints.first(where: { $0.association == association }) else { return [] }
        let events = endpoint.dtls.receive(datagram: datagram, now: now)
        endpoint.events += events
        for case .ektKeyReceived(let key) in events { endpoint.ektKeys.append(key) }
        return []
    }

    static func makeKD(policy: RekeyPolicy = RekeyPolicy()) throws -> KeyDistributor {
        let kd = KeyDistributor(configuration: .init(identity: try DTLSIdentity.selfSigned(),
                                                     sessionID: Array("key-distributor-0001".utf8), policy: policy),
                                registry: ConferenceRegistry())
        kd.tunnelOpened(1, profiles: [0x0009, 0x000A])
        return kd
    }

    @Test func admitsRegisteredEndpointWithHopKeysOnlyAndEKTKey() throws {
        let kd = try Self.makeKD()
        let endpoint = try Endpoint(tlsID: "tls-id-alice-0123456789")
        try kd.registry.register(endpoint.registration(conference: "room"))
        let now = ContinuousClock.now
        let actions = try Self.connect([endpoint], to: kd, now: now)
        // The ACK of the EKTKey comes back through one more exchange.
        for datagram in endpoint.dtls.takeOutgoingDatagrams() {
            _ = kd.receiveDTLS(tunnel: 1, association: endpoint.association, datagram: datagram, now: now)
        }
        let mediaKeys = actions.compactMap { action -> KeyDistributor.HopKeys? in
            if case .sendMediaKeys(_, let association, let keys) = action, association == endpoint.association { return keys }
            return nil
        }
        let keys = try #require(mediaKeys.first)
        let material = try endpoint.dtls.srtpKeyingMaterial()
        // MediaKeys carry exactly the outer (second) halves; the inner halves never leave the KD.
        #expect(keys.profile == 0x0009)
        #expect(keys.clientKey == Array(material.clientMasterKey[16...]))
        #expect(keys.serverKey == Array(material.serverMasterKey[16...]))
        #expect(keys.clientSalt == Array(material.clientMasterSalt[12...]))
        #expect(keys.serverSalt == Array(material.serverMasterSalt[12...]))
        #expect(keys.clientKey.count == 16 && keys.clientSalt.count == 12)
        #expect(endpoint.ektKeys.count == 1)
        #expect(endpoint.ektKeys.first?.spi == kd.currentSPI(conference: "room"))
        #expect(kd.memberCount(conference: "room") == 1)
    }

    @Test func refusesUnregisteredEndpointAndWrongTLSID() throws {
        let kd = try Self.makeKD()
        let stranger = try Endpoint(tlsID: "tls-id-stranger-0123456")
        let liar = try Endpoint(tlsID: "tls-id-liar-0123456789")
        try kd.registry.register(Registration(conference: "room", participant: "liar",
                                              fingerprint: liar.identity.fingerprint.hex, tlsID: "tls-id-registered-0000"))
        let actions = try Self.connect([stranger, liar], to: kd, now: .now)
        #expect(!actions.contains { if case .sendMediaKeys = $0 { return true }; return false })
        let disconnected = Set(actions.compactMap { action -> AssociationID? in
            if case .disconnect(_, let association) = action { return association }
            return nil
        })
        #expect(disconnected == [stranger.association, liar.association])
        #expect(stranger.ektKeys.isEmpty && liar.ektKeys.isEmpty)
    }

    @Test func burstOfJoinsIsOneRekeyDeliveredToEveryMember() throws {
        let kd = try Self.makeKD(policy: RekeyPolicy(rekeyOnJoin: true, holdoff: 0.5))
        let endpoints = try (0..<3).map { try Endpoint(tlsID: "tls-id-member-\($0)-0123456789") }
        for endpoint in endpoints { try kd.registry.register(endpoint.registration(conference: "room")) }
        let start = ContinuousClock.now
        _ = try Self.connect(endpoints, to: kd, now: start)
        for endpoint in endpoints {
            for datagram in endpoint.dtls.takeOutgoingDatagrams() {
                _ = kd.receiveDTLS(tunnel: 1, association: endpoint.association, datagram: datagram, now: start)
            }
        }
        #expect(kd.memberCount(conference: "room") == 1, "the two admitted after the first wait for the rekey")
        let firstSPI = try #require(kd.currentSPI(conference: "room"))
        #expect(kd.tick(now: start.advanced(by: .milliseconds(100))).isEmpty || kd.rekeyCount(conference: "room") == 0)
        let later = start.advanced(by: .seconds(1))
        Self.exchange(endpoints, with: kd, now: later)
        #expect(kd.rekeyCount(conference: "room") == 1)
        #expect(kd.memberCount(conference: "room") == 3)
        let secondSPI = try #require(kd.currentSPI(conference: "room"))
        #expect(secondSPI != firstSPI)
        // The first to be admitted got the conference's first key; the two admitted after it
        // got only the key the rekey made (backward secrecy), as did the first.
        let held = endpoints.map { $0.ektKeys.map(\.spi) }
        #expect(held.filter { $0 == [firstSPI, secondSPI] }.count == 1, "\(held)")
        #expect(held.filter { $0 == [secondSPI] }.count == 2, "\(held)")
    }

    /// Backward secrecy: under rekey on join, a joiner is never given an EKTKey the members
    /// used before it came. It waits (the hold-off) and gets the rekey's new key with them.
    @Test func aJoinerNeverGetsAKeyUsedBeforeItJoined() throws {
        let kd = try Self.makeKD(policy: RekeyPolicy(rekeyOnJoin: true, holdoff: 0.5))
        let (alice, bob) = (try Endpoint(tlsID: "tls-id-early-0123456789"), try Endpoint(tlsID: "tls-id-late-01234567890"))
        for endpoint in [alice, bob] { try kd.registry.register(endpoint.registration(conference: "room")) }
        let start = ContinuousClock.now
        _ = try Self.connect([alice], to: kd, now: start)
        for datagram in alice.dtls.takeOutgoingDatagrams() {
            _ = kd.receiveDTLS(tunnel: 1, association: alice.association, datagram: datagram, now: start)
        }
        let settled = start.advanced(by: .seconds(1))
        for action in kd.tick(now: settled) { _ = Self.deliver(action, to: [alice], now: settled) }
        let used = Set(alice.ektKeys.map(\.spi))

        let joining = start.advanced(by: .seconds(2))
        _ = try Self.connect([bob], to: kd, now: joining)
        #expect(bob.ektKeys.isEmpty, "bob waits for the rekey his join calls for")
        for action in kd.tick(now: joining.advanced(by: .milliseconds(100))) { _ = Self.deliver(action, to: [alice, bob], now: joining) }
        #expect(bob.ektKeys.isEmpty, "still within the hold-off")
        let due = joining.advanced(by: .seconds(1))
        for action in kd.tick(now: due) { _ = Self.deliver(action, to: [alice, bob], now: due) }
        let spi = try #require(kd.currentSPI(conference: "room"))
        #expect(bob.ektKeys.map(\.spi) == [spi] && !used.contains(spi))
        #expect(alice.ektKeys.last?.spi == spi, "the members get the new key too")
    }

    /// A late joiner gets what is left of the EKTKey's lifetime, not the whole of it.
    @Test func aLateJoinerGetsTheRestOfTheKeysLifetime() throws {
        let kd = try Self.makeKD()
        let (early, late) = (try Endpoint(tlsID: "tls-id-ttl-early-0123456"), try Endpoint(tlsID: "tls-id-ttl-late-01234567"))
        for endpoint in [early, late] { try kd.registry.register(endpoint.registration(conference: "room")) }
        let start = ContinuousClock.now
        _ = try Self.connect([early], to: kd, now: start)
        _ = try Self.connect([late], to: kd, now: start.advanced(by: .seconds(100)))
        let (full, rest) = (try #require(early.ektKeys.first), try #require(late.ektKeys.first))
        #expect(full.spi == rest.spi)
        #expect(full.ttl >= rest.ttl + 99 && full.ttl <= rest.ttl + 101, "ttl \(full.ttl) then \(rest.ttl)")
    }

    @Test func leaveTriggersRekeyForTheRemainingMembersOnly() throws {
        let kd = try Self.makeKD(policy: RekeyPolicy(rekeyOnLeave: true))
        let endpoints = try (0..<2).map { try Endpoint(tlsID: "tls-id-leaver-\($0)-0123456789") }
        for endpoint in endpoints { try kd.registry.register(endpoint.registration(conference: "room")) }
        let now = ContinuousClock.now
        _ = try Self.connect(endpoints, to: kd, now: now)
        for endpoint in endpoints {
            for datagram in endpoint.dtls.takeOutgoingDatagrams() {
                _ = kd.receiveDTLS(tunnel: 1, association: endpoint.association, datagram: datagram, now: now)
            }
        }
        _ = kd.endpointDisconnected(association: endpoints[0].association, now: now)
        for action in kd.tick(now: now) { _ = Self.deliver(action, to: endpoints, now: now) }
        #expect(kd.rekeyCount(conference: "room") == 1)
        #expect(endpoints[0].ektKeys.count == 1)   // the leaver never sees the new key
        #expect(endpoints[1].ektKeys.count == 2)
        #expect(kd.memberCount(conference: "room") == 1)
    }

    /// A member that joins again on a new association (its path broke, the media distributor
    /// kept the old one) ends its old association: the distributor is told at once, so the
    /// old one stops holding its SSRCs; it is not a leave, so nobody is rekeyed.
    @Test func aMemberJoiningAgainEndsItsOldAssociationWithoutARekey() throws {
        let kd = try Self.makeKD(policy: RekeyPolicy(rekeyOnLeave: true))
        let endpoints = try (0..<2).map { try Endpoint(tlsID: "tls-id-rejoin-\($0)-0123456789") }
        for endpoint in endpoints { try kd.registry.register(endpoint.registration(conference: "room")) }
        let now = ContinuousClock.now
        _ = try Self.connect(endpoints, to: kd, now: now)
        Self.exchange(endpoints, with: kd, now: now)
        let spi = try #require(kd.currentSPI(conference: "room"))
        #expect(kd.memberCount(conference: "room") == 2)

        let again = try Endpoint(joiningAgain: endpoints[0])
        let actions = try Self.connect([again], to: kd, now: now + .seconds(1))
        Self.exchange(endpoints + [again], with: kd, now: now + .seconds(2))
        let disconnected = actions.compactMap { action -> AssociationID? in
            if case .disconnect(_, let association) = action { return association }
            return nil
        }
        #expect(disconnected == [endpoints[0].association], "only the old association ends")
        #expect(again.ektKeys.map(\.spi) == [spi], "the same member gets the conference's key")
        #expect(kd.memberCount(conference: "room") == 2)
        #expect(kd.rekeyCount(conference: "room") == 0 && kd.currentSPI(conference: "room") == spi)
        #expect(endpoints[1].ektKeys.count == 1, "the other member was not rekeyed")
        // The old association's late disconnect from the distributor changes nothing.
        #expect(kd.endpointDisconnected(association: endpoints[0].association, now: now + .seconds(3)).isEmpty)
        for action in kd.tick(now: now + .seconds(3)) { _ = Self.deliver(action, to: endpoints + [again], now: now) }
        #expect(kd.rekeyCount(conference: "room") == 0 && kd.memberCount(conference: "room") == 2)
    }

    /// Under rekey on join too, a member back on a new association is no joiner: it gets the
    /// key it held at once, and nobody is rekeyed (a new registration still waits for the rekey).
    @Test func aMemberJoiningAgainUnderRekeyOnJoinGetsTheCurrentKeyAtOnce() throws {
        let kd = try Self.makeKD(policy: RekeyPolicy(rekeyOnJoin: true))
        let endpoints = try (0..<2).map { try Endpoint(tlsID: "tls-id-rejoin-roj-\($0)-0123456789") }
        for endpoint in endpoints { try kd.registry.register(endpoint.registration(conference: "room")) }
        let now = ContinuousClock.now
        _ = try Self.connect(endpoints, to: kd, now: now)
        Self.exchange(endpoints, with: kd, now: now + .seconds(5))   // past the hold-off: the joins' rekey ran
        let spi = try #require(kd.currentSPI(conference: "room"))
        let rekeys = kd.rekeyCount(conference: "room")
        #expect(endpoints.allSatisfy { $0.ektKeys.last?.spi == spi })

        let again = try Endpoint(joiningAgain: endpoints[0])
        _ = try Self.connect([again], to: kd, now: now + .seconds(6))
        #expect(again.ektKeys.map(\.spi) == [spi], "the key it held, without waiting")
        Self.exchange(endpoints + [again], with: kd, now: now + .seconds(20))
        #expect(kd.rekeyCount(conference: "room") == rekeys && kd.currentSPI(conference: "room") == spi)

        let newcomer = try Endpoint(tlsID: "tls-id-rejoin-roj-new-0123456789")
        try kd.registry.register(newcomer.registration(conference: "room"))
        _ = try Self.connect([newcomer], to: kd, now: now + .seconds(21))
        #expect(newcomer.ektKeys.isEmpty, "a new registration waits for the rekey its join calls for")
    }

    /// A media distributor's tunnel dropping is not a leave: its keyed members are detached,
    /// the EKTKey stays for them and for a joiner through the reconnected tunnel, and the
    /// held leave-rekey runs only once the reconnected distributor reports them gone.
    @Test func aDroppedTunnelDetachesItsMembersInsteadOfRekeying() throws {
        let kd = try Self.makeKD(policy: RekeyPolicy(rekeyOnJoin: true, rekeyOnLeave: true))
        let endpoints = try (0..<3).map { try Endpoint(tlsID: "tls-id-tunnel-drop-\($0)-0123456789") }
        for endpoint in endpoints { try kd.registry.register(endpoint.registration(conference: "room")) }
        let now = ContinuousClock.now
        _ = try Self.connect(Array(endpoints.prefix(2)), to: kd, now: now)
        Self.exchange(Array(endpoints.prefix(2)), with: kd, now: now)
        let spi = try #require(kd.currentSPI(conference: "room"))
        let rekeysBefore = kd.rekeyCount(conference: "room")
        let keysSeen = endpoints[0].ektKeys.count

        #expect(kd.tunnelClosed(1, now: now).isEmpty)
        #expect(kd.memberCount(conference: "room") == 0 && kd.restoredMemberCount(conference: "room") == 2)
        for action in kd.tick(now: now + .seconds(1)) { _ = Self.deliver(action, to: endpoints, now: now) }
        #expect(kd.currentSPI(conference: "room") == spi, "no rekey behind the detached members' backs")

        kd.tunnelOpened(2, profiles: [0x0009, 0x000A])
        _ = try Self.connect([endpoints[2]], to: kd, tunnel: 2, now: now + .seconds(2))
        for action in kd.tick(now: now + .seconds(2)) { _ = Self.deliver(action, to: endpoints, now: now) }
        #expect(endpoints[2].ektKeys.map(\.spi) == [spi], "the joiner gets the key the detached members use")
        #expect(kd.rekeyCount(conference: "room") == rekeysBefore)

        for endpoint in endpoints.prefix(2) { _ = kd.endpointDisconnected(association: endpoint.association, now: now + .seconds(3)) }
        for action in kd.tick(now: now + .seconds(3)) { _ = Self.deliver(action, to: endpoints, now: now) }
        #expect(kd.restoredMemberCount(conference: "room") == 0)
        #expect(kd.currentSPI(conference: "room") != spi, "the held rekey ran once they were reported gone")
        #expect(endpoints[2].ektKeys.count == 2 && endpoints[0].ektKeys.count == keysSeen,
                "the new key went to the member with a session, not through the dropped tunnel")
    }
}
