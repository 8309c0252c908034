// SPDX-License-Identifier: Apache-2.0
// Copyright 2026 the swift-perc authors

import DTLS
import Foundation
import PERC
import PERCTunnel
import SRTP

/// The Key Distributor of RFC 8871 as a transport-agnostic state machine: tunnel events in
/// (SupportedProfiles, TunneledDtls, EndpointDisconnect, timer ticks), actions out (DTLS to
/// relay back, MediaKeys for the media distributor, EndpointDisconnect).
///
/// Per association it runs a DTLS-SRTP server offering only the double profiles the
/// tunnelling media distributor supports. When the handshake completes it checks the
/// endpoint's certificate fingerprint and `external_session_id` against the conference
/// registry, sends MediaKeys with the OUTER halves only, then the conference's EKTKey
/// (inside DTLS, opaque to the media distributor). Membership changes drive the rekey
/// policy; a rekey sends a fresh EKTKey (new SPI, key and salt) to every current member.
///
/// One thread at a time may use an instance (the tunnel server's event loop).
public final class KeyDistributor {
    /// What the tunnel should send.
    public enum Action: Equatable {
        /// DTLS records for the endpoint of `association` (a TunneledDtls message).
        case sendDTLS(tunnel: Int, association: AssociationID, datagram: [UInt8])
        /// The hop-by-hop keys of an association (a MediaKeys message).
        case sendMediaKeys(tunnel: Int, association: AssociationID, keys: HopKeys)
        /// The association is over (an EndpointDisconnect message).
        case disconnect(tunnel: Int, association: AssociationID)
    }

    /// The hop-by-hop halves MediaKeys carries (RFC 9185 5.3; RFC 8871 6.2).
    public struct HopKeys: Equatable, Sendable {
        public let profile: UInt16
        public let clientKey: [UInt8]
        public let serverKey: [UInt8]
        public let clientSalt: [UInt8]
        public let serverSalt: [UInt8]
    }

    /// Settings of the Key Distributor.
    public struct Configuration: Sendable {
        public var identity: DTLSIdentity
        /// Our `external_session_id` (RFC 8844), returned to every endpoint (20...255 bytes).
        public var sessionID: [UInt8]
        public var policy: RekeyPolicy
        public var ektCipher: EKTCipher
        /// EKTKey lifetime in seconds; keys are renewed at half of it.
        public var ektTTL: UInt32

        public init(identity: DTLSIdentity, sessionID: [UInt8], policy: RekeyPolicy = RekeyPolicy(),
                    ektCipher: EKTCipher = .aesKeyWrap128, ektTTL: UInt32 = 86_400) {
            self.identity = identity
            self.sessionID = sessionID
            self.policy = policy
            self.ektCipher = ektCipher
            self.ektTTL = ektTTL
        }
    }

    public let configuration: Configuration
    public let registry: ConferenceRegistry
    private var tunnels: [Int: [UInt16]] = [:]
    private var associations: [AssociationID: Association] = [:]
    private var conferences: [String: Conference] = [:]
    private let spis = SPIAllocator()
    private let clock = ContinuousClock()
    private let start: ContinuousClock.Instant

    private struct Association {
        let tunnel: Int
        let dtls: DTLSConnection
        var conference: String?
        var member = false
    }

    private struct Conference {
        var keys: EKTKeySchedule
        var rekeys: RekeySchedule
        var members: Set<AssociationID> = []
    }

    public init(configuration: Configuration, registry: ConferenceRegistry) {
        self.configuration = configuration
        self.registry = registry
        start = clock.now
    }

    /// Rekeys carried out per conference so far.
    public func rekeyCount(conference: String) -> Int { conferences[conference]?.rekeys.rekeys ?? 0 }

    /// Current members (associations that acknowledged an EKTKey) of `conference`.
    public func memberCount(conference: String) -> Int { conferences[conference]?.members.count ?? 0 }

    /// The SPI of `conference`'s current EKTKey.
    public func currentSPI(conference: String) -> UInt16? { conferences[conference]?.keys.current.spi }

