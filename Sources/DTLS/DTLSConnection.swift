// SPDX-License-Identifier: Apache-2.0
// Copyright 2026 the swift-perc authors

import Crypto

/// A DTLS 1.2 association for DTLS-SRTP, client or server, as a transport-agnostic state
/// machine: feed it received datagrams and timer ticks, send what `takeOutgoingDatagrams()`
/// returns, and act on the events it reports.
///
/// It speaks TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256 on P-256 with the extended master secret,
/// refuses renegotiation, and negotiates `use_srtp`, `supported_ekt_ciphers` and
/// `external_session_id`. Peers are authenticated by certificate fingerprint.
///
/// The class is not thread-safe: one owner drives it.
public final class DTLSConnection {
    /// Where the association stands.
    public enum State: Sendable, Equatable {
        case handshaking
        case connected
        case closed
        case failed(DTLSError)
    }

    /// Handshake progress: which message comes next.
    enum Step {
        case clientIdle, clientWaitServerHello, clientWaitCertificate, clientWaitServerKeyExchange
        case clientWaitCertificateRequestOrDone, clientWaitServerHelloDone, clientWaitFinished
        case serverWaitClientHello, serverWaitClientCertificate, serverWaitClientKeyExchange
        case serverWaitCertificateVerify, serverWaitFinished
        case done
    }

    /// A fatal condition found while processing input: sent as an alert.
    struct Abort: Error {
        let alert: DTLSAlert.Description
        let reason: String
        init(_ alert: DTLSAlert.Description, _ reason: String) {
            self.alert = alert
            self.reason = reason
        }
    }

    /// The configuration this association was made with.
    public let configuration: DTLSConfiguration
    /// Where the association stands.
    public internal(set) var state: State = .handshaking

    var step: Step
    var clientRandom: [UInt8] = []
    var serverRandom: [UInt8] = []
    var ecdhKey = P256.KeyAgreement.PrivateKey()
    var peerECDHKey: P256.KeyAgreement.PublicKey?
    var masterSecret: [UInt8] = []
    var transcript: [UInt8] = []
    var peerPublicKey: PeerSigningKey?
    var clientCertificateRequested = false
    var helloVerifyRequests = 0
    var cookieVerified = false
    var clientHelloBody: [UInt8] = []
    let cookieSecret = SymmetricKey(size: .bits256)

    /// The peer's certificate (DER), once received.
    public internal(set) var peerCertificateDER: [UInt8]?
    /// The SRTP protection profile both sides agreed on.
    public internal(set) var selectedProfile: SRTPProtectionProfileID?
    /// The EKT cipher both sides agreed on, if any.
    public internal(set) var ektCipher: EKTCipherType?
    /// The peer's `external_session_id` (RFC 8844), if it sent one.
    public internal(set) var peerExternalSessionID: [UInt8]?

    // Record layer.
    var writeEpoch: UInt16 = 0
    var writeSequence: [UInt64] = [0, 0]
    var writeProtection: RecordProtection?
    var readProtection: RecordProtection?
    var replayWindow = RecordReplayWindow()
    var pendingRecords: [DTLSRecord] = []
    var reassembler = HandshakeReassembler()
    var sendMessageSeq: UInt16 = 0

    // Flights.
    var flight: [FlightEntry] = []
    var flightTimer = RetransmissionTimer()
    var lastFlightTransmission: ContinuousClock.Instant?

    // EKT: the server's EKTKey waiting for its ACK.
    struct PendingEKTKey {
        let key: EKTKey
        let messageSeq: UInt16
        var recordSets: [[RecordNumber]]
    }
    var pendingEKTKey: PendingEKTKey?
    var ektTimer = RetransmissionTimer()

    var outbox: [[UInt8]] = []
    var events: [DTLSEvent] = []

    /// Creates an association; a client starts with `startHandshake(now:)`, a server waits for
    /// the first datagram.
    /// - Throws: `DTLSError.invalidConfiguration` for a bad configuration.
    public init(configuration: DTLSConfiguration) throws {
        try configuration.validate()
        self.configuration = configuration
        self.step = configuration.role == .client ? .clientIdle : .serverWaitClientHello
    }

    deinit {
        wipe(&masterSecret)
    }

    /// The earliest time `handleTimer(now:)` has work to do, if any.
    public var nextDeadline: ContinuousClock.Instant? {
        guard state == .handshaking || state == .connected else { return nil }
        switch (flightTimer.deadline, ektTimer.deadline) {
        case (let a?, let b?): return min(a, b)
        case (let a?, nil): return a
        case (nil, let b?): return b
        case (nil, nil): return nil
        }
    }

