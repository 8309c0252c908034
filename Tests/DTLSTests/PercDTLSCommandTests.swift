// SPDX-License-Identifier: Apache-2.0
// Copyright 2026 the swift-perc authors

import Foundation
import Testing

/// `perc dtls server` and `perc dtls client` as processes on loopback: the output lines the
/// commands promise, and exit codes. `swift build --build-tests` builds `perc` beside the test
/// bundle.
@Suite(.serialized) struct PercDTLSCommandTests {
    static func percPath() throws -> String {
        // The test executable (.build/<triple>/debug/swift-percPackageTests.xctest) sits in the
        // same directory as the perc product.
        let executable = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath()
        let directory = executable.deletingLastPathComponent()
        let path = directory.appendingPathComponent("perc").path
        if FileManager.default.isExecutableFile(atPath: path) { return path }
        Issue.record("perc not found in \(directory.path); build it with swift build --build-tests")
        throw CocoaError(.fileNoSuchFile)
    }

    static func lines(_ text: String, _ prefix: String) -> [String] {
        text.split(separator: "\n").filter { $0.hasPrefix(prefix) }.map(String.init)
    }

    @Test(arguments: ["127.0.0.1", "[::1]"])
    func serverAndClientAgreeWithEKT(_ host: String) throws {
        let perc = try Self.percPath()
        let port = try OpenSSLInteropTests.freePort()
        let server = try OpenSSLProcess(["dtls", "server", "--listen", "\(host):\(port)", "--profiles", "double-aes256-gcm,aes128-gcm",
                                         "--ekt-cipher", "aeskw256"], executable: perc)
        defer { server.terminate() }
        try #require(server.waitFor("fingerprint: ", timeout: .seconds(30)))
        let serverFingerprint = try #require(Self.lines(server.text, "fingerprint: ").first?.dropFirst(13))
        let client = try OpenSSLProcess(["dtls", "client", "--connect", "\(host):\(port)", "--fingerprint", String(serverFingerprint)], executable: perc)
        defer { client.terminate() }
        #expect(client.waitForExit(timeout: .seconds(15)) && client.exitStatus == 0, "client: \(client.text)")
        #expect(server.waitForExit(timeout: .seconds(15)) && server.exitStatus == 0, "server: \(server.text)")
        for output in [client.text, server.text] {
            #expect(Self.lines(output, "profile: ") == ["profile: double-aes256-gcm"])
            let material = Self.lines(output, "keying-material: ")
            #expect(material.count == 1 && material[0].count == 17 + 2 * 176)
            #expect(material.first?.dropFirst(17).allSatisfy { "0123456789abcdef".contains($0) } == true)
            let ekt = Self.lines(output, "ekt: ")
            #expect(ekt.count == 1 && ekt[0].hasPrefix("ekt: spi=") && ekt[0].hasSuffix(" cipher=aeskw256"))
        }
        #expect(Self.lines(client.text, "keying-material: ") == Self.lines(server.text, "keying-material: "))
        #expect(Self.lines(client.text, "ekt: ") == Self.lines(server.text, "ekt: "))
    }

    @Test func wrongFingerprintFailsBothSidesWithErrorLines() throws {
        let perc = try Self.percPath()
        let port = try OpenSSLInteropTests.freePort()
        let server = try OpenSSLProcess(["dtls", "server", "--listen", "127.0.0.1:\(port)"], executable: perc)
        defer { server.terminate() }
        try #require(server.waitFor("fingerprint: ", timeout: .seconds(30)))
        let client = try OpenSSLProcess(["dtls", "client", "--connect", "127.0.0.1:\(port)", "--fingerprint", String(repeating: "ab", count: 32)],
                                        executable: perc)
        defer { client.terminate() }
        #expect(client.waitForExit(timeout: .seconds(15)) && client.exitStatus == 1)
        #expect(server.waitForExit(timeout: .seconds(15)) && server.exitStatus == 1)
        #expect(client.text.contains("error: ") && client.text.contains("bad_certificate"))
        #expect(server.text.contains("error: ") && server.text.contains("bad_certificate"))
        #expect(!client.text.contains("keying-material:") && !server.text.contains("keying-material:"))
    }

    @Test func silentServerTimesOut() throws {
        let perc = try Self.percPath()
        let port = try OpenSSLInteropTests.freePort()
        let client = try OpenSSLProcess(["dtls", "client", "--connect", "127.0.0.1:\(port)", "--timeout", "1"], executable: perc)
        defer { client.terminate() }
        #expect(client.waitForExit(timeout: .seconds(30)) && client.exitStatus == 1)
        #expect(client.text.contains("error: "))
    }
}
