// SPDX-License-Identifier: Apache-2.0
// Copyright 2026 the swift-perc authors

import ArgumentParser
import DTLS

/// `perc dtls client`: one DTLS-SRTP handshake (offering EKT), print the result and exit.
struct DTLSClientCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "client",
        abstract: "Make one DTLS-SRTP association over UDP and print its keys.",
        discussion: "Example: perc dtls client --connect 127.0.0.1:4444 --fingerprint <hex printed by the server>"
    )

    @Option(help: "Server address: HOST:PORT or [IPv6]:PORT.")
    var connect: String

    @OptionGroup var common: DTLSCommonOptions

    func run() throws {
        let (host, port) = try parseHostPort("--connect", connect)
        let identity = try common.identity()
        // The client always offers supported_ekt_ciphers; the server decides.
        let configuration = DTLSConfiguration(role: .client, identity: identity, srtpProfiles: try common.resolvedProfiles(),
                                              peerFingerprint: try common.peerFingerprint(), ektCiphers: [.aeskw128, .aeskw256],
                                              externalSessionID: try common.sessionID())
        let deadline = try common.deadline()
        let connection = try DTLSConnection(configuration: configuration)
        let socket: DatagramSocket
        do {
            socket = try DatagramSocket.connected(host: host, port: port)
        } catch DTLSError.socket(let what) {
            throw ToolError(what)
        }
        printLine("fingerprint: \(identity.fingerprint.hex)")
        try connection.startHandshake(now: .now)
        var received: EKTKey?
        try runAssociation(connection, over: socket, until: deadline) { event in
            switch event {
            case .handshakeCompleted:
                return connection.ektCipher == nil
            case .ektKeyReceived(let key):
                received = key
                return true
            default:
                return false
            }
        }
        try printResult(connection, ekt: received)
        connection.close()
        for datagram in connection.takeOutgoingDatagrams() { try? socket.send(datagram) }
    }
}
