// SPDX-License-Identifier: Apache-2.0
// Copyright 2026 the swift-perc authors

import DTLS
import MediaDistributor
import PERC
import SRTP

/// A PERC endpoint on the network (RFC 8871 4.5): registers with the conference service,
/// joins the media distributor's media plane with a STUN Binding (`conference:participant`),
/// runs the DTLS-SRTP client handshake with the Key Distributor through the distributor on the
/// same 5-tuple (double profiles, EKT, `external_session_id` = its tls-id, its self-signed
/// certificate), installs EKTKeys through ``EndpointKeying``, then sends and receives
/// double-protected media whose payloads (``MediaPayload``) it verifies. Once joined it checks
/// consent (``ConsentFreshness``); when the media distributor stops answering it joins again
/// (``outages``).
///
/// The endpoint does no blocking I/O after ``register()`` and owns no thread: a driver calls
/// ``service(now:)`` when ``descriptor`` is readable or a few milliseconds have passed, and
/// ``sendMedia(stream:sequence:payloadLength:marker:)`` on its traffic schedule. Many
/// endpoints can share one driver thread. Not thread-safe: one driver owns it.
///
/// ```swift
/// let endpoint = try ConferenceEndpoint(configuration: .init(conference: "standup", participant: "alice",
///     sender: 1, mediaDistributor: HostPort("[::1]:5004")!, conferenceService: HostPort("http://[::1]:8080")!))
/// try endpoint.register()
/// try endpoint.join(now: .now)
/// // loop: endpoint.service(now: .now); if endpoint.phase == .keyed { endpoint.sendMedia(...) }
/// ```
public final class ConferenceEndpoint {
    /// Who the endpoint is and where it goes.
    public struct Configuration: Sendable {
        /// The conference to join.
        public var conference: String
        /// This participant's name (unique in the conference).
        public var participant: String
        /// This endpoint's number in a run: written into every payload, and the base of its SSRCs.
        public var sender: UInt32
        /// The media distributor's media address.
        public var mediaDistributor: HostPort
        /// The conference service (HTTP).
        public var conferenceService: HostPort
        /// Double profiles offered in `use_srtp`.
        public var profiles: [SRTPProtectionProfileID]
        /// Time between STUN Binding Requests until one is answered.
        public var bindingInterval: Duration
        /// Binding Requests sent before giving up.
        public var bindingAttempts: Int
        /// Delay between a new EKTKey and sending under it (``EndpointKeying/switchDelay``).
        public var switchDelay: Duration
        /// Every n-th packet carries a FullEKTField (``EndpointKeying/fullFieldInterval``).
        public var ektFullFieldInterval: Int
        /// Faults injected on received media datagrams; nil: none.
        public var faults: DatagramFaults?
        /// Time between consent checks (STUN Binding Requests) once joined.
        public var consentInterval: Duration
        /// Time without an answered consent check after which the media path counts as lost
        /// and the endpoint joins again (a fresh binding, DTLS handshake and keys); nil: never.
        public var pathLossTimeout: Duration?
        /// How long an endpoint keeps trying to join again after losing the path before it
        /// gives up.
        public var rejoinTimeout: Duration
        /// NACK-driven retransmission of video (Generic NACK, RTX); nil: off.
        public var retransmission: RetransmissionSettings?

        /// A configuration; see the properties for each value.
        public init(conference: String, participant: String, sender: UInt32, mediaDistributor: HostPort,
                    conferenceService: HostPort,
                    profiles: [SRTPProtectionProfileID] = [.doubleAeadAes128Gcm, .doubleAeadAes256Gcm],
                    bindingInterval: Duration = .milliseconds(100), bindingAttempts: Int = 50,
                    switchDelay: Duration = .milliseconds(250), ektFullFieldInterval: Int = 5,
                    faults: DatagramFaults? = nil, retransmission: RetransmissionSettings? = nil,
                    consentInterval: Duration = .milliseconds(500), pathLossTimeout: Duration? = .seconds(2),
                    rejoinTimeout: Duration = .seconds(60)) {
            self.conference = conference
            self.participant = participant
            self.sender = sender
            self.mediaDistributor = mediaDistributor
            self.conferenceService = conferenceService
            self.profiles = profiles
            self.bindingInterval = bindingInterval
            self.bindingAttempts = bindingAttempts
            self.switchDelay = switchDelay
            self.ektFullFieldInterval = ektFullFieldInterval
            self.faults = faults
            self.consentInterval = consentInterval
            self.pathLossTimeout = pathLossTimeout
            self.rejoinTimeout = rejoinTimeout
            self.retransmission = retransmission
        }
    }