    // MARK: Tunnel events

    /// A media distributor's tunnel announced its profiles (its first message).
    public func tunnelOpened(_ tunnel: Int, profiles: [UInt16]) {
        tunnels[tunnel] = profiles.filter { $0 == 0x0009 || $0 == 0x000A }
    }

    /// A tunnel closed: its associations end (the media distributor reconnects and the
    /// endpoints' DTLS state stays valid only on this side, so they are dropped).
    public func tunnelClosed(_ tunnel: Int, now: ContinuousClock.Instant) -> [Action] {
        tunnels[tunnel] = nil
        let gone = associations.filter { $0.value.tunnel == tunnel }.map(\.key)
        return gone.flatMap { drop($0, now: now, notify: false) }
    }

    /// DTLS from an endpoint, relayed by a media distributor.
    public func receiveDTLS(tunnel: Int, association id: AssociationID, datagram: [UInt8],
                            now: ContinuousClock.Instant) -> [Action] {
        guard let profiles = tunnels[tunnel], !profiles.isEmpty else {
            return [.disconnect(tunnel: tunnel, association: id)]   // no SupportedProfiles yet
        }
        if associations[id] == nil {
            var dtls = DTLSConfiguration(role: .server, identity: configuration.identity,
                                         srtpProfiles: profiles.map { SRTPProtectionProfileID(rawValue: $0) },
                                         ektCiphers: [configuration.ektCipher.dtlsCipher],
                                         externalSessionID: configuration.sessionID)
            dtls.requestClientCertificate = true
            guard let connection = try? DTLSConnection(configuration: dtls) else {
                return [.disconnect(tunnel: tunnel, association: id)]
            }
            associations[id] = Association(tunnel: tunnel, dtls: connection)
        }
        guard let association = associations[id] else { return [] }
        let events = association.dtls.receive(datagram: datagram, now: now)
        return handle(events, association: id, now: now)
    }

    /// The media distributor reports that the endpoint of `association` is gone.
    public func endpointDisconnected(association id: AssociationID, now: ContinuousClock.Instant) -> [Action] {
        drop(id, now: now, notify: false)
    }

    /// Retransmissions, due rekeys and EKTKey renewals; call at ``nextDeadline`` or
    /// periodically.
    public func tick(now: ContinuousClock.Instant) -> [Action] {
        var actions: [Action] = []
        for (id, association) in associations {
            actions += handle(association.dtls.handleTimer(now: now), association: id, now: now)
        }
        let seconds = self.seconds(now)
        for name in Array(conferences.keys) {
            guard var conference = conferences[name] else { continue }
            let due = conference.rekeys.due(at: seconds)
            if due || conference.keys.needsRenewal(at: seconds) {
                _ = try? conference.keys.rotate(at: seconds)
                conferences[name] = conference
                actions += distribute(conference: name, now: now)
            } else {
                conferences[name] = conference
            }
        }
        return actions
    }

    /// When ``tick(now:)`` next has work, if any.
    public var nextDeadline: ContinuousClock.Instant? {
        var deadline = associations.values.compactMap(\.dtls.nextDeadline).min()
        for conference in conferences.values {
            if let due = conference.rekeys.dueTime {
                let instant = start.advanced(by: .milliseconds(Int64(due * 1000)))
                deadline = min(deadline ?? instant, instant)
            }
        }
        return deadline
    }

    // MARK: Internals

    private func handle(_ events: [DTLSEvent], association id: AssociationID, now: ContinuousClock.Instant) -> [Action] {
        guard let association = associations[id] else { return [] }
        var actions: [Action] = []
        for event in events {
            switch event {
            case .handshakeCompleted:
                actions += outgoing(id)
                actions += admit(id, now: now)
            case .ektKeyAcknowledged:
                if associations[id]?.member == false, let conference = associations[id]?.conference {
                    associations[id]?.member = true
                    conferences[conference]?.members.insert(id)
                    conferences[conference]?.rekeys.joined(at: seconds(now))
                }
            case .closed, .failed:
                actions += outgoing(id)
                actions += drop(id, now: now, notify: true)
                return actions
            case .applicationData, .ektKeyReceived, .warningReceived:
                break
            }
        }
        _ = association
        return actions + outgoing(id)
    }

