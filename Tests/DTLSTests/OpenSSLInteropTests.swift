// SPDX-License-Identifier: Apache-2.0
// Copyright 2026 the swift-perc authors

import DTLS
import Foundation
import Testing

/// Our client against `openssl s_server` and our server against `openssl s_client`, over UDP
/// on loopback: the DTLS-SRTP keying material must be byte-identical.
@Suite(.serialized) struct OpenSSLInteropTests {
    static let profiles: [(openssl: String, ours: SRTPProtectionProfileID, length: Int)] = [
        ("SRTP_AEAD_AES_128_GCM", .aeadAes128Gcm, 56),
        ("SRTP_AES128_CM_SHA1_80", .aes128CmSha1_80, 60),
    ]

    static func hex(_ bytes: [UInt8]) -> String { bytes.map { String(format: "%02X", $0) }.joined() }

    /// A free UDP port on loopback (bound, read, released).
    static func freePort() throws -> UInt16 {
        try DatagramSocket.bound(host: "127.0.0.1", port: 0).localPort
    }

    /// `smallDatagrams`: both sides fragment their handshake messages (OpenSSL `-mtu 256`, our
    /// datagrams at most 200 bytes), so each reassembles the other's fragments. All but the
    /// first case run s_server with `-verify 1`, so OpenSSL checks our CertificateVerify.
    @Test(arguments: [(0, false), (1, false), (0, true)])
    func ourClientAgainstOpenSSLServer(_ index: Int, _ smallDatagrams: Bool) throws {
        let profile = Self.profiles[index]
        let certificate = try OpenSSLCertificate(commonName: "openssl-server")
        defer { certificate.remove() }
        let port = try Self.freePort()
        let requestCertificate = index == 1 || smallDatagrams
        let server = try OpenSSLProcess([
            "s_server", "-dtls1_2", "-accept", "127.0.0.1:\(port)", "-naccept", "1",
            "-cert", certificate.certificatePath, "-key", certificate.keyPath,
            "-use_srtp", profile.openssl, "-keymatexport", "EXTRACTOR-dtls_srtp", "-keymatexportlen", String(profile.length),
        ] + (smallDatagrams ? ["-mtu", "256"] : []) + (requestCertificate ? ["-verify", "1"] : []))
        defer { server.terminate() }
        try #require(server.waitFor("ACCEPT"), "s_server did not start: \(server.text)")

        var configuration = DTLSConfiguration(role: .client, identity: TestIdentities.client,
                                              srtpProfiles: [.doubleAeadAes128Gcm, profile.ours],
                                              peerFingerprint: try certificate.fingerprint(), ektCiphers: [.aeskw128])
        if smallDatagrams { configuration.maximumDatagramSize = 200 }
        let client = try DTLSConnection(configuration: configuration)
        let socket = try DatagramSocket.connected(host: "127.0.0.1", port: port)
        try client.startHandshake(now: .now)
        try DTLSDatagramDriver.run(client, over: socket, until: .now + .seconds(10)) { $0 == .handshakeCompleted }
        #expect(client.selectedProfile == profile.ours)
        #expect(client.ektCipher == nil)  // OpenSSL ignores supported_ekt_ciphers
        let ours = Self.hex(try client.srtpKeyingMaterial().exported)
        try #require(server.waitFor("Keying material: "), "s_server printed no keying material: \(server.text)")
        #expect(server.keyingMaterial == ours)
        #expect(ours.count == profile.length * 2)
        #expect(server.text.contains("CIPHER is ECDHE-ECDSA-AES128-GCM-SHA256"))
        #expect(server.text.contains("Client certificate") == requestCertificate)
        client.close()
        for datagram in client.takeOutgoingDatagrams() { try socket.send(datagram) }
    }

