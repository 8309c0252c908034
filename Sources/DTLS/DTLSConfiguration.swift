// SPDX-License-Identifier: Apache-2.0
// Copyright 2026 the swift-perc authors

/// Which end of the handshake this side is.
public enum DTLSRole: Sendable {
    case client
    case server
}

/// Everything a `DTLSConnection` needs to know before the handshake.
public struct DTLSConfiguration: Sendable {
    /// Client or server.
    public var role: DTLSRole
    /// This side's certificate and key.
    public var identity: DTLSIdentity
    /// SRTP profiles: the client's offer (in preference order) or those the server accepts
    /// (the server picks the first of its list the client offered). Must not be empty.
    public var srtpProfiles: [SRTPProtectionProfileID]
    /// When set, the peer's certificate must have this fingerprint; when nil, any certificate
    /// is accepted (and a server also accepts a client without one).
    public var peerFingerprint: CertificateFingerprint?
    /// The client's EKT offer (most preferred first), or the ciphers the server accepts
    /// (empty: no EKT).
    public var ektCiphers: [EKTCipherType]
    /// Our `external_session_id` (RFC 8844; 20...255 bytes). The client sends it in
    /// ClientHello; the server returns it when the client sent one.
    public var externalSessionID: [UInt8]?
    /// Whether the server first answers with a HelloVerifyRequest and a cookie (RFC 6347
    /// 4.2.1). Turn off only where the transport already proves the client's address.
    public var usesCookieExchange: Bool = true
    /// Whether the server asks the client for a certificate.
    public var requestClientCertificate: Bool = true
    /// The largest datagram this side sends; handshake messages are fragmented to fit.
    public var maximumDatagramSize: Int = 1200
    /// The first retransmission timeout (RFC 6347 4.2.4.1 suggests 1 s); doubled on every
    /// retransmission up to `maximumRetransmissionTimeout`.
    public var initialRetransmissionTimeout: Duration = .seconds(1)
    /// The largest retransmission timeout.
    public var maximumRetransmissionTimeout: Duration = .seconds(60)
    /// How often a flight or an EKTKey is retransmitted before giving up.
    public var maximumRetransmissions: Int = 8

    /// A configuration with defaults for everything but the role, identity and profiles.
    public init(role: DTLSRole, identity: DTLSIdentity, srtpProfiles: [SRTPProtectionProfileID] = SRTPProtectionProfileID.allKnown,
                peerFingerprint: CertificateFingerprint? = nil, ektCiphers: [EKTCipherType] = [], externalSessionID: [UInt8]? = nil) {
        self.role = role
        self.identity = identity
        self.srtpProfiles = srtpProfiles
        self.peerFingerprint = peerFingerprint
        self.ektCiphers = ektCiphers
        self.externalSessionID = externalSessionID
    }

    func validate() throws {
        guard !srtpProfiles.isEmpty, srtpProfiles.count < 32768 else { throw DTLSError.invalidConfiguration("srtpProfiles must list 1...32767 profiles") }
        if let id = externalSessionID, !(20...255).contains(id.count) {
            throw DTLSError.invalidConfiguration("externalSessionID must be 20...255 bytes")
        }
        guard maximumDatagramSize >= 128, maximumDatagramSize <= 65507 else { throw DTLSError.invalidConfiguration("maximumDatagramSize must be 128...65507") }
        guard maximumRetransmissions >= 0 else { throw DTLSError.invalidConfiguration("maximumRetransmissions must not be negative") }
    }
}

/// What `DTLSConnection` reports to its owner.
public enum DTLSEvent: Sendable, Equatable {
    /// The handshake finished; keys, profile and exporter are available.
    case handshakeCompleted
    /// Application data arrived (epoch 1).
    case applicationData([UInt8])
    /// The client received (and acknowledged) an EKTKey.
    case ektKeyReceived(EKTKey)
    /// The server's EKTKey with this SPI was acknowledged by the client.
    case ektKeyAcknowledged(spi: UInt16)
    /// The peer sent a warning alert (other than close_notify).
    case warningReceived(DTLSAlert.Description)
    /// The peer closed the association with close_notify.
    case closed
    /// The association failed: a fatal alert either way, or a timeout.
    case failed(DTLSError)
}
