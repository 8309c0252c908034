// SPDX-License-Identifier: Apache-2.0
// Copyright 2026 the swift-perc authors
//
// DTLS 1.2 (DTLS-SRTP) records and handshake messages: the record layer, fragment
// reassembly, every handshake message parser and the state machines of both roles.
//
// Input: a selector byte, then datagrams, each as a 2-byte length and its bytes.
// - Selector bits 0-1 = 0: the datagrams go to a server (no cookie exchange, so the first
//   ClientHello is parsed at once); 1: to a server with the cookie exchange; 2: to a client
//   that has sent its ClientHello.
// - 3: a real handshake between a client and a server in memory, where the input's datagrams
//   are XORed into the handshake's datagrams in order (datagram i of the handshake with the
//   input's datagram i), so every message arrives slightly wrong.
// Invariants: garbage never completes a handshake (modes 0-2) and never ends it any other way
// than a failure or a close; every datagram sent fits maximumDatagramSize; in mode 3, an
// untouched handshake completes, and when both sides complete they agree on the profile and
// the SRTP keying material.
import DTLS
import FuzzSupport

nonisolated(unsafe) let serverIdentity = try! DTLSIdentity.selfSigned(commonName: "fuzz-server")
nonisolated(unsafe) let clientIdentity = try! DTLSIdentity.selfSigned(commonName: "fuzz-client")
nonisolated(unsafe) let now = ContinuousClock.now

func server(cookies: Bool) -> DTLSConnection {
    var configuration = DTLSConfiguration(role: .server, identity: serverIdentity, ektCiphers: [.aeskw128])
    configuration.usesCookieExchange = cookies
    return try! DTLSConnection(configuration: configuration)
}

func client() -> DTLSConnection {
    let connection = try! DTLSConnection(configuration: DTLSConfiguration(role: .client, identity: clientIdentity,
                                                                           ektCiphers: [.aeskw128]))
    try! connection.startHandshake(now: now)
    return connection
}

func datagrams(_ input: inout FuzzReader) -> [[UInt8]] {
    var list: [[UInt8]] = []
    while input.remaining > 0 && list.count < 16 {
        list.append(input.take(Int(input.uint16())))
    }
    return list
}

/// Takes the connection's outgoing datagrams, checking their size.
func sent(by connection: DTLSConnection) -> [[UInt8]] {
    let out = connection.takeOutgoingDatagrams()
    for datagram in out {
        require(datagram.count <= connection.configuration.maximumDatagramSize,
                "a \(datagram.count)-byte datagram (limit \(connection.configuration.maximumDatagramSize))")
    }
    return out
}

func feedGarbage(_ connection: DTLSConnection, _ list: [[UInt8]]) {
    _ = sent(by: connection)
    for datagram in list {
        for event in connection.receive(datagram: datagram, now: now) {
            switch event {
            case .failed, .warningReceived, .closed: break
            default: require(false, "garbage produced \(event)")
            }
        }
        require(connection.state != .connected, "garbage completed a handshake")
        _ = sent(by: connection)
    }
}

fuzzMain { data, size in
    var input = FuzzReader(fuzzBytes(data, size))
    let mode = input.byte() & 3
    let list = datagrams(&input)
    switch mode {
    case 0, 1: feedGarbage(server(cookies: mode == 1), list)
    case 2: feedGarbage(client(), list)
    default:
        let client = client(), server = server(cookies: true)
        var masks = list[...]
        var toServer = sent(by: client), toClient: [[UInt8]] = []
        for _ in 0..<12 where !toServer.isEmpty || !toClient.isEmpty {
            for var datagram in toServer {
                if let mask = masks.popFirst() {
                    for (i, byte) in mask.prefix(datagram.count).enumerated() { datagram[i] ^= byte }
                }
                _ = server.receive(datagram: datagram, now: now)
            }
            toClient = sent(by: server)
            for var datagram in toClient {
                if let mask = masks.popFirst() {
                    for (i, byte) in mask.prefix(datagram.count).enumerated() { datagram[i] ^= byte }
                }
                _ = client.receive(datagram: datagram, now: now)
            }
            toServer = sent(by: client)
            toClient = []
        }
        if list.allSatisfy({ $0.allSatisfy { $0 == 0 } }) {
            // Nothing was changed (no masks, or all-zero ones): the handshake must complete.
            require(client.state == .connected && server.state == .connected,
                    "an untouched handshake ended \(client.state) / \(server.state)")
        }
        if client.state == .connected && server.state == .connected {
            require(client.selectedProfile == server.selectedProfile, "the two sides chose different profiles")
            let keys = (try? client.srtpKeyingMaterial(), try? server.srtpKeyingMaterial())
            require(keys.0 != nil && keys.0 == keys.1, "the two sides derived different SRTP keys")
        }
    }
    return 0
}
