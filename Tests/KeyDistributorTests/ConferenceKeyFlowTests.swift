// SPDX-License-Identifier: Apache-2.0
// Copyright 2026 the swift-perc authors

import DTLS
import Foundation
import KeyDistributor
import PERC
import PERCTunnel
import PERCEndpoint
import SRTP
import Testing

/// A whole conference's keys, in process: endpoints run DTLS-SRTP with the Key Distributor,
/// a media distributor holding only the MediaKeys relays their double-protected media, and
/// a rekey on leave locks the leaver out of what is sent afterwards.
@Suite struct ConferenceKeyFlowTests {
    typealias Endpoint = KeyDistributorTests.Endpoint

    /// The media distributor's view: hop contexts built from MediaKeys, nothing else.
    final class MediaDistributorKeys {
        var inbound: [AssociationID: RelayHop] = [:]
        var outbound: [AssociationID: RelayHop] = [:]
        var received: [KeyDistributor.HopKeys] = []

        func take(_ actions: [KeyDistributor.Action]) throws {
            for case .sendMediaKeys(_, let association, let keys) in actions {
                received.append(keys)
                inbound[association] = try RelayHop(profile: .aes128Gcm, direction: .inbound,
                                                    outer: SRTPMasterKey(key: keys.clientKey, salt: keys.clientSalt),
                                                    carriesEKT: true)
                outbound[association] = try RelayHop(profile: .aes128Gcm, direction: .outbound,
                                                     outer: SRTPMasterKey(key: keys.serverKey, salt: keys.serverSalt),
                                                     carriesEKT: true)
            }
        }

        /// Relays `packet` from `sender` to each receiver; returns the copies in order.
        func relay(_ packet: [UInt8], from sender: AssociationID, to receivers: [AssociationID]) throws -> [[UInt8]] {
            let out = PacketBatch(maximumCount: receivers.count)
            try packet.withUnsafeBytes { raw in
                try inbound[sender]!.fanOut(raw, to: receivers.map { RelayTarget(hop: outbound[$0]!) }, into: out)
            }
            return (0..<out.count).map { out.packet(at: $0) }
        }
    }

    static func rtp(sequence: UInt16, ssrc: UInt32, payload: [UInt8]) -> [UInt8] {
        [0x80, 0x6F, UInt8(sequence >> 8), UInt8(truncatingIfNeeded: sequence), 0, 0, 0x10, 0,
         UInt8(ssrc >> 24), UInt8(truncatingIfNeeded: ssrc >> 16), UInt8(truncatingIfNeeded: ssrc >> 8),
         UInt8(truncatingIfNeeded: ssrc)] + payload
    }

    @Test func mediaFlowsEndToEndAndALeaverIsLockedOut() throws {
        let kd = try KeyDistributorTests.makeKD(policy: RekeyPolicy(rekeyOnLeave: true))
        let endpoints = try ["alice", "bob", "carol"].map { try Endpoint(tlsID: "tls-id-\($0)-0123456789abc") }
        for endpoint in endpoints { try kd.registry.register(endpoint.registration(conference: "room")) }
        let md = MediaDistributorKeys()
        var now = ContinuousClock.now
        try md.take(try KeyDistributorTests.connect(endpoints, to: kd, now: now))
        for endpoint in endpoints {
            for datagram in endpoint.dtls.takeOutgoingDatagrams() {
                try md.take(kd.receiveDTLS(tunnel: 1, association: endpoint.association, datagram: datagram, now: now))
            }
        }
        // The media distributor got three MediaKeys and nothing but 16-byte keys and 12-byte salts.
        #expect(md.received.count == 3)
        #expect(md.received.allSatisfy { [$0.clientKey, $0.serverKey].allSatisfy { $0.count == 16 } })
        let keyings = try endpoints.map { endpoint in
            let keying = try EndpointKeying(material: try endpoint.dtls.srtpKeyingMaterial())
            for key in endpoint.ektKeys { try keying.install(key, now: now) }
            return keying
        }
        // None of the hop keys the MD holds is an end-to-end (inner) half.
        for endpoint in endpoints {
            let material = try endpoint.dtls.srtpKeyingMaterial()
            let inner = [Array(material.clientMasterKey[..<16]), Array(material.serverMasterKey[..<16])]
            #expect(md.received.allSatisfy { !inner.contains($0.clientKey) && !inner.contains($0.serverKey) })
        }

        // Alice sends; Bob and Carol get her payload through the media distributor.
        let ids = endpoints.map(\.association)
        for sequence in UInt16(1)...20 {
            let payload = Array("alice \(sequence)".utf8)
            let packet = try keyings[0].sender!.protect(Self.rtp(sequence: sequence, ssrc: 0xA11CE, payload: payload))
            let copies = try md.relay(packet, from: ids[0], to: [ids[1], ids[2]])
            #expect(try keyings[1].receiver!.unprotect(copies[0]) == Self.rtp(sequence: sequence, ssrc: 0xA11CE, payload: payload))
            #expect(try keyings[2].receiver!.unprotect(copies[1]) == Self.rtp(sequence: sequence, ssrc: 0xA11CE, payload: payload))
        }

        // Carol leaves; the KD rekeys the others, who switch end-to-end keys after 250 ms.
        _ = kd.endpointDisconnected(association: ids[2], now: now)
        for action in kd.tick(now: now) { _ = KeyDistributorTests.deliver(action, to: endpoints, now: now) }
        #expect(kd.rekeyCount(conference: "room") == 1)
        for (endpoint, keying) in zip(endpoints, keyings).prefix(2) {
            try keying.install(try #require(endpoint.ektKeys.last), now: now)
        }
        now = now.advanced(by: .milliseconds(300))
        for keying in keyings.prefix(2) { try keying.tick(now: now) }
        #expect(keyings[0].rekeys == 1)
        for sequence in UInt16(21)...40 {
            let payload = Array("after \(sequence)".utf8)
            let packet = try keyings[0].sender!.protect(Self.rtp(sequence: sequence, ssrc: 0xA11CE, payload: payload))
            // A colluding distributor still relays to Carol: her old keys open nothing.
            let copies = try md.relay(packet, from: ids[0], to: [ids[1], ids[2]])
            #expect(try keyings[1].receiver!.unprotect(copies[0]) == Self.rtp(sequence: sequence, ssrc: 0xA11CE, payload: payload))
            #expect(throws: SRTPError.self) { try keyings[2].receiver!.unprotect(copies[1]) }
        }
    }
}