    /// Where the endpoint stands.
    public enum Phase: Equatable, Sendable {
        /// Made; not registered or not joined yet.
        case idle
        /// Sending STUN Binding Requests.
        case binding
        /// Running the DTLS-SRTP handshake with the Key Distributor.
        case handshaking
        /// Has an EKTKey and hop keys: sends and receives media.
        case keyed
        /// Left the conference; the socket is closed.
        case left
        /// Gave up (the reason).
        case failed(String)
    }

    /// The settings.
    public let configuration: Configuration
    /// The endpoint's DTLS certificate and key (self-signed; its fingerprint is registered).
    public let identity: DTLSIdentity
    /// The tls-id sent as `external_session_id` (32 hex characters).
    public let tlsID: String
    /// Where the endpoint stands.
    public private(set) var phase: Phase = .idle
    /// What it counted.
    public private(set) var statistics = EndpointStatistics()
    /// Its keys, once the first EKTKey arrived.
    public private(set) var keying: EndpointKeying?
    /// `MediaPayload.now()` when ``register()`` started.
    public private(set) var registeredAt: UInt64?
    /// `MediaPayload.now()` when the first EKTKey was installed.
    public private(set) var keyedAt: UInt64?
    /// `MediaPayload.now()` when the first verified media packet arrived.
    public private(set) var firstMediaAt: UInt64?
    /// `MediaPayload.now()` when the endpoint left.
    public private(set) var leftAt: UInt64?
    /// `MediaPayload.now()` when the latest verified media packet arrived.
    public private(set) var lastMediaAt: UInt64?
    /// Every time the media path was lost and the endpoint joined again, oldest first.
    public private(set) var outages: [PathOutage] = []
    /// SPIs of the EKTKeys received, in order.
    public private(set) var ektSPIs: [UInt16] = []
    /// `MediaPayload.now()` when each of ``ektSPIs`` arrived.
    public private(set) var ektKeyTimes: [UInt64] = []
    /// The SPI in the FullEKTField of the media packet being delivered to ``onMedia`` (nil
    /// when it carried a ShortEKTField).
    public private(set) var lastMediaSPI: UInt16?
    /// What the configured ``Configuration/faults`` did.
    public var injectedFaults: InjectedFaults { faults?.injected ?? InjectedFaults() }
    /// Whether the media packet being delivered to ``onMedia`` is a retransmission (RTX)
    /// that filled a hole: its payload is the original's (stream, sequence, send time).
    public private(set) var lastMediaIsRetransmission = false
    /// What the NACK/RTX loop counted (zero without ``Configuration/retransmission``).
    public var retransmissionStatistics: RetransmissionStatistics { retransmission?.statistics ?? .init() }
    /// Called for every verified media packet with its payload and arrival time.
    public var onMedia: ((MediaPayload, UInt64) -> Void)?

    private var dtls: DTLSConnection
    private var socket: MediaSocket?
    private var transaction: [UInt8] = []
    private var bindingsSent = 0
    private var lastBinding: ContinuousClock.Instant?
    private var consent: ConsentFreshness?
    private var rejoinDeadline: ContinuousClock.Instant?
    private var rekeysBeforeRejoins = 0
    /// What the keying before the last rejoin announced (the next key goes above its epoch).
    private var announcedBeforeRejoin: EKTAnnouncement?
    private var buffer = [UInt8](repeating: 0, count: 2048)
    private var faults: FaultInjector?
    private let retransmission: RetransmissionLoop?

    /// Makes the endpoint's identity, tls-id and DTLS client (nothing is sent yet).
    /// - Throws: ``EndpointError/keying(_:)`` when the certificate or DTLS client cannot be made.
    public init(configuration: Configuration) throws(EndpointError) {
        self.configuration = configuration
        faults = configuration.faults.flatMap { $0.isActive ? FaultInjector(faults: $0) : nil }
        retransmission = configuration.retransmission.map { RetransmissionLoop(settings: $0, sender: configuration.sender) }
        var rng = SystemRandomNumberGenerator()
        tlsID = (0..<16).map { _ in
            let byte = UInt8.random(in: 0...255, using: &rng)
            return String(byte >> 4, radix: 16) + String(byte & 0x0F, radix: 16)
        }.joined()
        do {
            identity = try DTLSIdentity.selfSigned(commonName: configuration.participant)
        } catch {
            throw .keying("\(error)")
        }
        dtls = try Self.dtlsClient(configuration: configuration, identity: identity, tlsID: tlsID)
    }

