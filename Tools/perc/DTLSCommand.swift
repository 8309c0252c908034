// SPDX-License-Identifier: Apache-2.0
// Copyright 2026 the swift-perc authors

import ArgumentParser
import DTLS
import Foundation

/// `perc dtls`: one DTLS-SRTP association, client or server, for interop and debugging.
struct DTLSCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "dtls",
        abstract: "Run one DTLS-SRTP handshake (with EKT) as client or server over UDP.",
        discussion: """
            After the handshake each side prints 'profile: NAME' and 'keying-material: HEX' (the \
            whole EXTRACTOR-dtls_srtp exporter output), and 'ekt: spi=N cipher=NAME' when EKT \
            was negotiated, then exits 0.
            """,
        subcommands: [DTLSServerCommand.self, DTLSClientCommand.self]
    )
}

/// Options both sides share: profiles, certificate, peer fingerprint, timeout.
struct DTLSCommonOptions: ParsableArguments {
    @Option(help: "Comma-separated SRTP profiles, most preferred first (e.g. double-aes128-gcm,aes128-gcm). Default: all known, doubles first.")
    var profiles: String?

    @Option(help: "Certificate, PEM file (an ECDSA P-256 key). Default: a fresh self-signed certificate.")
    var cert: String?

    @Option(help: "Private key, PEM file (P-256, PKCS#8 or SEC 1); needed with --cert.")
    var key: String?

    @Option(help: "The peer's SHA-256 certificate fingerprint, hex (colons allowed); without it any certificate is accepted.")
    var fingerprint: String?

    @Option(name: .customLong("external-session-id"), help: "Our external_session_id (RFC 8844), 20...255 characters.")
    var externalSessionID: String?

    @Option(help: "Give up after this many seconds.")
    var timeout: Double = 10

    func resolvedProfiles() throws -> [SRTPProtectionProfileID] {
        guard let profiles else { return SRTPProtectionProfileID.allKnown }
        let names = profiles.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
        guard !names.isEmpty else { throw ToolError("--profiles is empty") }
        return try names.map { name in
            guard let profile = SRTPProtectionProfileID(name: name), profile.isKnown else {
                throw ToolError("unknown DTLS-SRTP profile '\(name)'")
            }
            return profile
        }
    }

    func identity() throws -> DTLSIdentity {
        switch (cert, key) {
        case (nil, nil):
            return try DTLSIdentity.selfSigned()
        case (let certPath?, let keyPath?):
            let certificatePEM: String
            let keyPEM: String
            do {
                certificatePEM = try String(contentsOfFile: certPath, encoding: .utf8)
                keyPEM = try String(contentsOfFile: keyPath, encoding: .utf8)
            } catch {
                throw ToolError("cannot read --cert/--key: \(error.localizedDescription)")
            }
            return try DTLSIdentity(certificatePEM: certificatePEM, privateKeyPEM: keyPEM)
        default:
            throw ToolError("--cert and --key go together")
        }
    }

    func peerFingerprint() throws -> CertificateFingerprint? {
        guard var text = fingerprint else { return nil }
        if text.lowercased().hasPrefix("sha-256") { text = String(text.dropFirst(7)).trimmingCharacters(in: .whitespaces) }
        guard let parsed = CertificateFingerprint(hex: text) else { throw ToolError("--fingerprint must be 32 bytes of hex (colons allowed)") }
        return parsed
    }

    func sessionID() throws -> [UInt8]? {
        guard let externalSessionID else { return nil }
        let bytes = Array(externalSessionID.utf8)
        guard (20...255).contains(bytes.count) else { throw ToolError("--external-session-id must be 20...255 bytes") }
        return bytes
    }

    func deadline() throws -> ContinuousClock.Instant {
        guard timeout > 0, timeout <= 3600 else { throw ToolError("--timeout must be in (0, 3600] seconds") }
        return .now + .milliseconds(Int64(timeout * 1000))
    }
}

/// Splits `HOST:PORT` or `[IPv6]:PORT`.
func parseHostPort(_ option: String, _ value: String) throws -> (host: String, port: UInt16) {
    let host: Substring
    let portText: Substring
    if value.hasPrefix("[") {
        guard let close = value.firstIndex(of: "]"), value[value.index(after: close)...].hasPrefix(":") else {
            throw ToolError("\(option) must be HOST:PORT or [IPv6]:PORT, got '\(value)'")
        }
        host = value[value.index(after: value.startIndex)..<close]
        portText = value[value.index(close, offsetBy: 2)...]
    } else {
        guard let colon = value.lastIndex(of: ":"), value.firstIndex(of: ":") == colon else {
            throw ToolError("\(option) must be HOST:PORT or [IPv6]:PORT, got '\(value)'")
        }
        host = value[..<colon]
        portText = value[value.index(after: colon)...]
    }
    guard !host.isEmpty, let port = UInt16(portText) else { throw ToolError("\(option) must be HOST:PORT or [IPv6]:PORT, got '\(value)'") }
    return (String(host), port)
}

/// Prints one line on standard output, unbuffered.
func printLine(_ text: String) {
    writeAll(1, Array((text + "\n").utf8))
}

/// Prints the result lines of a finished association.
func printResult(_ connection: DTLSConnection, ekt: EKTKey?) throws {
    let material = try connection.srtpKeyingMaterial()
    printLine("profile: \(material.profile.name)")
    printLine("keying-material: \(material.exported.map { String(format: "%02x", $0) }.joined())")
    if let ekt, let cipher = connection.ektCipher {
        printLine("ekt: spi=\(ekt.spi) cipher=\(cipher.name)")
    }
    if let id = connection.peerExternalSessionID {
        printLine("peer-external-session-id: \(String(decoding: id, as: UTF8.self))")
    }
}

/// Runs the driver, turning socket errors into tool errors.
func runAssociation(_ connection: DTLSConnection, over socket: DatagramSocket, until deadline: ContinuousClock.Instant,
                    onEvent: (DTLSEvent) throws -> Bool) throws {
    do {
        try DTLSDatagramDriver.run(connection, over: socket, until: deadline, onEvent: onEvent)
    } catch DTLSError.socket(let what) {
        throw ToolError(what)
    } catch let error as DTLSError {
        throw ToolError("DTLS handshake failed: \(error)")
    }
}
