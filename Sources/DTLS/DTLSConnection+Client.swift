// SPDX-License-Identifier: Apache-2.0
// Copyright 2026 the swift-perc authors

import Crypto

/// The client's side of the handshake (RFC 6347 4.2.4 flights 1, 3 and 5).
extension DTLSConnection {
    /// Sends the first ClientHello. Only for a client, and only once.
    /// - Throws: `DTLSError.invalidConfiguration` for a server or a second call.
    public func startHandshake(now: ContinuousClock.Instant) throws {
        guard configuration.role == .client, step == .clientIdle else {
            throw DTLSError.invalidConfiguration("startHandshake is for a client that has not started")
        }
        clientRandom = randomHelloRandom()
        step = .clientWaitServerHello
        sendClientHello(cookie: [], now: now)
    }

    private func clientHelloExtensions() -> HelloExtensions {
        var extensions = HelloExtensions()
        extensions.append(ExtensionType.supportedGroups, ExtensionCodec.uint16List([CipherSuite.secp256r1]))
        extensions.append(ExtensionType.ecPointFormats, ExtensionCodec.vector8([0]))
        extensions.append(ExtensionType.signatureAlgorithms, ExtensionCodec.uint16List([CipherSuite.ecdsaSecp256r1SHA256]))
        extensions.append(ExtensionType.useSRTP, UseSRTPExtension(profiles: configuration.srtpProfiles).bytes)
        extensions.append(ExtensionType.extendedMasterSecret, [])
        extensions.append(ExtensionType.renegotiationInfo, ExtensionCodec.vector8([]))
        if !configuration.ektCiphers.isEmpty {
            extensions.append(ExtensionType.supportedEKTCiphers, ExtensionCodec.vector8(configuration.ektCiphers.map(\.rawValue)))
        }
        if let id = configuration.externalSessionID {
            extensions.append(ExtensionType.externalSessionID, ExtensionCodec.vector8(id))
        }
        return extensions
    }

    private func sendClientHello(cookie: [UInt8], now: ContinuousClock.Instant) {
        let hello = ClientHello(random: clientRandom, cookie: cookie, cipherSuites: [CipherSuite.ecdheECDSAWithAES128GCMSHA256],
                                extensions: clientHelloExtensions())
        // The ClientHello enters the transcript only once the ServerHello shows it was the one
        // answered (RFC 6347 4.2.1: the first ClientHello and HelloVerifyRequest are left out).
        let entry = ourMessage(.clientHello, hello.bytes, epoch: 0, inTranscript: false)
        if case .handshake(_, let seq, let body, _) = entry {
            clientHelloBody = HandshakeFragment.serialize(type: HandshakeType.clientHello.rawValue, messageSeq: seq, body: body, offset: 0, count: body.count)
        }
        sendFlight([entry], now: now, expectsAnswer: true)
    }

    func processAsClient(_ message: HandshakeMessage, now: ContinuousClock.Instant) throws {
        guard let type = HandshakeType(rawValue: message.type) else {
            throw Abort(.unexpectedMessage, "unknown handshake message type \(message.type)")
        }
        let expectedEpoch: UInt16 = (type == .finished || step == .done) ? 1 : 0
        guard message.epoch == expectedEpoch else {
            throw Abort(.unexpectedMessage, "handshake message \(type) in epoch \(message.epoch)")
        }
        switch (step, type) {
        case (.clientWaitServerHello, .helloVerifyRequest):
            let request = try HelloVerifyRequest(parsing: message.body)
            helloVerifyRequests += 1
            guard helloVerifyRequests <= 4 else { throw Abort(.unexpectedMessage, "too many HelloVerifyRequests") }
            sendClientHello(cookie: request.cookie, now: now)
        case (.clientWaitServerHello, .serverHello):
            try processServerHello(try ServerHello(parsing: message.body))
            transcript = clientHelloBody + message.transcriptBytes
            step = .clientWaitCertificate
        case (.clientWaitCertificate, .certificate):
            let certificate = try CertificateMessage(parsing: message.body)
            guard let leaf = certificate.certificates.first else { throw Abort(.badCertificate, "the server sent no certificate") }
            try acceptPeerCertificate(leaf)
            transcript += message.transcriptBytes
            step = .clientWaitServerKeyExchange
        case (.clientWaitServerKeyExchange, .serverKeyExchange):
            try processServerKeyExchange(try ServerKeyExchange(parsing: message.body))
            transcript += message.transcriptBytes
            step = .clientWaitCertificateRequestOrDone
        case (.clientWaitCertificateRequestOrDone, .certificateRequest):
            _ = try CertificateRequest(parsing: message.body)
            clientCertificateRequested = true
            transcript += message.transcriptBytes
            step = .clientWaitServerHelloDone
        case (.clientWaitCertificateRequestOrDone, .serverHelloDone), (.clientWaitServerHelloDone, .serverHelloDone):
            guard message.body.isEmpty else { throw Abort(.decodeError, "ServerHelloDone is not empty") }
            transcript += message.transcriptBytes
            try sendClientFinishedFlight(now: now)
        case (.clientWaitFinished, .finished):
            guard constantTimeEqual(message.body, verifyData(fromClient: false)) else {
                throw Abort(.decryptError, "the server's Finished does not verify")
            }
            transcript += message.transcriptBytes
            step = .done
            state = .connected
            flight = []
            flightTimer.stop()
            events.append(.handshakeCompleted)
        case (.done, .ektKey):
            try processEKTKey(message)
        case (.done, .helloRequest):
            sendAlert(DTLSAlert(level: .warning, description: .noRenegotiation))
        default:
            throw Abort(.unexpectedMessage, "unexpected handshake message \(type)")
        }
    }

