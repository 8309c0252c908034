// SPDX-License-Identifier: Apache-2.0
// Copyright 2026 the swift-perc authors

/// After the handshake: the exporter, EKTKey and its ACK, application data and close_notify.
extension DTLSConnection {
    /// The RFC 5705 exporter (no context value).
    /// - Throws: `DTLSError.notConnected` before the handshake completed.
    public func exportKeyingMaterial(label: String, length: Int) throws -> [UInt8] {
        guard step == .done, !masterSecret.isEmpty else { throw DTLSError.notConnected }
        guard length > 0, length <= 1 << 16 else { throw DTLSError.invalidConfiguration("exporter length must be 1...65536") }
        return TLSPRF.export(masterSecret: masterSecret, label: label, clientRandom: clientRandom, serverRandom: serverRandom, length: length)
    }

    /// The DTLS-SRTP keying material for the selected profile (label `EXTRACTOR-dtls_srtp`).
    /// - Throws: `DTLSError.notConnected` before the handshake completed.
    public func srtpKeyingMaterial() throws -> DTLSSRTPKeyingMaterial {
        guard let selectedProfile else { throw DTLSError.notConnected }
        let exported = try exportKeyingMaterial(label: "EXTRACTOR-dtls_srtp", length: selectedProfile.keyingMaterialLength)
        return try DTLSSRTPKeyingMaterial(profile: selectedProfile, exported: exported)
    }

    /// The server sends an EKTKey (RFC 8870 5.2) and retransmits it until the client's ACK;
    /// `.ektKeyAcknowledged` reports the ACK. A new call replaces an unacknowledged EKTKey.
    /// - Throws: `DTLSError.ektNotNegotiated` for a client or when EKT was not negotiated,
    ///   `DTLSError.notConnected` before the handshake completed, and
    ///   `DTLSError.invalidConfiguration` when the key length does not fit the EKT cipher.
    public func sendEKTKey(_ key: EKTKey, now: ContinuousClock.Instant) throws {
        guard configuration.role == .server, let ektCipher else { throw DTLSError.ektNotNegotiated }
        guard state == .connected else { throw DTLSError.notConnected }
        guard key.key.count == ektCipher.keyLength else {
            throw DTLSError.invalidConfiguration("\(ektCipher) needs a \(ektCipher.keyLength)-byte EKT key, got \(key.key.count)")
        }
        let pending = PendingEKTKey(key: key, messageSeq: sendMessageSeq, recordSets: [])
        sendMessageSeq &+= 1
        pendingEKTKey = pending
        transmitEKTKey(pending)
        ektTimer.arm(now: now, initial: configuration.initialRetransmissionTimeout)
    }

    func transmitEKTKey(_ pending: PendingEKTKey) {
        var packer = DatagramPacker(maximumSize: configuration.maximumDatagramSize)
        let numbers = pack(handshake: .ektKey, messageSeq: pending.messageSeq, body: pending.key.bytes, epoch: 1, into: &packer)
        outbox += packer.finish()
        pendingEKTKey?.recordSets.append(numbers)
    }

    /// The client's side: check the EKTKey, report it and acknowledge the records it came in.
    func processEKTKey(_ message: HandshakeMessage) throws {
        guard let ektCipher else { throw Abort(.unexpectedMessage, "EKTKey without a negotiated EKT cipher") }
        let key: EKTKey
        do {
            key = try EKTKey(parsing: message.body)
        } catch {
            throw Abort(.decodeError, "malformed EKTKey")
        }
        guard key.key.count == ektCipher.keyLength else {
            throw Abort(.illegalParameter, "EKTKey holds a \(key.key.count)-byte key for \(ektCipher)")
        }
        events.append(.ektKeyReceived(key))
        sendAck(message.recordNumbers)
    }

    func sendAck(_ numbers: [RecordNumber]) {
        let record = makeRecord(type: .ack, epoch: 1, payload: DTLSAck(recordNumbers: numbers).bytes)
        outbox.append(record.bytes)
    }

    /// The server's side: an ACK naming a record that carried the pending EKTKey completes it.
    /// The client acknowledges only a whole, processed EKTKey, so one record suffices.
    func processAck(_ ack: DTLSAck) throws {
        guard configuration.role == .server, let pending = pendingEKTKey else { return }
        let acknowledged = Set(ack.recordNumbers)
        guard pending.recordSets.contains(where: { set in set.contains(where: acknowledged.contains) }) else { return }
        pendingEKTKey = nil
        ektTimer.stop()
        events.append(.ektKeyAcknowledged(spi: pending.key.spi))
    }

    /// Sends application data in one record (epoch 1).
    /// - Throws: `DTLSError.notConnected` before the handshake completed or after close,
    ///   `DTLSError.invalidConfiguration` when it does not fit in one datagram.
    public func sendApplicationData(_ data: [UInt8]) throws {
        guard state == .connected else { throw DTLSError.notConnected }
        let room = configuration.maximumDatagramSize - DTLSRecord.headerLength - RecordProtection.overhead
        guard data.count <= room else { throw DTLSError.invalidConfiguration("application data must fit one datagram (\(room) bytes)") }
        outbox.append(makeRecord(type: .applicationData, epoch: 1, payload: data).bytes)
    }

    /// Sends close_notify and closes the association.
    public func close() {
        guard state == .connected || state == .handshaking else { return }
        sendAlert(DTLSAlert(level: .warning, description: .closeNotify))
        state = .closed
        flightTimer.stop()
        ektTimer.stop()
    }
}
