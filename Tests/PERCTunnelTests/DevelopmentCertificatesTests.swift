// SPDX-License-Identifier: Apache-2.0
// Copyright 2026 the swift-perc authors

import TestSupport
import Foundation
import NIOSSL
import PERCTunnel
import Testing

@Suite struct DevelopmentCertificatesTests {
    @Test func makesTheSetOnceAndKeepsIt() throws {
        let directory = temporaryDirectory("certs")
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let first = try DevelopmentCertificates.loadOrCreate(in: directory)
        #expect(first.created)
        for path in [first.caCertificatePath, first.caKeyPath, first.keyDistributorCertificatePath,
                     first.keyDistributorKeyPath, first.mediaDistributorCertificatePath, first.mediaDistributorKeyPath] {
            #expect(FileManager.default.fileExists(atPath: path), "\(path)")
        }
        let keyMode = try FileManager.default.attributesOfItem(atPath: first.caKeyPath)[.posixPermissions] as? Int
        #expect(keyMode == 0o600)
        let ca = try String(contentsOfFile: first.caCertificatePath, encoding: .utf8)
        #expect(ca.hasPrefix("-----BEGIN CERTIFICATE-----"))

        let second = try DevelopmentCertificates.loadOrCreate(in: directory)
        #expect(!second.created)
        #expect(try String(contentsOfFile: second.caCertificatePath, encoding: .utf8) == ca)

        // A missing leaf is made again, signed by the CA that is there.
        try FileManager.default.removeItem(atPath: first.mediaDistributorCertificatePath)
        let third = try DevelopmentCertificates.loadOrCreate(in: directory)
        #expect(third.created)
        #expect(try String(contentsOfFile: third.caCertificatePath, encoding: .utf8) == ca)
        let md = try NIOSSLCertificate.fromPEMFile(third.mediaDistributorCertificatePath)
        let caCertificate = try NIOSSLCertificate.fromPEMFile(third.caCertificatePath)
        #expect(md.count == 1 && caCertificate.count == 1)
        _ = try third.mediaDistributorCredentials()
        _ = try third.keyDistributorCredentials()
    }
}
