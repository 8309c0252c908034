// SPDX-License-Identifier: Apache-2.0
// Copyright 2026 the swift-perc authors

import Crypto
import Foundation
import SwiftASN1
import X509

/// This side's certificate and ECDSA P-256 private key. Peers are checked by certificate
/// fingerprint (RFC 8122), so the certificate is usually self-signed.
public struct DTLSIdentity: @unchecked Sendable, CustomStringConvertible {
    /// The certificate, DER.
    public let certificateDER: [UInt8]
    let privateKey: P256.Signing.PrivateKey

    /// The SHA-256 fingerprint of the certificate.
    public var fingerprint: CertificateFingerprint { CertificateFingerprint(certificateDER: certificateDER) }

    /// Wraps a DER certificate and its key.
    /// - Throws: `DTLSError.certificate` when the certificate does not parse or does not carry
    ///   the key's public half.
    public init(certificateDER: [UInt8], privateKey: P256.Signing.PrivateKey) throws {
        let certificate: Certificate
        do {
            certificate = try Certificate(derEncoded: certificateDER)
        } catch {
            throw DTLSError.certificate("cannot parse certificate: \(error)")
        }
        guard let publicKey = P256.Signing.PublicKey(certificate.publicKey),
              publicKey.rawRepresentation == privateKey.publicKey.rawRepresentation
        else {
            throw DTLSError.certificate("the certificate's public key is not the private key's P-256 key")
        }
        self.certificateDER = certificateDER
        self.privateKey = privateKey
    }

    /// Reads a PEM certificate and a PEM P-256 private key (PKCS#8 or SEC 1).
    /// - Throws: `DTLSError.certificate` when either does not parse or they do not match.
    /// Files with several PEM blocks work: the first `CERTIFICATE` block is the certificate
    /// (the leaf of a chain), and the first `... PRIVATE KEY` block the key (so the
    /// `EC PARAMETERS` block `openssl ecparam -genkey` writes first is skipped).
    public init(certificatePEM: String, privateKeyPEM: String) throws {
        let certificate: Certificate
        let key: P256.Signing.PrivateKey
        do {
            certificate = try Certificate(pemEncoded: Self.firstBlock(in: certificatePEM) { $0 == "CERTIFICATE" } ?? certificatePEM)
        } catch {
            throw DTLSError.certificate("cannot read PEM certificate: \(error)")
        }
        do {
            key = try P256.Signing.PrivateKey(pemRepresentation: Self.firstBlock(in: privateKeyPEM) { $0.hasSuffix("PRIVATE KEY") } ?? privateKeyPEM)
        } catch {
            throw DTLSError.certificate("cannot read PEM private key (a P-256 key is needed): \(error)")
        }
        var serializer = DER.Serializer()
        do {
            try serializer.serialize(certificate)
        } catch {
            throw DTLSError.certificate("cannot encode certificate: \(error)")
        }
        try self.init(certificateDER: serializer.serializedBytes, privateKey: key)
    }

    /// The first PEM block whose label satisfies `wanted`, BEGIN and END lines included.
    static func firstBlock(in pem: String, where wanted: (String) -> Bool) -> String? {
        var label: String?
        var lines: [Substring] = []
        for line in pem.split(whereSeparator: \.isNewline) {
            let trimmed = line.trimmingCharacters(in: .whitespaces)
            if label == nil {
                if trimmed.hasPrefix("-----BEGIN "), trimmed.hasSuffix("-----") {
                    let name = String(trimmed.dropFirst(11).dropLast(5))
                    if wanted(name) {
                        label = name
                        lines = [line]
                    }
                }
            } else {
                lines.append(line)
                if trimmed == "-----END \(label!)-----" { return lines.joined(separator: "\n") + "\n" }
            }
        }
        return nil
    }

    /// Makes a fresh key and a self-signed certificate for it, valid from a day ago for
    /// `validity`.
    /// - Throws: `DTLSError.certificate` if the certificate cannot be built.
    public static func selfSigned(commonName: String = "swift-perc", validity: TimeInterval = 30 * 86400) throws -> DTLSIdentity {
        let key = P256.Signing.PrivateKey()
        do {
            let name = try DistinguishedName { CommonName(commonName) }
            let now = Date()
            let certificate = try Certificate(
                version: .v3,
                serialNumber: Certificate.SerialNumber(),
                publicKey: Certificate.PublicKey(key.publicKey),
                notValidBefore: now.addingTimeInterval(-86400),
                notValidAfter: now.addingTimeInterval(validity),
                issuer: name,
                subject: name,
                signatureAlgorithm: .ecdsaWithSHA256,
                extensions: Certificate.Extensions {},
                issuerPrivateKey: Certificate.PrivateKey(key)
            )
            var serializer = DER.Serializer()
            try serializer.serialize(certificate)
            return try DTLSIdentity(certificateDER: serializer.serializedBytes, privateKey: key)
        } catch let error as DTLSError {
            throw error
        } catch {
            throw DTLSError.certificate("cannot make a self-signed certificate: \(error)")
        }
    }

    /// The certificate as PEM.
    public var certificatePEM: String {
        PEMDocument(type: "CERTIFICATE", derBytes: certificateDER).pemString
    }

    /// The private key as PKCS#8 PEM.
    public var privateKeyPEM: String { privateKey.pemRepresentation }

    /// Shows the fingerprint, never the key.
    public var description: String { "DTLSIdentity(fingerprint: \(fingerprint.hex))" }
}