    /// After the handshake: authorise the endpoint, then MediaKeys and the EKTKey.
    private func admit(_ id: AssociationID, now: ContinuousClock.Instant) -> [Action] {
        guard let association = associations[id] else { return [] }
        let dtls = association.dtls
        guard let certificate = dtls.peerCertificateDER,
              let registration = try? registry.authorize(
                  fingerprint: CertificateFingerprint(certificateDER: certificate).hex,
                  externalSessionID: dtls.peerExternalSessionID),
              let material = try? dtls.srtpKeyingMaterial(),
              let profile = DoubleProfile.allCases.first(where: { $0.dtlsIdentifier == material.profile.rawValue })
        else {
            dtls.close()
            return outgoing(id) + drop(id, now: now, notify: true)
        }
        associations[id]?.conference = registration.conference
        if conferences[registration.conference] == nil {
            guard let keys = try? EKTKeySchedule(cipher: configuration.ektCipher, ttl: configuration.ektTTL,
                                                 now: seconds(now), allocator: spis) else { return [] }
            conferences[registration.conference] = Conference(keys: keys, rekeys: RekeySchedule(policy: configuration.policy))
        }
        let outer = { (bytes: [UInt8], half: Int) in Array(bytes[half...]) }
        let keys = HopKeys(profile: profile.dtlsIdentifier,
                           clientKey: outer(material.clientMasterKey, profile.halfKeyLength),
                           serverKey: outer(material.serverMasterKey, profile.halfKeyLength),
                           clientSalt: outer(material.clientMasterSalt, profile.halfSaltLength),
                           serverSalt: outer(material.serverMasterSalt, profile.halfSaltLength))
        var actions: [Action] = [.sendMediaKeys(tunnel: association.tunnel, association: id, keys: keys)]
        if let current = conferences[registration.conference]?.keys.current {
            try? dtls.sendEKTKey(current.dtlsKey, now: now)
        }
        actions += outgoing(id)
        return actions
    }

    /// Sends the conference's current EKTKey to every member (a rekey or renewal).
    private func distribute(conference name: String, now: ContinuousClock.Instant) -> [Action] {
        guard let conference = conferences[name] else { return [] }
        var actions: [Action] = []
        for id in associations.filter({ $0.value.conference == name }).map(\.key) {
            try? associations[id]?.dtls.sendEKTKey(conference.keys.current.dtlsKey, now: now)
            actions += outgoing(id)
        }
        return actions
    }

    private func drop(_ id: AssociationID, now: ContinuousClock.Instant, notify: Bool) -> [Action] {
        guard let association = associations.removeValue(forKey: id) else { return [] }
        if let name = association.conference, association.member {
            conferences[name]?.members.remove(id)
            conferences[name]?.rekeys.left(at: seconds(now))
        }
        return notify ? [.disconnect(tunnel: association.tunnel, association: id)] : []
    }

    private func outgoing(_ id: AssociationID) -> [Action] {
        guard let association = associations[id] else { return [] }
        return association.dtls.takeOutgoingDatagrams().map {
            .sendDTLS(tunnel: association.tunnel, association: id, datagram: $0)
        }
    }

    private func seconds(_ now: ContinuousClock.Instant) -> Double {
        let elapsed = now - start
        return Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) * 1e-18
    }
}

extension EKTCipher {
    /// The DTLS module's name for this cipher (the same wire value).
    var dtlsCipher: EKTCipherType { self == .aesKeyWrap128 ? .aeskw128 : .aeskw256 }
}

extension EKTParameterSet {
    /// This set as a DTLS EKTKey message.
    var dtlsKey: EKTKey {
        key.withUnsafeBytes { try! EKTKey(key: Array($0), masterSalt: masterSalt, spi: spi, ttl: ttl) }
    }
}
