// SPDX-License-Identifier: Apache-2.0
// Copyright 2026 the swift-perc authors

import Crypto

/// The server's side of the handshake (RFC 6347 4.2.4 flights 2, 4 and 6).
extension DTLSConnection {
    func processAsServer(_ message: HandshakeMessage, now: ContinuousClock.Instant) throws {
        guard let type = HandshakeType(rawValue: message.type) else {
            throw Abort(.unexpectedMessage, "unknown handshake message type \(message.type)")
        }
        if step == .serverWaitClientHello {
            // Before the cookie checks out the server keeps no state (RFC 6347 4.2.1): anything
            // but a ClientHello in epoch 0 is dropped.
            guard type == .clientHello, message.epoch == 0 else { return }
            try processClientHello(message, now: now)
            return
        }
        let expectedEpoch: UInt16 = (type == .finished || step == .done) ? 1 : 0
        guard message.epoch == expectedEpoch else {
            throw Abort(.unexpectedMessage, "handshake message \(type) in epoch \(message.epoch)")
        }
        switch (step, type) {
        case (.serverWaitClientCertificate, .certificate):
            let certificate = try CertificateMessage(parsing: message.body)
            if let leaf = certificate.certificates.first {
                try acceptPeerCertificate(leaf)
            } else if configuration.peerFingerprint != nil {
                throw Abort(.handshakeFailure, "the client sent no certificate but one is required")
            }
            transcript += message.transcriptBytes
            step = .serverWaitClientKeyExchange
        case (.serverWaitClientKeyExchange, .clientKeyExchange):
            let exchange = try ClientKeyExchange(parsing: message.body)
            guard let key = try? P256.KeyAgreement.PublicKey(x963Representation: exchange.publicKey) else {
                throw Abort(.illegalParameter, "the client's ECDH share is not a P-256 point")
            }
            peerECDHKey = key
            transcript += message.transcriptBytes
            try deriveKeys()
            step = peerPublicKey == nil ? .serverWaitFinished : .serverWaitCertificateVerify
        case (.serverWaitCertificateVerify, .certificateVerify):
            let verify = try CertificateVerify(parsing: message.body)
            guard verify.signatureScheme == CipherSuite.ecdsaSecp256r1SHA256 else {
                throw Abort(.illegalParameter, "CertificateVerify uses a scheme other than ecdsa_secp256r1_sha256")
            }
            guard let peerPublicKey, peerPublicKey.isValidSignature(verify.signature, for: transcript) else {
                throw Abort(.decryptError, "the client's CertificateVerify does not verify")
            }
            transcript += message.transcriptBytes
            step = .serverWaitFinished
        case (.serverWaitFinished, .finished):
            guard constantTimeEqual(message.body, verifyData(fromClient: true)) else {
                throw Abort(.decryptError, "the client's Finished does not verify")
            }
            transcript += message.transcriptBytes
            var entries: [FlightEntry] = [.changeCipherSpec]
            writeEpoch = 1
            entries.append(ourMessage(.finished, verifyData(fromClient: false), epoch: 1))
            step = .done
            state = .connected
            // The last flight is resent only when the client repeats its own.
            sendFlight(entries, now: now, expectsAnswer: false)
            events.append(.handshakeCompleted)
        case (.done, .clientHello):
            sendAlert(DTLSAlert(level: .warning, description: .noRenegotiation))
        default:
            throw Abort(.unexpectedMessage, "unexpected handshake message \(type)")
        }
    }

    /// The cookie for a ClientHello: HMAC-SHA256 over the fields the client must repeat.
    private func cookie(for hello: ClientHello) -> [UInt8] {
        var writer = ByteWriter()
        writer.append(hello.version)
        writer.append(contentsOf: hello.random)
        writer.appendVector(lengthWidth: 1, hello.sessionID)
        hello.cipherSuites.forEach { writer.append($0) }
        writer.appendVector(lengthWidth: 1, hello.compressionMethods)
        return Array(HMAC<SHA256>.authenticationCode(for: writer.bytes, using: cookieSecret))
    }