    /// A DTLS-SRTP client for one join: the endpoint's identity, profiles and tls-id.
    private static func dtlsClient(configuration: Configuration, identity: DTLSIdentity,
                                   tlsID: String) throws(EndpointError) -> DTLSConnection {
        do {
            return try DTLSConnection(configuration: DTLSConfiguration(
                role: .client, identity: identity, srtpProfiles: configuration.profiles, ektCiphers: [.aeskw128],
                externalSessionID: Array(tlsID.utf8)))
        } catch {
            throw .keying("\(error)")
        }
    }

    /// The media socket's descriptor for `poll`; -1 before ``join(now:)`` and after leaving.
    public var descriptor: Int32 { socket?.descriptor ?? -1 }

    /// The SSRC of this endpoint's `stream`.
    public func ssrc(stream: UInt8) -> UInt32 { Self.ssrc(sender: configuration.sender, stream: stream) }

    /// The SSRC of `sender`'s `stream`: unique per sender (below 2^24) and stream (below 16).
    public static func ssrc(sender: UInt32, stream: UInt8) -> UInt32 {
        0x1000_0000 | (sender & 0x00FF_FFFF) << 4 | UInt32(stream & 0x0F)
    }

    /// Time from the start of ``register()`` to the first verified media, once there was some.
    public var joinTime: Duration? {
        guard let registeredAt, let firstMediaAt else { return nil }
        return .nanoseconds(Int64(firstMediaAt - registeredAt))
    }

    /// Registers with the conference service (blocking, one HTTP request): participant,
    /// certificate fingerprint (SHA-256) and tls-id.
    /// - Throws: ``EndpointError`` when the service refuses or cannot be reached.
    public func register() throws(EndpointError) {
        registeredAt = MediaPayload.now()
        try ConferenceServiceClient(address: configuration.conferenceService)
            .register(conference: configuration.conference, participant: configuration.participant,
                      fingerprint: identity.fingerprint.hex, tlsID: tlsID)
    }

    /// Opens the media socket and sends the first STUN Binding Request.
    /// - Throws: ``EndpointError`` when the distributor's address does not resolve or the
    ///   socket cannot be opened.
    public func join(now: ContinuousClock.Instant) throws(EndpointError) {
        guard phase == .idle else { return }
        socket = try MediaSocket(host: configuration.mediaDistributor.host, port: configuration.mediaDistributor.port)
        var rng = SystemRandomNumberGenerator()
        transaction = (0..<12).map { _ in UInt8.random(in: 0...255, using: &rng) }
        phase = .binding
        sendBinding(now: now)
    }

    /// Reads every waiting datagram (STUN, DTLS, SRTP), runs due timers (STUN and DTLS
    /// retransmissions, the end-to-end key switch) and sends what they produce.
    public func service(now: ContinuousClock.Instant) {
        guard let socket else { return }
        while true {
            let count = buffer.withUnsafeMutableBytes { socket.receive(into: $0) }
            guard let count else { break }
            guard count > 0 else { continue }
            if faults != nil, phase == .keyed, (128...191).contains(buffer[0]) {
                for datagram in faults!.arrived(Array(buffer[0..<count]), now: now) { handle(datagram: datagram, now: now) }
            } else {
                handle(datagram: Array(buffer[0..<count]), now: now)
            }
        }
        if let late = faults?.expired(now: now) { handle(datagram: late, now: now) }
        switch phase {
        case .binding:
            if let lastBinding, now - lastBinding >= configuration.bindingInterval {
                if rejoinDeadline.map({ now >= $0 }) ?? (bindingsSent >= configuration.bindingAttempts) {
                    fail(EndpointError.bindingTimeout.description)
                } else {
                    sendBinding(now: now)
                }
            }
        case .handshaking, .keyed:
            if checkConsent(now: now) { return }
            if let deadline = dtls.nextDeadline, deadline <= now { handle(dtls.handleTimer(now: now), now: now) }
            do throws(SRTPError) { try keying?.tick(now: now) } catch { fail("end-to-end rekey: \(error)") }
            if let keying { statistics.endToEndRekeys = rekeysBeforeRejoins + keying.rekeys }
            if phase == .keyed { sendFeedback() }
        case .idle, .left, .failed:
            break
        }
    }

