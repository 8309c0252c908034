// SPDX-License-Identifier: Apache-2.0
// Copyright 2026 the swift-perc authors

import Crypto
import Foundation
import SwiftASN1
import X509

/// A development PKI for the tunnel, kept as PEM files in one directory: a CA, a Key
/// Distributor (TLS server) certificate and a Media Distributor (TLS client) certificate,
/// both signed by the CA, all P-256 ECDSA.
///
/// The KD certificate has `serverAuth` and the SANs `localhost`, `127.0.0.1` and `::1`; the
/// MD certificate has `clientAuth` only, so neither can stand in for the other. For
/// development and tests only: the CA key lies next to the certificates.
///
/// Files: `ca.pem`, `ca-key.pem`, `kd.pem`, `kd-key.pem`, `md.pem`, `md-key.pem` (keys 0600).
public struct DevelopmentCertificates: Sendable {
    /// The default directory, `./perc-certs`.
    public static let defaultDirectory = "./perc-certs"

    /// The directory holding the files.
    public let directory: String
    /// Whether ``loadOrCreate(in:)`` made any file.
    public let created: Bool

    /// The CA certificate, `ca.pem`.
    public var caCertificatePath: String { path("ca.pem") }
    /// The CA's private key, `ca-key.pem`.
    public var caKeyPath: String { path("ca-key.pem") }
    /// The KD (TLS server) certificate, `kd.pem`.
    public var keyDistributorCertificatePath: String { path("kd.pem") }
    /// The KD's private key, `kd-key.pem`.
    public var keyDistributorKeyPath: String { path("kd-key.pem") }
    /// The MD (TLS client) certificate, `md.pem`.
    public var mediaDistributorCertificatePath: String { path("md.pem") }
    /// The MD's private key, `md-key.pem`.
    public var mediaDistributorKeyPath: String { path("md-key.pem") }

    private func path(_ name: String) -> String { (directory as NSString).appendingPathComponent(name) }

    /// Uses the files in `directory`, making whatever is missing: the whole set when the CA
    /// is missing, else only the missing certificates, signed by the existing CA.
    /// - Throws: file system errors, or a parse error for an existing file that is not PEM.
    public static func loadOrCreate(in directory: String = defaultDirectory) throws -> DevelopmentCertificates {
        let files = FileManager.default
        try files.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let probe = DevelopmentCertificates(directory: directory, created: false)
        var created = false
        let ca: (certificate: Certificate, key: P256.Signing.PrivateKey)
        if files.fileExists(atPath: probe.caCertificatePath) && files.fileExists(atPath: probe.caKeyPath) {
            ca = (try Certificate(pemEncoded: String(contentsOfFile: probe.caCertificatePath, encoding: .utf8)),
                  try P256.Signing.PrivateKey(pemRepresentation: String(contentsOfFile: probe.caKeyPath, encoding: .utf8)))
        } else {
            ca = try makeCA()
            try write(ca.certificate, key: ca.key, certificatePath: probe.caCertificatePath, keyPath: probe.caKeyPath)
            created = true
        }
        let leaves = [(probe.keyDistributorCertificatePath, probe.keyDistributorKeyPath, true),
                      (probe.mediaDistributorCertificatePath, probe.mediaDistributorKeyPath, false)]
        for (certificatePath, keyPath, isServer) in leaves
        where created || !files.fileExists(atPath: certificatePath) || !files.fileExists(atPath: keyPath) {
            let key = P256.Signing.PrivateKey()
            let certificate = try makeLeaf(server: isServer, key: key, ca: ca)
            try write(certificate, key: key, certificatePath: certificatePath, keyPath: keyPath)
            created = true
        }
        return DevelopmentCertificates(directory: directory, created: created)
    }

    /// The KD's tunnel identity: its certificate and key, trusting MDs of this CA.
    public func keyDistributorCredentials() throws -> TunnelCredentials {
        try TunnelCredentials(certificateFile: keyDistributorCertificatePath, privateKeyFile: keyDistributorKeyPath,
                              trustRootsFile: caCertificatePath)
    }

    /// The MD's tunnel identity: its certificate and key, trusting KDs of this CA.
    public func mediaDistributorCredentials() throws -> TunnelCredentials {
        try TunnelCredentials(certificateFile: mediaDistributorCertificatePath, privateKeyFile: mediaDistributorKeyPath,
                              trustRootsFile: caCertificatePath)
    }

    private static func makeCA() throws -> (certificate: Certificate, key: P256.Signing.PrivateKey) {
        let key = P256.Signing.PrivateKey()
        let name = try DistinguishedName {
            OrganizationName("swift-perc development")
            CommonName("swift-perc development CA")
        }
        let now = Date()
        let certificate = try Certificate(
            version: .v3, serialNumber: Certificate.SerialNumber(), publicKey: .init(key.publicKey),
            notValidBefore: now.addingTimeInterval(-3600), notValidAfter: now.addingTimeInterval(10 * 365 * 86400),
            issuer: name, subject: name, signatureAlgorithm: .ecdsaWithSHA256,
            extensions: try Certificate.Extensions {
                Critical(BasicConstraints.isCertificateAuthority(maxPathLength: 0))
                Critical(KeyUsage(digitalSignature: true, keyCertSign: true, cRLSign: true))
                SubjectKeyIdentifier(hash: .init(key.publicKey))
            },
            issuerPrivateKey: .init(key))
        return (certificate, key)
    }

    private static func makeLeaf(server: Bool, key: P256.Signing.PrivateKey,
                                 ca: (certificate: Certificate, key: P256.Signing.PrivateKey)) throws -> Certificate {
        let subject = try DistinguishedName {
            OrganizationName("swift-perc development")
            CommonName(server ? "perc-kmf (key distributor)" : "perc-mdd (media distributor)")
        }
        let now = Date()
        return try Certificate(
            version: .v3, serialNumber: Certificate.SerialNumber(), publicKey: .init(key.publicKey),
            notValidBefore: now.addingTimeInterval(-3600), notValidAfter: now.addingTimeInterval(2 * 365 * 86400),
            issuer: ca.certificate.subject, subject: subject, signatureAlgorithm: .ecdsaWithSHA256,
            extensions: try Certificate.Extensions {
                Critical(BasicConstraints.notCertificateAuthority)
                Critical(KeyUsage(digitalSignature: true))
                try ExtendedKeyUsage([server ? .serverAuth : .clientAuth])
                SubjectKeyIdentifier(hash: .init(key.publicKey))
                AuthorityKeyIdentifier(keyIdentifier: SubjectKeyIdentifier(hash: .init(ca.key.publicKey)).keyIdentifier)
                if server {
                    SubjectAlternativeNames([
                        .dnsName("localhost"),
                        .ipAddress(ASN1OctetString(contentBytes: [127, 0, 0, 1])),
                        .ipAddress(ASN1OctetString(contentBytes: [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1])),
                    ])
                }
            },
            issuerPrivateKey: .init(ca.key))
    }

    private static func write(_ certificate: Certificate, key: P256.Signing.PrivateKey, certificatePath: String,
                              keyPath: String) throws {
        try certificate.serializeAsPEM().pemString.write(toFile: certificatePath, atomically: true, encoding: .utf8)
        try key.pemRepresentation.write(toFile: keyPath, atomically: true, encoding: .utf8)
        try FileManager.default.setAttributes([.posixPermissions: 0o600], ofItemAtPath: keyPath)
    }
}