    private func processClientHello(_ message: HandshakeMessage, now: ContinuousClock.Instant) throws {
        let hello = try ClientHello(parsing: message.body)
        let expected = cookie(for: hello)
        guard !configuration.usesCookieExchange || constantTimeEqual(hello.cookie, expected) else {
            // Stateless answer (RFC 6347 4.2.1): the HelloVerifyRequest repeats the ClientHello's
            // message_seq and record sequence number. It is small enough never to fragment.
            let request = HelloVerifyRequest(cookie: expected).bytes
            let fragment = HandshakeFragment.serialize(type: HandshakeType.helloVerifyRequest.rawValue, messageSeq: message.messageSeq,
                                                       body: request, offset: 0, count: request.count)
            outbox.append(DTLSRecord.serialize(contentType: ContentType.handshake.rawValue, epoch: 0,
                                               sequence: message.recordNumbers.last?.sequence ?? 0, body: fragment))
            return
        }
        cookieVerified = true
        // Numerically lower is newer: DTLS 1.2 is 0xFEFD, DTLS 1.0 0xFEFF.
        guard hello.version <= ProtocolVersion.dtls12 else { throw Abort(.protocolVersion, "the client does not offer DTLS 1.2") }
        guard hello.cipherSuites.contains(CipherSuite.ecdheECDSAWithAES128GCMSHA256) else {
            throw Abort(.handshakeFailure, "the client does not offer TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256")
        }
        guard hello.compressionMethods.contains(0) else { throw Abort(.illegalParameter, "the client does not offer null compression") }
        let extensions = hello.extensions
        if let groups = extensions[ExtensionType.supportedGroups] {
            guard try ExtensionCodec.parseUInt16List(groups).contains(CipherSuite.secp256r1) else {
                throw Abort(.handshakeFailure, "the client does not support P-256")
            }
        }
        if let formats = extensions[ExtensionType.ecPointFormats] {
            guard try ExtensionCodec.parseVector8(formats, range: 1...255).contains(0) else {
                throw Abort(.illegalParameter, "the client does not support uncompressed points")
            }
        }
        if let schemes = extensions[ExtensionType.signatureAlgorithms] {
            guard try ExtensionCodec.parseUInt16List(schemes).contains(CipherSuite.ecdsaSecp256r1SHA256) else {
                throw Abort(.handshakeFailure, "the client does not accept ecdsa_secp256r1_sha256")
            }
        }
        guard let ems = extensions[ExtensionType.extendedMasterSecret] else {
            throw Abort(.handshakeFailure, "the client does not offer the extended master secret")
        }
        guard ems.isEmpty else { throw Abort(.decodeError, "malformed extended_master_secret") }
        var secureRenegotiation = hello.cipherSuites.contains(CipherSuite.emptyRenegotiationInfoSCSV)
        if let info = extensions[ExtensionType.renegotiationInfo] {
            guard try ExtensionCodec.parseVector8(info).isEmpty else { throw Abort(.handshakeFailure, "non-empty renegotiation_info") }
            secureRenegotiation = true
        }
        guard let srtpData = extensions[ExtensionType.useSRTP] else { throw Abort(.handshakeFailure, "the client does not offer use_srtp") }
        let offered = try UseSRTPExtension(parsing: srtpData)
        guard let profile = configuration.srtpProfiles.first(where: { offered.profiles.contains($0) }) else {
            throw Abort(.handshakeFailure, "no SRTP protection profile in common")
        }
        selectedProfile = profile
        if let ektData = extensions[ExtensionType.supportedEKTCiphers] {
            let ciphers = try ExtensionCodec.parseVector8(ektData, range: 1...255)
            ektCipher = ciphers.compactMap(EKTCipherType.init(rawValue:)).first(where: configuration.ektCiphers.contains)
        }
        if let idData = extensions[ExtensionType.externalSessionID] {
            peerExternalSessionID = try ExtensionCodec.parseVector8(idData, range: 20...255)
        }

        // The cookie checked out: from here on the server keeps state.
        reassembler.reset(nextSeq: message.messageSeq &+ 1)
        sendMessageSeq = message.messageSeq
        // Our record numbers continue from the ClientHello's (RFC 6347 4.2.1).
        writeSequence[0] = message.recordNumbers.map(\.sequence).max() ?? 0
        clientRandom = hello.random
        serverRandom = randomHelloRandom()
        transcript = message.transcriptBytes

        var replyExtensions = HelloExtensions()
        if secureRenegotiation { replyExtensions.append(ExtensionType.renegotiationInfo, ExtensionCodec.vector8([])) }
        replyExtensions.append(ExtensionType.extendedMasterSecret, [])
        if extensions[ExtensionType.ecPointFormats] != nil { replyExtensions.append(ExtensionType.ecPointFormats, ExtensionCodec.vector8([0])) }
        replyExtensions.append(ExtensionType.useSRTP, UseSRTPExtension(profiles: [profile]).bytes)
        if let ektCipher { replyExtensions.append(ExtensionType.supportedEKTCiphers, [ektCipher.rawValue]) }
        if peerExternalSessionID != nil, let ours = configuration.externalSessionID {
            replyExtensions.append(ExtensionType.externalSessionID, ExtensionCodec.vector8(ours))
        }
        let serverHello = ServerHello(random: serverRandom, cipherSuite: CipherSuite.ecdheECDSAWithAES128GCMSHA256, extensions: replyExtensions)

        let share = Array(ecdhKey.publicKey.x963Representation)
        let signed = clientRandom + serverRandom + ServerKeyExchange.parameters(namedCurve: CipherSuite.secp256r1, publicKey: share)
        guard let signature = try? configuration.identity.privateKey.signature(for: signed) else {
            throw Abort(.internalError, "cannot sign ServerKeyExchange")
        }
        let keyExchange = ServerKeyExchange(namedCurve: CipherSuite.secp256r1, publicKey: share,
                                            signatureScheme: CipherSuite.ecdsaSecp256r1SHA256, signature: Array(signature.derRepresentation))

        var entries = [
            ourMessage(.serverHello, serverHello.bytes, epoch: 0),
            ourMessage(.certificate, CertificateMessage(certificates: [configuration.identity.certificateDER]).bytes, epoch: 0),
            ourMessage(.serverKeyExchange, keyExchange.bytes, epoch: 0),
        ]
        if configuration.requestClientCertificate {
            // certificate_types: ecdsa_sign (64).
            let request = CertificateRequest(certificateTypes: [64], signatureSchemes: [CipherSuite.ecdsaSecp256r1SHA256])
            entries.append(ourMessage(.certificateRequest, request.bytes, epoch: 0))
            step = .serverWaitClientCertificate
        } else {
            step = .serverWaitClientKeyExchange
        }
        entries.append(ourMessage(.serverHelloDone, [], epoch: 0))
        sendFlight(entries, now: now, expectsAnswer: true)
    }
}