    /// Sends one double-protected RTP packet on `stream` carrying a ``MediaPayload`` of
    /// `payloadLength` bytes.
    /// - Returns: the payload's send time, or nil when the endpoint is not keyed or the
    ///   packet could not be protected or sent (counted in ``statistics``).
    @discardableResult
    public func sendMedia(stream: UInt8, sequence: UInt32, payloadLength: Int, marker: Bool = false) -> UInt64? {
        guard phase == .keyed, let sender = keying?.sender, let socket else { return nil }
        let sendTime = MediaPayload.now()
        let payload = MediaPayload(sender: configuration.sender, stream: stream, sequence: sequence,
                                   sendTime: sendTime, length: payloadLength)
        let streamSSRC = self.ssrc(stream: stream)
        let rtpSequence = UInt16(truncatingIfNeeded: sequence)
        let timestamp = UInt32(truncatingIfNeeded: sendTime / 11_111)   // about 90 kHz
        let payloadType: UInt8 = stream == 0 ? 111 : 96
        var packet: [UInt8] = [0x80, marker ? 0x80 | payloadType : payloadType,
                               UInt8(rtpSequence >> 8), UInt8(truncatingIfNeeded: rtpSequence)]
        for value in [timestamp, streamSSRC] {
            packet += [UInt8(value >> 24), UInt8(truncatingIfNeeded: value >> 16),
                       UInt8(truncatingIfNeeded: value >> 8), UInt8(truncatingIfNeeded: value)]
        }
        packet += payload.bytes
        let protected: [UInt8]
        do throws(SRTPError) { protected = try sender.protect(packet) } catch {
            statistics.otherErrors += 1
            return nil
        }
        guard socket.send(protected) else {
            statistics.sendFailures += 1
            return nil
        }
        statistics.packetsSent += 1
        retransmission?.sent(stream: stream, rtpSequence: rtpSequence, payload: payload, marker: marker)
        return sendTime
    }

    /// Leaves: sends DTLS close_notify (the Key Distributor ends the association, which a
    /// rekey-on-leave policy turns into a rekey), stops sending and closes the socket. The
    /// end-to-end keys go with the keying.
    public func leave() {
        guard socket != nil else { return }
        if phase == .handshaking || phase == .keyed {
            dtls.close()
            flushDTLS()
        }
        socket?.close()
        socket = nil
        keying = nil
        leftAt = MediaPayload.now()
        if case .failed = phase { return }
        phase = .left
    }

    // MARK: Receiving

    private func handle(datagram: [UInt8], now: ContinuousClock.Instant) {
        switch datagram[0] {
        case 0...3:
            guard let success = datagram.withUnsafeBytes({ STUNBinding.parseSuccess($0) }) else { return }
            if phase != .binding {
                consent?.answered(transactionID: success.transactionID)
                return
            }
            guard success.transactionID == transaction else { return }
            phase = .handshaking
            consent = configuration.pathLossTimeout.map {
                ConsentFreshness(interval: configuration.consentInterval, timeout: $0, now: now)
            }
            do { try dtls.startHandshake(now: now) } catch { return fail("\(error)") }
            flushDTLS()
        case 20...63:
            handle(dtls.receive(datagram: datagram, now: now), now: now)
        case 128...191:
            guard datagram.count >= 2 else { return }
            if (192...223).contains(datagram[1]) { receiveControl(datagram) } else { receiveMedia(datagram) }
        default:
            break
        }
    }

    private func handle(_ events: [DTLSEvent], now: ContinuousClock.Instant) {
        for event in events {
            switch event {
            case .ektKeyReceived(let key):
                install(key, now: now)
            case .failed(let error):
                fail("\(error)")
            case .closed:
                fail("the Key Distributor closed the association")
            case .handshakeCompleted, .applicationData, .ektKeyAcknowledged, .warningReceived:
                break
            }
        }
        flushDTLS()
    }

    private func install(_ key: EKTKey, now: ContinuousClock.Instant) {
        do {
            if keying == nil {
                keying = try EndpointKeying(material: try dtls.srtpKeyingMaterial(), switchDelay: configuration.switchDelay,
                                            fullFieldInterval: configuration.ektFullFieldInterval,
                                            previous: announcedBeforeRejoin)
            }
            try keying?.install(key, now: now)
        } catch {
            return fail(EndpointError.keying("\(error)").description)
        }
        if phase == .handshaking {
            phase = .keyed
            if keyedAt == nil { keyedAt = MediaPayload.now() }
            if rejoinDeadline != nil {
                rejoinDeadline = nil
                outages[outages.count - 1].keyedAt = MediaPayload.now()
            }
        }
        // After joining again, the conference's EKTKey is usually the one held before.
        guard key.spi != ektSPIs.last else { return }
        statistics.ektKeysReceived += 1
        ektSPIs.append(key.spi)
        ektKeyTimes.append(MediaPayload.now())
    }

