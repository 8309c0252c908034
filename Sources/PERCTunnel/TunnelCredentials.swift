// SPDX-License-Identifier: Apache-2.0
// Copyright 2026 the swift-perc authors

import NIOSSL

/// One side's TLS identity for the tunnel: its certificate chain and private key, and the
/// CA certificates the peer's chain must lead to. Both sides authenticate (RFC 9185 1).
public struct TunnelCredentials: Sendable {
    /// This side's certificate, then any intermediates. A client with an empty chain sends
    /// no certificate (and is refused by every ``TunnelServer``).
    public var certificateChain: [NIOSSLCertificate]
    /// This side's private key.
    public var privateKey: NIOSSLPrivateKey
    /// The CAs a peer certificate must chain to; no other root is trusted.
    public var trustRoots: [NIOSSLCertificate]

    /// An identity from certificates and a key already loaded.
    public init(certificateChain: [NIOSSLCertificate], privateKey: NIOSSLPrivateKey,
                trustRoots: [NIOSSLCertificate]) {
        self.certificateChain = certificateChain
        self.privateKey = privateKey
        self.trustRoots = trustRoots
    }

    /// Loads PEM files: the certificate (chain), its key, and the CA file.
    /// - Throws: NIOSSL's errors when a file is missing or does not parse.
    public init(certificateFile: String, privateKeyFile: String, trustRootsFile: String) throws {
        certificateChain = try NIOSSLCertificate.fromPEMFile(certificateFile)
        privateKey = try NIOSSLPrivateKey(file: privateKeyFile, format: .pem)
        trustRoots = try NIOSSLCertificate.fromPEMFile(trustRootsFile)
    }

    /// TLS 1.3 only, this side's chain and key, and only `trustRoots` as roots.
    func configuration(server: Bool) -> TLSConfiguration {
        var configuration = server
            ? TLSConfiguration.makeServerConfigurationWithMTLS(
                certificateChain: certificateChain.map { .certificate($0) }, privateKey: .privateKey(privateKey),
                trustRoots: .certificates(trustRoots))
            : TLSConfiguration.makeClientConfiguration()
        if !server {
            configuration.certificateChain = certificateChain.map { .certificate($0) }
            configuration.privateKey = certificateChain.isEmpty ? nil : .privateKey(privateKey)
            configuration.trustRoots = .certificates(trustRoots)
            configuration.certificateVerification = .fullVerification
        }
        configuration.minimumTLSVersion = .tlsv13
        return configuration
    }
}
