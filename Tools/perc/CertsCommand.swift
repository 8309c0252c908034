// SPDX-License-Identifier: Apache-2.0
// Copyright 2026 the swift-perc authors

import ArgumentParser
import PERCTunnel

/// `perc certs`: makes the development CA and tunnel certificates.
struct CertsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "certs",
        abstract: "Make a development CA and the KD/MD tunnel certificates (P-256 ECDSA, PEM).",
        discussion: """
            Writes ca.pem, ca-key.pem, kd.pem, kd-key.pem, md.pem and md-key.pem into DIR, \
            keeping files that already exist (missing certificates are signed by the existing \
            CA). The KD certificate is a TLS server certificate for localhost, 127.0.0.1 and \
            ::1; the MD certificate is a TLS client certificate. For development only.
            """
    )

    @Option(help: "Directory for the PEM files.")
    var dir: String = DevelopmentCertificates.defaultDirectory

    func run() throws {
        let certificates: DevelopmentCertificates
        do {
            certificates = try DevelopmentCertificates.loadOrCreate(in: dir)
        } catch {
            throw ToolError("cannot make certificates in \(dir): \(error)")
        }
        print(certificates.created ? "made certificates in \(dir)" : "certificates already in \(dir)")
        for path in [certificates.caCertificatePath, certificates.keyDistributorCertificatePath,
                     certificates.mediaDistributorCertificatePath] {
            print("  \(path)")
        }
    }
}
