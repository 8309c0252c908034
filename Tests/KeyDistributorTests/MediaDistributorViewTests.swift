// SPDX-License-Identifier: Apache-2.0
// Copyright 2026 the swift-perc authors

import DTLS
import KeyDistributor
import Testing

/// The media distributor never holds an end-to-end key or an EKTKey (RFC 8723 3; RFC 8871):
/// every byte it relays or receives (the endpoints' DTLS in both directions, the MediaKeys it
/// is sent), through joins and a rekey on leave, is searched for every EKTKey and every
/// endpoint's inner (end-to-end) master key; none occurs. The outer halves, which it must
/// hold, are found the same way, so the search would see a leak.
@Suite struct MediaDistributorViewTests {
    typealias Endpoint = KeyDistributorTests.Endpoint

    /// Whether `needle` occurs in `haystack` as a contiguous run of bytes.
    static func contains(_ haystack: [UInt8], _ needle: [UInt8]) -> Bool {
        guard !needle.isEmpty, haystack.count >= needle.count else { return false }
        return (0...(haystack.count - needle.count)).contains { haystack[$0..<($0 + needle.count)].elementsEqual(needle) }
    }

    @Test func mediaDistributorSeesNoEndToEndKeyAndNoEKTKey() throws {
        let kd = try KeyDistributorTests.makeKD(policy: RekeyPolicy(rekeyOnLeave: true))
        let endpoints = try ["alice", "bob", "carol"].map { try Endpoint(tlsID: "tls-id-\($0)-0123456789abc") }
        for endpoint in endpoints { try kd.registry.register(endpoint.registration(conference: "room")) }
        let now = ContinuousClock.now
        var seen: [[UInt8]] = []   // everything that crosses the media distributor

        func pass(_ actions: [KeyDistributor.Action]) {
            for action in actions {
                switch action {
                case .sendDTLS(_, let association, let datagram):
                    seen.append(datagram)
                    guard let endpoint = endpoints.first(where: { $0.association == association }) else { continue }
                    let events = endpoint.dtls.receive(datagram: datagram, now: now)
                    for case .ektKeyReceived(let key) in events { endpoint.ektKeys.append(key) }
                case .sendMediaKeys(_, _, let keys):
                    seen += [keys.clientKey, keys.serverKey, keys.clientSalt, keys.serverSalt]
                case .disconnect:
                    break
                }
            }
        }
        func exchange() {
            for _ in 0..<20 {
                var progress = false
                for endpoint in endpoints where endpoint.dtls.state == .handshaking || endpoint.dtls.state == .connected {
                    for datagram in endpoint.dtls.takeOutgoingDatagrams() {
                        progress = true
                        seen.append(datagram)
                        pass(kd.receiveDTLS(tunnel: 1, association: endpoint.association, datagram: datagram, now: now))
                    }
                }
                if !progress { break }
            }
        }

        for endpoint in endpoints { try endpoint.dtls.startHandshake(now: now) }
        exchange()
        let materials = try endpoints.map { try $0.dtls.srtpKeyingMaterial() }
        // Carol leaves: Alice and Bob get a new EKTKey, through the media distributor too.
        pass(kd.endpointDisconnected(association: endpoints[2].association, now: now))
        pass(kd.tick(now: now))
        exchange()
        #expect(kd.rekeyCount(conference: "room") == 1)
        let ektKeys = endpoints.flatMap(\.ektKeys)
        #expect(Set(ektKeys.map(\.spi)).count == 2, "the first EKTKey and the one after the rekey")
        #expect(endpoints.prefix(2).allSatisfy { $0.ektKeys.count == 2 })

        let secrets = ektKeys.map(\.key) + materials.flatMap { [Array($0.clientMasterKey[..<16]), Array($0.serverMasterKey[..<16])] }
        #expect(secrets.count == 5 + 6 && secrets.allSatisfy { $0.count == 16 })
        #expect(seen.count > 20)
        for (index, secret) in secrets.enumerated() {
            #expect(!seen.contains { Self.contains($0, secret) }, "secret \(index) crossed the media distributor")
        }
        // The hop-by-hop (outer) halves do reach it: the search finds what is there.
        for material in materials {
            #expect(seen.contains { Self.contains($0, Array(material.clientMasterKey[16...])) })
            #expect(seen.contains { Self.contains($0, Array(material.serverMasterKey[16...])) })
        }
    }
}
