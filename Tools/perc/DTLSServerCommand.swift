// SPDX-License-Identifier: Apache-2.0
// Copyright 2026 the swift-perc authors

import ArgumentParser
import DTLS

/// `perc dtls server`: accept one DTLS-SRTP association, send an EKTKey when EKT is on, print
/// the result and exit.
struct DTLSServerCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "server",
        abstract: "Accept one DTLS-SRTP association on UDP and print its keys.",
        discussion: "Example: perc dtls server --listen 127.0.0.1:4444 --profiles double-aes128-gcm --ekt-cipher aeskw128"
    )

    @Option(help: "Address to listen on: HOST:PORT or [IPv6]:PORT.")
    var listen: String

    @OptionGroup var common: DTLSCommonOptions

    @Option(name: .customLong("ekt-cipher"), help: "Offer EKT with this cipher (aeskw128 or aeskw256) and send an EKTKey.")
    var ektCipher: String?

    func run() throws {
        let (host, port) = try parseHostPort("--listen", listen)
        var ektCiphers: [EKTCipherType] = []
        if let ektCipher {
            guard let cipher = EKTCipherType(name: ektCipher) else { throw ToolError("--ekt-cipher must be aeskw128 or aeskw256") }
            ektCiphers = [cipher]
        }
        let identity = try common.identity()
        let configuration = DTLSConfiguration(role: .server, identity: identity, srtpProfiles: try common.resolvedProfiles(),
                                              peerFingerprint: try common.peerFingerprint(), ektCiphers: ektCiphers,
                                              externalSessionID: try common.sessionID())
        let deadline = try common.deadline()
        let connection = try DTLSConnection(configuration: configuration)
        let socket: DatagramSocket
        do {
            socket = try DatagramSocket.bound(host: host, port: port)
        } catch DTLSError.socket(let what) {
            throw ToolError(what)
        }
        printLine("fingerprint: \(identity.fingerprint.hex)")
        var sent: EKTKey?
        try runAssociation(connection, over: socket, until: deadline) { event in
            switch event {
            case .handshakeCompleted:
                guard let cipher = connection.ektCipher, let profile = connection.selectedProfile else { return true }
                // PERC: the salt has the inner (end-to-end) length, 12 bytes for the doubles.
                let saltLength = profile.isDouble ? profile.masterSaltLength / 2 : profile.masterSaltLength
                let key = try EKTKey(key: randomBytes(cipher.keyLength), masterSalt: randomBytes(saltLength),
                                     spi: UInt16.random(in: 1...0x7FFF), ttl: 86400)
                try connection.sendEKTKey(key, now: .now)
                sent = key
                return false
            case .ektKeyAcknowledged:
                return true
            default:
                return false
            }
        }
        try printResult(connection, ekt: sent)
        connection.close()
        for datagram in connection.takeOutgoingDatagrams() { try? socket.send(datagram) }
    }
}

/// `count` random bytes.
func randomBytes(_ count: Int) -> [UInt8] {
    var generator = SystemRandomNumberGenerator()
    return (0..<count).map { _ in UInt8.random(in: .min ... .max, using: &generator) }
}
