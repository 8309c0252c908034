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
/// **Restarts.** Made with a ``KeyDistributorStateFile``, the Key Distributor saves its
/// registrations, its SPI counter and, per conference, the EKTKey in force, its age, its
/// members' association IDs and whether a rekey was pending, after every change; a new
/// instance on the same file resumes from there. Endpoints admitted after the restart get
/// the same EKTKey as those admitted before, so both read each other's media. What a
/// restarted Key Distributor cannot do is reach the members from before the restart: their
/// DTLS sessions died with the old process, so it could not deliver a new EKTKey to them. So,
/// while any of those *restored members* remain in a conference, its rekeys (on join, on
/// leave, and the renewal at half the TTL) are held back: still pending, not dropped. A
/// restored member leaves when the media distributor reports it gone (EndpointDisconnect,
/// after its idle timeout or a conference-control leave), or when it starts a new DTLS
/// handshake on its association (then it is an ordinary joiner). When the last one has
/// left, the held rekey runs at the next tick and reaches every member. The hold-back is
/// bounded by the EKTKey's TTL: once the TTL has run out the key is replaced anyway and the
/// restored members are given up on (they no longer get the others' new end-to-end keys and
/// must rejoin). DTLS records other than a ClientHello on a restored member's association are
/// ignored (the Key Distributor has no session to read them with). The keyed members of a
/// media distributor whose tunnel closes are handled the same way (they are still in the media
/// plane, but the Key Distributor can no longer reach them): they stay counted as members, so
/// the conference's EKTKey is not replaced behind their backs, until the media distributor
/// reconnects and reports them gone, or they rejoin: on a new association too (a restarted
/// media distributor numbers associations afresh), recognised by their registration (the
/// certificate fingerprint), so that a conference whose media distributor restarted gets its
/// rekeys back as soon as its members have joined again.
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
    private var spis = SPIAllocator()
    private let clock = ContinuousClock()
    private let start: ContinuousClock.Instant
    private let persistence: StatePersistence?
    /// Whether the keying state changed since it was last saved.
    private var changed = false
    private var isShutDown = false

    private struct Association {
        let tunnel: Int
        let dtls: DTLSConnection
        var conference: String?
        var member = false
        /// The registration's certificate fingerprint, once admitted.
        var fingerprint: String?
    }

    private struct Conference {
        var keys: EKTKeySchedule
        var rekeys: RekeySchedule
        var members: Set<AssociationID> = []
        /// Members admitted before a restart: they hold `keys`, but this instance has no DTLS
        /// association with them.
        var restored: Set<AssociationID> = []
        /// Whether the current EKTKey went to anyone: then, under rekey on join, a joiner
        /// waits for the rekey its join calls for rather than get a key used before it came.
        var keyIssued = false
        /// The restored members detached from a closed tunnel, by certificate fingerprint: a
        /// new handshake under that registration ends their old association.
        var detached: [String: AssociationID] = [:]

        /// Ends the restored member `id`.
        mutating func forgetRestored(_ id: AssociationID) {
            restored.remove(id)
            detached = detached.filter { $0.value != id }
        }
    }

    /// A Key Distributor that keeps its state in memory only.
    public init(configuration: Configuration, registry: ConferenceRegistry) {
        self.configuration = configuration
        self.registry = registry
        start = clock.now
        persistence = nil
    }

    /// A Key Distributor that saves its state in `stateFile` and starts from what is saved
    /// there, if anything: registrations go into `registry`, conferences resume with their
    /// EKTKey, and their members become restored members (see the type's description).
    /// - Throws: ``KeyDistributorStateError`` when the saved state cannot be read or holds a
    ///   registration the registry refuses; nothing is changed then.
    public init(configuration: Configuration, registry: ConferenceRegistry, stateFile: KeyDistributorStateFile)
        throws(KeyDistributorStateError)
    {
        self.configuration = configuration
        self.registry = registry
        start = clock.now
        let saved = try stateFile.load()
        persistence = StatePersistence(file: stateFile, registry: registry)
        if let saved {
            let check = ConferenceRegistry()   // all or none go into `registry`
            for registration in saved.registrations {
                do { try check.register(registration) } catch {
                    throw .malformed("registration of \(registration.participant): \(error)")
                }
            }
            for registration in saved.registrations { try? registry.register(registration) }
            spis = SPIAllocator(start: saved.nextSPI)
            let age = { (createdAt: Double) in max(Self.wallClock() - createdAt, 0) }
            for conference in saved.conferences {
                let keys = EKTKeySchedule(cipher: configuration.ektCipher, ttl: configuration.ektTTL,
                                          restoring: conference.keys, createdAt: -age(conference.createdAt),
                                          allocator: spis)
                conferences[conference.name] = Conference(
                    keys: keys, rekeys: RekeySchedule(policy: configuration.policy, pendingSince: conference.rekeyPending ? 0 : nil),
                    restored: Set(conference.members), keyIssued: true)
            }
        }
        registry.observeChanges { [persistence] in persistence?.registrationsChanged() }
        changed = true
        save(now: start)
    }

    /// Rekeys carried out per conference so far.
    public func rekeyCount(conference: String) -> Int { conferences[conference]?.rekeys.rekeys ?? 0 }

    /// Current members (associations that acknowledged an EKTKey) of `conference`.
    public func memberCount(conference: String) -> Int { conferences[conference]?.members.count ?? 0 }

    /// The SPI of `conference`'s current EKTKey.
    public func currentSPI(conference: String) -> UInt16? { conferences[conference]?.keys.current.spi }

    /// Members of `conference` admitted before a restart that have not left yet (see the
    /// type's description).
    public func restoredMemberCount(conference: String) -> Int { conferences[conference]?.restored.count ?? 0 }

    /// State saves that failed so far (the Key Distributor goes on; the file keeps the last
    /// state saved).
    public var stateSaveFailures: Int { persistence?.failures ?? 0 }

    /// Saves the state one last time, then forgets every association and conference (the
    /// EKTKeys' storage is zeroed as it is released). Every later call does nothing: a
    /// tunnel that closes because the Key Distributor stops does not count as its members
    /// leaving.
    public func shutDown() {
        guard !isShutDown else { return }
        changed = true
        save(now: clock.now)
        isShutDown = true
        registry.observeChanges(nil)
        persistence?.forgetKeys()
        associations.removeAll()
        conferences.removeAll()
        tunnels.removeAll()
    }

    // MARK: Tunnel events

    /// A media distributor's tunnel announced its profiles (its first message).
    public func tunnelOpened(_ tunnel: Int, profiles: [UInt16]) {
        guard !isShutDown else { return }
        tunnels[tunnel] = profiles.filter { $0 == 0x0009 || $0 == 0x000A }
    }

    /// A tunnel closed: its associations end (the media distributor reconnects and the
    /// endpoints' DTLS state stays valid only on this side, so they are dropped).
    public func tunnelClosed(_ tunnel: Int, now: ContinuousClock.Instant) -> [Action] {
        guard !isShutDown else { return [] }
        tunnels[tunnel] = nil
        defer { save(now: now) }
        // A dropped tunnel does not mean its endpoints left: the media distributor keeps
        // forwarding with the hop keys it holds and reconnects. Its keyed members are detached
        // like members restored after a restart (their DTLS sessions are unreachable now), so
        // the conference keeps its EKTKey for them and later joiners; handshakes in progress end.
        for (id, association) in associations where association.tunnel == tunnel {
            associations.removeValue(forKey: id)
            if let name = association.conference, association.member {
                conferences[name]?.members.remove(id)
                conferences[name]?.restored.insert(id)
                if let fingerprint = association.fingerprint { conferences[name]?.detached[fingerprint] = id }
                changed = true
            }
        }
        return []
    }

    /// DTLS from an endpoint, relayed by a media distributor.
    public func receiveDTLS(tunnel: Int, association id: AssociationID, datagram: [UInt8],
                            now: ContinuousClock.Instant) -> [Action] {
        guard !isShutDown else { return [] }
        guard let profiles = tunnels[tunnel], !profiles.isEmpty else {
            return [.disconnect(tunnel: tunnel, association: id)]   // no SupportedProfiles yet
        }
        defer { save(now: now) }
        if associations[id] == nil, let name = conferences.first(where: { $0.value.restored.contains(id) })?.key {
            // A member from before a restart: only a new handshake means something to us.
            guard Self.isClientHello(datagram) else { return [] }
            conferences[name]?.forgetRestored(id)
            changed = true
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
        guard !isShutDown else { return [] }
        defer { save(now: now) }
        if let name = conferences.first(where: { $0.value.restored.contains(id) })?.key {
            conferences[name]?.forgetRestored(id)
            conferences[name]?.rekeys.left(at: seconds(now))
            changed = true
            return []
        }
        return drop(id, now: now, notify: false)
    }

    /// Retransmissions, due rekeys and EKTKey renewals; call at ``nextDeadline`` or
    /// periodically.
    public func tick(now: ContinuousClock.Instant) -> [Action] {
        guard !isShutDown else { return [] }
        defer { save(now: now) }
        var actions: [Action] = []
        for (id, association) in associations {
            actions += handle(association.dtls.handleTimer(now: now), association: id, now: now)
        }
        let seconds = self.seconds(now)
        for name in Array(conferences.keys) {
            guard var conference = conferences[name] else { continue }
            let rotate: Bool
            if conference.restored.isEmpty {
                rotate = conference.rekeys.due(at: seconds) || conference.keys.needsRenewal(at: seconds)
            } else {
                // Held back while restored members remain, except at the TTL (see above).
                rotate = conference.keys.hasExpired(at: seconds)
                if rotate { (conference.restored, conference.detached) = ([], [:]) }
            }
            if rotate, (try? conference.keys.rotate(at: seconds)) != nil {
                conference.keyIssued = false
                conferences[name] = conference
                changed = true
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
        for conference in conferences.values where conference.restored.isEmpty {
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
                    changed = true
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
        associations[id]?.fingerprint = registration.fingerprint
        // A member detached from a closed tunnel has joined again: its old association is over.
        if let old = conferences[registration.conference]?.detached[registration.fingerprint] {
            conferences[registration.conference]?.forgetRestored(old)
            changed = true
        }
        if conferences[registration.conference] == nil {
            guard let keys = try? EKTKeySchedule(cipher: configuration.ektCipher, ttl: configuration.ektTTL,
                                                 now: seconds(now), allocator: spis) else { return [] }
            conferences[registration.conference] = Conference(keys: keys, rekeys: RekeySchedule(policy: configuration.policy))
            changed = true
        }
        let outer = { (bytes: [UInt8], half: Int) in Array(bytes[half...]) }
        let keys = HopKeys(profile: profile.dtlsIdentifier,
                           clientKey: outer(material.clientMasterKey, profile.halfKeyLength),
                           serverKey: outer(material.serverMasterKey, profile.halfKeyLength),
                           clientSalt: outer(material.clientMasterSalt, profile.halfSaltLength),
                           serverSalt: outer(material.serverMasterSalt, profile.halfSaltLength))
        var actions: [Action] = [.sendMediaKeys(tunnel: association.tunnel, association: id, keys: keys)]
        let (disconnects, returning) = endReplacedAssociations(of: registration, by: id)
        actions += disconnects
        let name = registration.conference
        // A member back on a new association (its path broke) held the current key all along:
        // its return is no join, and it gets that key again at once.
        if !returning { conferences[name]?.rekeys.joined(at: seconds(now)) }
        changed = true
        // Backward secrecy under rekey on join: a key already in use is not given to a joiner,
        // who gets the next one with everyone else (after the hold-off). While restored
        // members remain, rekeys are held back (see above), so a joiner gets the current key.
        if let conference = conferences[name],
           returning || !(configuration.policy.rekeyOnJoin && conference.keyIssued && conference.restored.isEmpty) {
            try? dtls.sendEKTKey(conference.keys.dtlsKey(at: seconds(now)), now: now)
            conferences[name]?.keyIssued = true
        }
        actions += outgoing(id)
        return actions
    }

    /// Sends the conference's current EKTKey to every member (a rekey or renewal).
    private func distribute(conference name: String, now: ContinuousClock.Instant) -> [Action] {
        guard let conference = conferences[name] else { return [] }
        var actions: [Action] = []
        for id in associations.filter({ $0.value.conference == name }).map(\.key) {
            try? associations[id]?.dtls.sendEKTKey(conference.keys.dtlsKey(at: seconds(now)), now: now)
            conferences[name]?.keyIssued = true
            actions += outgoing(id)
        }
        return actions
    }

    /// Ends the other live associations of `registration`, now that `id` was admitted for it:
    /// the endpoint lost its path and joined again from a new address while the media
    /// distributor kept the old association (which would hold its SSRCs until its idle
    /// timeout). Not a leave: the member is still there, so no rekey.
    /// - Returns: the EndpointDisconnects for the media distributors, and whether one of the
    ///   ended associations was a member (holding the current EKTKey).
    private func endReplacedAssociations(of registration: Registration, by id: AssociationID)
        -> (disconnects: [Action], wasMember: Bool)
    {
        let replaced = associations.filter { other, association in
            other != id && association.conference == registration.conference
                && association.fingerprint == registration.fingerprint
        }
        for (other, association) in replaced {
            associations.removeValue(forKey: other)
            if association.member { conferences[registration.conference]?.members.remove(other) }
            changed = true
        }
        return (replaced.map { .disconnect(tunnel: $0.value.tunnel, association: $0.key) }, replaced.values.contains { $0.member })
    }

    private func drop(_ id: AssociationID, now: ContinuousClock.Instant, notify: Bool) -> [Action] {
        guard let association = associations.removeValue(forKey: id) else { return [] }
        if let name = association.conference, association.member {
            conferences[name]?.members.remove(id)
            conferences[name]?.rekeys.left(at: seconds(now))
            changed = true
        }
        return notify ? [.disconnect(tunnel: association.tunnel, association: id)] : []
    }

    private func outgoing(_ id: AssociationID) -> [Action] {
        guard let association = associations[id] else { return [] }
        return association.dtls.takeOutgoingDatagrams().map {
            .sendDTLS(tunnel: association.tunnel, association: id, datagram: $0)
        }
    }

    /// Saves the state if it changed (and a state file is configured).
    private func save(now: ContinuousClock.Instant) {
        guard changed, !isShutDown, let persistence else { return }
        changed = false
        let elapsed = seconds(now)
        let wall = Self.wallClock()
        persistence.keyingChanged(nextSPI: spis.upcoming, conferences: conferences.map { name, conference in
            KeyDistributorState.Conference(
                name: name, keys: conference.keys.current, createdAt: wall - (elapsed - conference.keys.createdAt),
                members: Array(conference.members.union(conference.restored)),
                rekeyPending: conference.rekeys.pendingSince != nil)
        })
    }

    /// Seconds since 1970 (what ages survive a restart on).
    private static func wallClock() -> Double {
        var time = timespec()
        clock_gettime(CLOCK_REALTIME, &time)
        return Double(time.tv_sec) + Double(time.tv_nsec) * 1e-9
    }

    /// Whether `datagram` starts with a DTLS handshake record of epoch 0 carrying a ClientHello.
    private static func isClientHello(_ datagram: [UInt8]) -> Bool {
        datagram.count > 13 && datagram[0] == 22 && datagram[3] == 0 && datagram[4] == 0 && datagram[13] == 1
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

extension EKTKeySchedule {
    /// The current key as a DTLS EKTKey message whose TTL is what is left of the key at `now`
    /// (at least 1 s): a late joiner lets it expire with everyone else.
    func dtlsKey(at now: Double) -> EKTKey {
        let left = (Double(current.ttl) - (now - createdAt)).rounded(.up)
        return current.key.withUnsafeBytes {
            try! EKTKey(key: Array($0), masterSalt: current.masterSalt, spi: current.spi,
                        ttl: UInt32(min(max(left, 1), Double(current.ttl))))
        }
    }
}

/// Writes the Key Distributor's state: the keying part it hands over, merged with the
/// registry's current registrations. Registry changes come from the conference service's
/// threads and keying changes from the Key Distributor's, so a lock orders the writes, and
/// each write reads the registry anew (a later write never carries older registrations).
private final class StatePersistence: @unchecked Sendable {
    let file: KeyDistributorStateFile
    let registry: ConferenceRegistry
    private let lock = NSLock()
    private var nextSPI: UInt16 = 1
    private var conferences: [KeyDistributorState.Conference] = []
    private var failureCount = 0

    init(file: KeyDistributorStateFile, registry: ConferenceRegistry) {
        self.file = file
        self.registry = registry
    }

    var failures: Int { lock.withLock { failureCount } }

    func keyingChanged(nextSPI: UInt16, conferences: [KeyDistributorState.Conference]) {
        lock.withLock {
            self.nextSPI = nextSPI
            self.conferences = conferences
            write()
        }
    }

    func registrationsChanged() { lock.withLock { write() } }

    /// Drops the keying snapshot (its EKTKeys' storage is zeroed once nothing else holds it).
    func forgetKeys() { lock.withLock { conferences = [] } }

    /// Called with the lock held.
    private func write() {
        let state = KeyDistributorState(registrations: registry.all.sorted { $0.fingerprint < $1.fingerprint },
                                        nextSPI: nextSPI, conferences: conferences)
        do { try file.save(state) } catch { failureCount += 1 }
    }
}
