// SPDX-License-Identifier: Apache-2.0
// Copyright 2026 the swift-perc authors

/// Hooks for tests that need to send what a well-behaved peer never sends.
extension DTLSConnection {
    /// Sends a fresh ClientHello under the current keys, as a client trying to renegotiate
    /// would. Only for tests of the refusal.
    func sendRenegotiationAttemptForTesting() throws {
        guard state == .connected else { throw DTLSError.notConnected }
        let hello = ClientHello(random: randomBytes(32), cookie: [], cipherSuites: [CipherSuite.ecdheECDSAWithAES128GCMSHA256], extensions: HelloExtensions())
        var packer = DatagramPacker(maximumSize: configuration.maximumDatagramSize)
        pack(handshake: .clientHello, messageSeq: sendMessageSeq, body: hello.bytes, epoch: 1, into: &packer)
        sendMessageSeq &+= 1
        outbox += packer.finish()
    }
}