    /// `withCertificate`: s_client presents its own certificate (our server then checks its
    /// CertificateVerify and pins its fingerprint); without, it sends an empty Certificate.
    /// With a certificate, s_client also fragments (`-mtu 256`) and so does our server. The
    /// P-384 certificate checks that an ECDSA-SHA256 CertificateVerify on P-384 verifies.
    @Test(arguments: [(0, false, "prime256v1"), (1, false, "prime256v1"), (0, true, "prime256v1"), (1, true, "prime256v1"), (0, true, "secp384r1")])
    func openSSLClientAgainstOurServer(_ index: Int, _ withCertificate: Bool, _ curve: String) throws {
        let profile = Self.profiles[index]
        let certificate = try OpenSSLCertificate(commonName: "openssl-client", curve: curve)
        defer { certificate.remove() }
        let opensslFingerprint = try certificate.fingerprint()
        let socket = try DatagramSocket.bound(host: "127.0.0.1", port: 0)
        var configuration = DTLSConfiguration(role: .server, identity: TestIdentities.server, srtpProfiles: [.doubleAeadAes128Gcm, profile.ours],
                                              peerFingerprint: withCertificate ? opensslFingerprint : nil, ektCiphers: [.aeskw128])
        if withCertificate { configuration.maximumDatagramSize = 200 }
        let server = try DTLSConnection(configuration: configuration)
        var arguments = [
            "s_client", "-dtls1_2", "-connect", "127.0.0.1:\(socket.localPort)",
            "-use_srtp", profile.openssl, "-keymatexport", "EXTRACTOR-dtls_srtp", "-keymatexportlen", String(profile.length),
        ]
        if withCertificate { arguments += ["-cert", certificate.certificatePath, "-key", certificate.keyPath, "-mtu", "256"] }
        let client = try OpenSSLProcess(arguments)
        defer { client.terminate() }
        try DTLSDatagramDriver.run(server, over: socket, until: .now + .seconds(10)) { $0 == .handshakeCompleted }
        #expect(server.selectedProfile == profile.ours)
        #expect(server.ektCipher == nil)
        #expect((server.peerCertificateDER != nil) == withCertificate)
        let ours = Self.hex(try server.srtpKeyingMaterial().exported)
        try #require(client.waitFor("Keying material: "), "s_client printed no keying material: \(client.text)")
        #expect(client.keyingMaterial == ours)
        #expect(client.text.contains("Extended master secret: yes"))
        #expect(client.text.contains("Cipher is ECDHE-ECDSA-AES128-GCM-SHA256"))
    }

    /// OpenSSL 3.0 does not know the double profiles (0x0009, 0x000A), so it cannot negotiate
    /// them; but the exporter is the same PRF at any length. Here the association runs
    /// SRTP_AEAD_AES_128_GCM and both sides export 112 and 176 bytes, the double profiles'
    /// keying-material lengths.
    @Test(arguments: [112, 176])
    func exporterAtDoubleProfileLengthsMatchesOpenSSL(_ length: Int) throws {
        let socket = try DatagramSocket.bound(host: "127.0.0.1", port: 0)
        let server = try DTLSConnection(configuration: DTLSConfiguration(role: .server, identity: TestIdentities.server, srtpProfiles: [.aeadAes128Gcm]))
        let client = try OpenSSLProcess([
            "s_client", "-dtls1_2", "-connect", "127.0.0.1:\(socket.localPort)", "-use_srtp", "SRTP_AEAD_AES_128_GCM",
            "-keymatexport", "EXTRACTOR-dtls_srtp", "-keymatexportlen", String(length),
        ])
        defer { client.terminate() }
        try DTLSDatagramDriver.run(server, over: socket, until: .now + .seconds(10)) { $0 == .handshakeCompleted }
        let ours = Self.hex(try server.exportKeyingMaterial(label: "EXTRACTOR-dtls_srtp", length: length))
        try #require(client.waitFor("Keying material: "), "s_client printed no keying material: \(client.text)")
        #expect(client.keyingMaterial == ours)
        #expect(ours.count == 2 * length)
    }
}