    /// The datagrams to send, in order; the queue is emptied.
    public func takeOutgoingDatagrams() -> [[UInt8]] {
        defer { outbox = [] }
        return outbox
    }

    /// Processes one received datagram (one or more records).
    /// - Returns: what happened; malformed input ends in `.failed` after a fatal alert, records
    ///   that do not authenticate are dropped silently (RFC 6347 4.1.2.7).
    public func receive(datagram: [UInt8], now: ContinuousClock.Instant) -> [DTLSEvent] {
        guard state == .handshaking || state == .connected else { return [] }
        for record in DTLSRecord.parseAll(datagram) {
            process(record: record, now: now)
            guard state == .handshaking || state == .connected else { break }
            // Records of epoch 1 that came before their keys.
            if readProtection != nil, !pendingRecords.isEmpty {
                let buffered = pendingRecords
                pendingRecords = []
                for record in buffered {
                    process(record: record, now: now)
                    guard state == .handshaking || state == .connected else { break }
                }
            }
        }
        return takeEvents()
    }

    /// Retransmits what is due (a flight or an EKTKey), or gives up after too many tries.
    public func handleTimer(now: ContinuousClock.Instant) -> [DTLSEvent] {
        guard state == .handshaking || state == .connected else { return [] }
        if flightTimer.isDue(now) {
            if flightTimer.retransmissions >= configuration.maximumRetransmissions {
                flightTimer.stop()
                enterFailure(.timeout("no answer to the handshake after \(flightTimer.retransmissions) retransmissions"))
                return takeEvents()
            }
            transmitFlight(now: now)
            flightTimer.backOff(now: now, maximum: configuration.maximumRetransmissionTimeout)
        }
        if ektTimer.isDue(now), let pending = pendingEKTKey {
            if ektTimer.retransmissions >= configuration.maximumRetransmissions {
                ektTimer.stop()
                enterFailure(.timeout("EKTKey was not acknowledged"))
                return takeEvents()
            }
            transmitEKTKey(pending)
            ektTimer.backOff(now: now, maximum: configuration.maximumRetransmissionTimeout)
        }
        return takeEvents()
    }

    func takeEvents() -> [DTLSEvent] {
        defer { events = [] }
        return events
    }

    // MARK: Record input

    func process(record: DTLSRecord, now: ContinuousClock.Instant) {
        let plaintext: [UInt8]
        switch record.epoch {
        case 0:
            plaintext = Array(record.body)
        case 1:
            guard let readProtection else {
                if pendingRecords.count < 32 { pendingRecords.append(record) }
                return
            }
            guard replayWindow.isFresh(record.sequence),
                  let opened = readProtection.open(record.body, type: record.contentType, epoch: 1, sequence: record.sequence, version: record.version)
            else { return }
            replayWindow.record(record.sequence)
            plaintext = opened
        default:
            return
        }
        do {
            try dispatch(record: record, plaintext: plaintext, now: now)
        } catch {
            let abort = error as? Abort ?? Abort(.decodeError, "malformed \(contentTypeName(record.contentType)) message")
            if step == .serverWaitClientHello && !cookieVerified {
                // No association exists before a ClientHello with a valid cookie: answer with
                // the alert, as statelessly as a HelloVerifyRequest, and keep listening.
                sendAlert(DTLSAlert(level: .fatal, description: abort.alert))
                reassembler.reset(nextSeq: 0)
            } else {
                sendFatalAlert(abort.alert, reason: abort.reason)
            }
        }
    }

    private func contentTypeName(_ type: UInt8) -> String {
        switch ContentType(rawValue: type) {
        case .handshake: return "handshake"
        case .alert: return "alert"
        case .changeCipherSpec: return "change_cipher_spec"
        case .applicationData: return "application data"
        case .ack: return "ACK"
        case nil: return "record"
        }
    }