    private func receiveMedia(_ datagram: [UInt8]) {
        guard let receiver = keying?.receiver else {
            statistics.unkeyedDrops += 1
            return
        }
        let packet: [UInt8]
        do throws(SRTPError) { packet = try receiver.unprotect(datagram) } catch {
            switch error {
            case .authenticationFailed: statistics.hbhAuthenticationFailures += 1
            case .inner(.authenticationFailed): statistics.e2eAuthenticationFailures += 1
            case .replayed, .tooOld, .inner(.replayed), .inner(.tooOld): statistics.replayed += 1
            case .unknownEKTKey: statistics.unknownEKTKey += 1
            default: statistics.otherErrors += 1
            }
            return
        }
        var headerLength = 12 + 4 * Int(packet[0] & 0x0F)
        if packet[0] & 0x10 != 0, packet.count >= headerLength + 4 {
            headerLength += 4 + 4 * (Int(packet[headerLength + 2]) << 8 | Int(packet[headerLength + 3]))
        }
        let ssrc = UInt32(packet[8]) << 24 | UInt32(packet[9]) << 16 | UInt32(packet[10]) << 8 | UInt32(packet[11])
        if RTXPacket.repairedStream(UInt8(ssrc & 0x0F)) != nil {
            return receiveRetransmission(packet, headerLength: headerLength, datagram: datagram)
        }
        // The payload must be intact and name the stream it came on, and not be our own.
        guard headerLength <= packet.count, let payload = MediaPayload(verifying: packet[headerLength...]),
              Self.ssrc(sender: payload.sender, stream: payload.stream) == ssrc, payload.sender != configuration.sender
        else {
            statistics.contentMismatches += 1
            return
        }
        let arrival = MediaPayload.now()
        retransmission?.received(ssrc: ssrc, stream: payload.stream, rtpSequence: UInt16(packet[2]) << 8 | UInt16(packet[3]),
                                 now: arrival)
        deliver(payload, arrival: arrival, datagram: datagram, retransmitted: false)
    }

    private func deliver(_ payload: MediaPayload, arrival: UInt64, datagram: [UInt8], retransmitted: Bool) {
        lastMediaSPI = datagram.withUnsafeBytes { bytes in
            if case .full(let field)? = try? EKTField.parse(endOf: bytes) { return field.spi }
            return nil
        }
        lastMediaIsRetransmission = retransmitted
        statistics.packetsReceived += 1
        if firstMediaAt == nil { firstMediaAt = arrival }
        lastMediaAt = arrival
        if let last = outages.indices.last, outages[last].firstMediaAt == nil { outages[last].firstMediaAt = arrival }
        onMedia?(payload, arrival)
    }

    // MARK: Path loss

    /// Sends a due consent check; on a lost path joins again. True when it did.
    private func checkConsent(now: ContinuousClock.Instant) -> Bool {
        guard var consent else { return false }
        if consent.isLost(now: now) {
            rejoin(now: now)
            return true
        }
        if let transaction = consent.requestDue(now: now) {
            // No `conference:participant`: a distributor that does not know this address
            // (it restarted) leaves a consent check unanswered instead of binding it anew.
            socket?.send(STUNBinding.request(username: "consent", transactionID: transaction))
        }
        self.consent = consent
        return false
    }

    /// Acts as if the path to the media distributor had just been lost (a NAT rebinding, a
    /// network change): joins again from a new socket, as after unanswered consent checks.
    /// For load runs and tests that break a path while the distributor stays up.
    /// - Returns: whether there was a path to lose (the endpoint was joining or joined).
    @discardableResult
    package func pathLost(now: ContinuousClock.Instant) -> Bool {
        guard phase == .handshaking || phase == .keyed else { return false }
        rejoin(now: now)
        return true
    }