    private func processServerHello(_ hello: ServerHello) throws {
        guard hello.version == ProtocolVersion.dtls12 else { throw Abort(.protocolVersion, "the server chose a version other than DTLS 1.2") }
        guard hello.cipherSuite == CipherSuite.ecdheECDSAWithAES128GCMSHA256 else {
            throw Abort(.illegalParameter, "the server chose a cipher suite we did not offer")
        }
        guard hello.compressionMethod == 0 else { throw Abort(.illegalParameter, "the server chose compression") }
        let offered: Set<UInt16> = [ExtensionType.supportedGroups, ExtensionType.ecPointFormats, ExtensionType.signatureAlgorithms,
                                    ExtensionType.useSRTP, ExtensionType.extendedMasterSecret, ExtensionType.renegotiationInfo,
                                    ExtensionType.supportedEKTCiphers, ExtensionType.externalSessionID]
        for entry in hello.extensions.entries where !offered.contains(entry.type) {
            throw Abort(.unsupportedExtension, "the server sent extension \(entry.type), which we did not offer")
        }
        guard let ems = hello.extensions[ExtensionType.extendedMasterSecret] else {
            throw Abort(.handshakeFailure, "the server does not support the extended master secret")
        }
        guard ems.isEmpty else { throw Abort(.decodeError, "malformed extended_master_secret") }
        if let info = hello.extensions[ExtensionType.renegotiationInfo] {
            guard try ExtensionCodec.parseVector8(info).isEmpty else { throw Abort(.handshakeFailure, "non-empty renegotiation_info") }
        }
        guard let srtpData = hello.extensions[ExtensionType.useSRTP] else {
            throw Abort(.handshakeFailure, "the server did not accept use_srtp")
        }
        let srtp = try UseSRTPExtension(parsing: srtpData)
        guard srtp.profiles.count == 1, let profile = srtp.profiles.first, configuration.srtpProfiles.contains(profile) else {
            throw Abort(.illegalParameter, "the server chose an SRTP profile we did not offer")
        }
        guard srtp.mki.isEmpty else { throw Abort(.illegalParameter, "the server sent an MKI we did not offer") }
        selectedProfile = profile
        if let ektData = hello.extensions[ExtensionType.supportedEKTCiphers] {
            guard ektData.count == 1, let cipher = EKTCipherType(rawValue: ektData[0]), configuration.ektCiphers.contains(cipher) else {
                throw Abort(.illegalParameter, "the server chose an EKT cipher we did not offer")
            }
            ektCipher = cipher
        }
        if let idData = hello.extensions[ExtensionType.externalSessionID] {
            guard configuration.externalSessionID != nil else {
                throw Abort(.unsupportedExtension, "the server sent external_session_id, which we did not offer")
            }
            peerExternalSessionID = try ExtensionCodec.parseVector8(idData, range: 20...255)
        }
        serverRandom = hello.random
    }

    private func processServerKeyExchange(_ exchange: ServerKeyExchange) throws {
        guard exchange.namedCurve == CipherSuite.secp256r1 else { throw Abort(.illegalParameter, "the server chose a curve other than P-256") }
        guard exchange.signatureScheme == CipherSuite.ecdsaSecp256r1SHA256 else {
            throw Abort(.illegalParameter, "the server signed with a scheme other than ecdsa_secp256r1_sha256")
        }
        guard let key = try? P256.KeyAgreement.PublicKey(x963Representation: exchange.publicKey) else {
            throw Abort(.illegalParameter, "the server's ECDH share is not a P-256 point")
        }
        guard let peerPublicKey else { throw Abort(.internalError, "no server certificate key") }
        let signed = clientRandom + serverRandom + ServerKeyExchange.parameters(namedCurve: exchange.namedCurve, publicKey: exchange.publicKey)
        guard peerPublicKey.isValidSignature(exchange.signature, for: signed) else {
            throw Abort(.decryptError, "the ServerKeyExchange signature does not verify")
        }
        peerECDHKey = key
    }

    /// Flight 5: [Certificate], ClientKeyExchange, [CertificateVerify], ChangeCipherSpec,
    /// Finished.
    private func sendClientFinishedFlight(now: ContinuousClock.Instant) throws {
        var entries: [FlightEntry] = []
        if clientCertificateRequested {
            entries.append(ourMessage(.certificate, CertificateMessage(certificates: [configuration.identity.certificateDER]).bytes, epoch: 0))
        }
        entries.append(ourMessage(.clientKeyExchange, ClientKeyExchange(publicKey: Array(ecdhKey.publicKey.x963Representation)).bytes, epoch: 0))
        try deriveKeys()
        if clientCertificateRequested {
            guard let signature = try? configuration.identity.privateKey.signature(for: transcript) else {
                throw Abort(.internalError, "cannot sign CertificateVerify")
            }
            let verify = CertificateVerify(signatureScheme: CipherSuite.ecdsaSecp256r1SHA256, signature: Array(signature.derRepresentation))
            entries.append(ourMessage(.certificateVerify, verify.bytes, epoch: 0))
        }
        entries.append(.changeCipherSpec)
        writeEpoch = 1
        entries.append(ourMessage(.finished, verifyData(fromClient: true), epoch: 1))
        step = .clientWaitFinished
        sendFlight(entries, now: now, expectsAnswer: true)
    }
}