    private func dispatch(record: DTLSRecord, plaintext: [UInt8], now: ContinuousClock.Instant) throws {
        // Once keys are in use, unauthenticated epoch-0 records may only carry handshake
        // retransmissions and ChangeCipherSpec.
        let protectedEpochsOnly = readProtection != nil && step == .done
        switch ContentType(rawValue: record.contentType) {
        case .handshake:
            let fragments = try HandshakeFragment.parseAll(plaintext[...])
            let number = RecordNumber(epoch: UInt64(record.epoch), sequence: record.sequence)
            for fragment in fragments {
                let outcome: HandshakeReassembler.Outcome
                do {
                    outcome = try reassembler.add(fragment, epoch: record.epoch, record: number)
                } catch {
                    throw Abort(.illegalParameter, "handshake fragments of message \(fragment.messageSeq) disagree")
                }
                if case .duplicate(let seq, let type) = outcome {
                    handleDuplicate(messageSeq: seq, type: type, epoch: record.epoch, record: number, now: now)
                }
            }
            try processAvailableMessages(now: now)
        case .changeCipherSpec:
            guard plaintext == [1] else { throw Abort(.decodeError, "malformed ChangeCipherSpec") }
        case .alert:
            if protectedEpochsOnly && record.epoch == 0 { return }
            // Before a valid cookie there is no association for an alert to end.
            if step == .serverWaitClientHello && !cookieVerified { return }
            let alert = try DTLSAlert(parsing: plaintext[...])
            handle(alert: alert)
        case .applicationData:
            guard record.epoch == 1, state == .connected else { return }
            events.append(.applicationData(plaintext))
        case .ack:
            guard record.epoch == 1 else { return }
            try processAck(DTLSAck(parsing: plaintext[...]))
        case nil:
            throw Abort(.unexpectedMessage, "unknown record content type \(record.contentType)")
        }
    }

    func processAvailableMessages(now: ContinuousClock.Instant) throws {
        while state == .handshaking || state == .connected {
            let message: HandshakeMessage?
            if step == .serverWaitClientHello {
                message = reassembler.anyCompleteMessage()
            } else {
                message = reassembler.nextMessage()
            }
            guard let message else { return }
            switch configuration.role {
            case .client: try processAsClient(message, now: now)
            case .server: try processAsServer(message, now: now)
            }
        }
    }

    /// A fragment of a message already processed: the peer retransmitted its flight, so ours
    /// was probably lost. Answer with our flight (at most once per quarter timeout), or with an
    /// ACK for a repeated EKTKey.
    func handleDuplicate(messageSeq: UInt16, type: UInt8, epoch: UInt16, record: RecordNumber, now: ContinuousClock.Instant) {
        if configuration.role == .client, step == .done, type == HandshakeType.ektKey.rawValue, epoch == 1, ektCipher != nil {
            sendAck([record])
            return
        }
        guard !flight.isEmpty else { return }
        if let last = lastFlightTransmission, now - last < configuration.initialRetransmissionTimeout / 4 { return }
        transmitFlight(now: now)
    }

    func handle(alert: DTLSAlert) {
        if alert.alertDescription == .closeNotify {
            if state == .connected || state == .handshaking {
                sendAlert(DTLSAlert(level: .warning, description: .closeNotify))
            }
            state = .closed
            flightTimer.stop()
            ektTimer.stop()
            events.append(.closed)
        } else if alert.level == .fatal {
            enterFailure(.alertReceived(alert.alertDescription))
        } else {
            events.append(.warningReceived(alert.alertDescription))
        }
    }

    // MARK: Record output

    /// Builds one record in `epoch`, protected when the epoch is 1.
    func makeRecord(type: ContentType, epoch: UInt16, payload: [UInt8]) -> (bytes: [UInt8], number: RecordNumber) {
        let sequence = writeSequence[Int(epoch)]
        writeSequence[Int(epoch)] += 1
        var body = payload
        if epoch == 1, let writeProtection {
            body = writeProtection.seal(payload, type: type.rawValue, epoch: 1, sequence: sequence, version: ProtocolVersion.dtls12)
        }
        let bytes = DTLSRecord.serialize(contentType: type.rawValue, epoch: epoch, sequence: sequence, body: body)
        return (bytes, RecordNumber(epoch: UInt64(epoch), sequence: sequence))
    }

    /// Appends a handshake message to `packer`, fragmented to fit; returns the record numbers.
    @discardableResult
    func pack(handshake type: HandshakeType, messageSeq: UInt16, body: [UInt8], epoch: UInt16, into packer: inout DatagramPacker) -> [RecordNumber] {
        let overhead = DTLSRecord.headerLength + HandshakeFragment.headerLength + (epoch == 1 ? RecordProtection.overhead : 0)
        var numbers: [RecordNumber] = []
        var offset = 0
        repeat {
            var room = packer.room - overhead
            if room < min(body.count - offset, 64) {
                packer.flush()
                room = packer.room - overhead
            }
            let count = min(body.count - offset, room)
            let fragment = HandshakeFragment.serialize(type: type.rawValue, messageSeq: messageSeq, body: body, offset: offset, count: count)
            let record = makeRecord(type: .handshake, epoch: epoch, payload: fragment)
            packer.add(record.bytes)
            numbers.append(record.number)
            offset += count
        } while offset < body.count
        return numbers
    }