    /// The media distributor stopped answering (it died or restarted and forgot this
    /// endpoint, or the path broke): drop the association's keys and join again under the
    /// same registration from a new socket (a new 5-tuple, so a distributor that still holds
    /// the old association sees a new one, and lets the old one expire), with a new Binding
    /// and DTLS handshake.
    private func rejoin(now: ContinuousClock.Instant) {
        outages.append(PathOutage(lastMediaAt: lastMediaAt, detectedAt: MediaPayload.now()))
        statistics.rejoins += 1
        rekeysBeforeRejoins = statistics.endToEndRekeys
        if let announced = keying?.announcement { announcedBeforeRejoin = announced }
        socket?.close()
        do throws(EndpointError) {
            dtls = try Self.dtlsClient(configuration: configuration, identity: identity, tlsID: tlsID)
            socket = try MediaSocket(host: configuration.mediaDistributor.host, port: configuration.mediaDistributor.port)
        } catch {
            socket = nil
            return fail(error.description)
        }
        keying = nil
        consent = nil
        rejoinDeadline = now.advanced(by: configuration.rejoinTimeout)
        var rng = SystemRandomNumberGenerator()
        transaction = (0..<12).map { _ in UInt8.random(in: 0...255, using: &rng) }
        bindingsSent = 0
        phase = .binding
        sendBinding(now: now)
    }

    // MARK: Retransmission (Generic NACK and RTX)

    /// Opens SRTCP (hop-by-hop only, RFC 8723 7) and answers the Generic NACKs in it that ask
    /// for this endpoint's video with RTX packets.
    private func receiveControl(_ datagram: [UInt8]) {
        guard let retransmission, let keying else { return }
        let compound: [UInt8]
        do throws(SRTPError) { compound = try keying.rtcpReceiver.unprotectRTCP(datagram) } catch {
            switch error {
            case .authenticationFailed: statistics.hbhAuthenticationFailures += 1
            case .replayed, .tooOld: statistics.replayed += 1
            default: statistics.otherErrors += 1
            }
            return
        }
        var sent = 0
        for packet in retransmission.answer(compound, now: MediaPayload.now()) where sendProtected(packet) { sent += 1 }
        retransmission.countSent(sent)
    }

    /// An opened RTX packet: delivered as its original when it fills a hole, else dropped
    /// (counted by the loop, not as media or a duplicate).
    private func receiveRetransmission(_ packet: [UInt8], headerLength: Int, datagram: [UInt8]) {
        guard let retransmission else { return }
        let arrival = MediaPayload.now()
        switch retransmission.repair(packet, headerLength: headerLength, now: arrival) {
        case .recovered(let payload): deliver(payload, arrival: arrival, datagram: datagram, retransmitted: true)
        case .notNeeded: break
        case .invalid: statistics.contentMismatches += 1
        }
    }

    /// Sends the Generic NACKs that are due, as SRTCP from this endpoint's stream-0 SSRC.
    private func sendFeedback() {
        guard let retransmission, let keying, let socket else { return }
        for compound in retransmission.feedback(from: ssrc(stream: 0), now: MediaPayload.now()) {
            do throws(SRTPError) {
                if !socket.send(try keying.rtcpSender.protectRTCP(compound)) { statistics.sendFailures += 1 }
            } catch {
                statistics.otherErrors += 1
            }
        }
    }

    /// Double-protects and sends one RTP packet; whether it left.
    private func sendProtected(_ packet: [UInt8]) -> Bool {
        guard let sender = keying?.sender, let socket else { return false }
        do throws(SRTPError) {
            guard socket.send(try sender.protect(packet)) else {
                statistics.sendFailures += 1
                return false
            }
            return true
        } catch {
            statistics.otherErrors += 1
            return false
        }
    }

    // MARK: Sending control

    private func sendBinding(now: ContinuousClock.Instant) {
        socket?.send(STUNBinding.request(username: "\(configuration.conference):\(configuration.participant)",
                                          transactionID: transaction))
        bindingsSent += 1
        lastBinding = now
    }

    private func flushDTLS() {
        for datagram in dtls.takeOutgoingDatagrams() { socket?.send(datagram) }
    }

    private func fail(_ reason: String) {
        phase = .failed(reason)
    }
}

/// One loss of the media path and the join that followed (`MediaPayload.now()` times).
public struct PathOutage: Sendable, Equatable {
    /// The last verified media before the path was lost (nil: none had arrived).
    public var lastMediaAt: UInt64?
    /// When consent checks had gone unanswered for the path-loss timeout.
    public var detectedAt: UInt64
    /// When the new association had its first EKTKey.
    public var keyedAt: UInt64?
    /// The first verified media after joining again.
    public var firstMediaAt: UInt64?

    /// Time without verified media: from the last packet before the loss to the first after.
    public var mediaGap: Duration? {
        guard let lastMediaAt, let firstMediaAt else { return nil }
        return .nanoseconds(Int64(firstMediaAt - lastMediaAt))
    }
}