    /// Sends (or resends) the current flight.
    func transmitFlight(now: ContinuousClock.Instant) {
        var packer = DatagramPacker(maximumSize: configuration.maximumDatagramSize)
        for entry in flight {
            switch entry {
            case .changeCipherSpec:
                packer.add(makeRecord(type: .changeCipherSpec, epoch: 0, payload: [1]).bytes)
            case .handshake(let type, let messageSeq, let body, let epoch):
                pack(handshake: type, messageSeq: messageSeq, body: body, epoch: epoch, into: &packer)
            }
        }
        outbox += packer.finish()
        lastFlightTransmission = now
    }

    /// Makes a handshake message of ours: assigns its `message_seq` and adds it to the
    /// transcript. Returns the flight entry.
    func ourMessage(_ type: HandshakeType, _ body: [UInt8], epoch: UInt16, inTranscript: Bool = true) -> FlightEntry {
        let seq = sendMessageSeq
        sendMessageSeq &+= 1
        if inTranscript {
            transcript += HandshakeFragment.serialize(type: type.rawValue, messageSeq: seq, body: body, offset: 0, count: body.count)
        }
        return .handshake(type: type, messageSeq: seq, body: body, epoch: epoch)
    }

    /// Replaces the current flight, sends it and, unless it ends the handshake, arms the timer.
    func sendFlight(_ entries: [FlightEntry], now: ContinuousClock.Instant, expectsAnswer: Bool) {
        flight = entries
        transmitFlight(now: now)
        if expectsAnswer {
            flightTimer.arm(now: now, initial: configuration.initialRetransmissionTimeout)
        } else {
            flightTimer.stop()
        }
    }

    func sendAlert(_ alert: DTLSAlert) {
        let record = makeRecord(type: .alert, epoch: writeEpoch, payload: alert.bytes)
        outbox.append(record.bytes)
    }

    /// Sends a fatal alert and fails the association.
    func sendFatalAlert(_ description: DTLSAlert.Description, reason: String) {
        sendAlert(DTLSAlert(level: .fatal, description: description))
        enterFailure(.alertSent(description, reason: reason))
    }

    func enterFailure(_ error: DTLSError) {
        state = .failed(error)
        flightTimer.stop()
        ektTimer.stop()
        events.append(.failed(error))
    }

    // MARK: Keys

    /// Derives the master secret from the ECDH shared secret and the transcript so far
    /// (through ClientKeyExchange), then the epoch-1 record keys.
    func deriveKeys() throws {
        guard let peerECDHKey else { throw Abort(.internalError, "no peer key share") }
        let shared: SharedSecret
        do {
            shared = try ecdhKey.sharedSecretFromKeyAgreement(with: peerECDHKey)
        } catch {
            throw Abort(.illegalParameter, "ECDH failed")
        }
        var preMaster = shared.withUnsafeBytes { Array($0) }
        defer { wipe(&preMaster) }
        masterSecret = TLSPRF.extendedMasterSecret(preMasterSecret: preMaster, sessionHash: Array(SHA256.hash(data: transcript)))
        var block = TLSPRF.keyBlock(masterSecret: masterSecret, clientRandom: clientRandom, serverRandom: serverRandom)
        defer { wipe(&block) }
        let client = RecordProtection(key: Array(block[0..<16]), implicitIV: Array(block[32..<36]))
        let server = RecordProtection(key: Array(block[16..<32]), implicitIV: Array(block[36..<40]))
        switch configuration.role {
        case .client:
            writeProtection = client
            readProtection = server
        case .server:
            writeProtection = server
            readProtection = client
        }
    }

    /// Finished `verify_data` for the transcript so far.
    func verifyData(fromClient: Bool) -> [UInt8] {
        TLSPRF.verifyData(masterSecret: masterSecret, isClient: fromClient, transcriptHash: Array(SHA256.hash(data: transcript)))
    }

    /// Checks the peer's certificate list: fingerprint (when configured) and a P-256 key.
    func acceptPeerCertificate(_ der: [UInt8]) throws {
        if let expected = configuration.peerFingerprint, CertificateFingerprint(certificateDER: der) != expected {
            throw Abort(.badCertificate, "the peer's certificate fingerprint does not match")
        }
        let parsed: PeerSigningKey?
        do {
            parsed = try PeerSigningKey.from(certificateDER: der)
        } catch {
            throw Abort(.badCertificate, "cannot parse the peer's certificate")
        }
        guard let key = parsed else {
            throw Abort(.unsupportedCertificate, "the peer's certificate has no ECDSA P-256/384/521 key")
        }
        peerCertificateDER = der
        peerPublicKey = key
    }

    func randomHelloRandom() -> [UInt8] { randomBytes(32) }
}
