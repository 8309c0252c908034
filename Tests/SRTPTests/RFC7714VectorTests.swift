// SPDX-License-Identifier: Apache-2.0
// Copyright 2026 the swift-perc authors

import SRTP
import TestSupport
import Testing

/// The RFC 7714 AEAD_AES_128_GCM / AEAD_AES_256_GCM examples: SRTP (sections 16.1, 17.1) and
/// SRTCP encrypted (E=1) and authentication-only (E=0) (16.2, 17.2). They start from session
/// keys, so the sender and receiver are built from session keys (no KDF). Each checks the
/// IV recipe, the AAD (through the GCM kernel), and the whole packet both ways.
@Suite struct RFC7714VectorTests {
    static func keys(_ vector: [String: Any], profile: ProtectionProfile) throws -> SRTPKeys {
        let session = SessionKeys(encryptionKey: SecretBytes(try vector.bytes("session_key")), authenticationKey: nil,
                                  salt: SecretBytes(try vector.bytes("session_salt")))
        return try SRTPKeys(profile: profile, rtp: session, rtcp: session, mki: nil, backend: .default)
    }

    static func profile(_ vector: [String: Any]) throws -> ProtectionProfile {
        try #require(ProtectionProfile(name: try vector.string("aead")))
    }

    /// GCM seal through the kernel with the AAD and IV the file gives: ciphertext || tag.
    static func seal(_ vector: [String: Any], plaintext: [UInt8]) throws -> [UInt8] {
        let key = try vector.bytes("session_key"), iv = try vector.bytes("iv"), aad = try vector.bytes("aad")
        let gcm = try #require(key.withUnsafeBytes { KernelAESGCM(key: $0, backend: .default) })
        var out = [UInt8](repeating: 0, count: plaintext.count + 16)
        let sealed = out.withUnsafeMutableBytes { o in
            iv.withUnsafeBytes { i in
                aad.withUnsafeBytes { a in
                    plaintext.withUnsafeBytes { p in
                        gcm.seal(iv: i.baseAddress!, aad: a, input: p.baseAddress ?? i.baseAddress!, output: o.baseAddress!,
                                 count: plaintext.count, tag: o.baseAddress! + plaintext.count)
                    }
                }
            }
        }
        #expect(sealed)
        return out
    }

    @Test(arguments: ["rfc7714-srtp-gcm128.json", "rfc7714-srtp-gcm256.json"])
    func srtp(file: String) throws {
        let vector = try #require(try Fixtures.json(file).objects("vectors").first)
        let profile = try Self.profile(vector)
        let keys = try Self.keys(vector, profile: profile)
        let ssrc = try #require(UInt32(try vector.string("ssrc"), radix: 16))
        let index = UInt64(try vector.int("roc")) << 16 | UInt64(try vector.int("seq"))
        #expect(index == UInt64(try vector.int("packet_index")))

        // IV = salt ^ (00 00 || SSRC || ROC || SEQ) (RFC 7714 8.1).
        let iv = keys.rtp.withRTPNonce(ssrc: ssrc, index: index) { Array(UnsafeRawBufferPointer(start: $0, count: 12)) }
        #expect(iv == (try vector.bytes("iv")))
        // AAD = the RTP header (here the 12 fixed bytes).
        let packet = try vector.bytes("rtp_packet")
        let headerLength = try packet.withUnsafeBytes { try RTPHeaderView($0).headerLength }
        #expect(Array(packet.prefix(headerLength)) == (try vector.bytes("aad")))
        #expect(try Self.seal(vector, plaintext: vector.bytes("rtp_payload_plaintext")) == vector.bytes("ciphertext") + vector.bytes("tag"))

        var configuration = SRTPConfiguration()
        configuration.initialROC = UInt32(try vector.int("roc"))
        let sender = try SRTPSender(keys: keys, configuration: configuration)
        let receiver = try SRTPReceiver(keys: Self.keys(vector, profile: profile), configuration: configuration)
        let expected = try vector.bytes("srtp_packet")
        #expect(try sender.protect(packet) == expected)
        #expect(try receiver.unprotect(expected) == packet)
        #expect(receiver.rolloverCounter(for: ssrc) == configuration.initialROC)
    }

    @Test(arguments: ["rfc7714-srtcp-gcm128.json", "rfc7714-srtcp-gcm256.json"])
    func srtcp(file: String) throws {
        let vectors = try Fixtures.json(file).objects("vectors")
        #expect(Set(try vectors.map { try $0.int("e_flag") }) == [0, 1])
        for vector in vectors {
            let profile = try Self.profile(vector)
            let keys = try Self.keys(vector, profile: profile)
            let ssrc = try #require(UInt32(try vector.string("ssrc"), radix: 16))
            let index = UInt32(try vector.int("srtcp_index"))
            let encrypted = try vector.int("e_flag") == 1
            let packet = try vector.bytes("rtcp_packet")
            let word = try vector.bytes("esrtcp_word")
            #expect(word == [UInt8(index >> 24) | (encrypted ? 0x80 : 0), UInt8(index >> 16 & 0xFF), UInt8(index >> 8 & 0xFF), UInt8(index & 0xFF)])

            // IV = salt ^ (00 00 || SSRC || 00 00 || 0 || index) (RFC 7714 9.1).
            let iv = keys.rtcp.withRTCPNonce(ssrc: ssrc, index: index) { Array(UnsafeRawBufferPointer(start: $0, count: 12)) }
            #expect(iv == (try vector.bytes("iv")))
            // AAD: the first 8 bytes || ESRTCP word (E=1), or the whole packet || word (E=0).
            let aad = try vector.bytes("aad")
            #expect(aad == (encrypted ? Array(packet.prefix(8)) : packet) + word)
            let plaintext = encrypted ? Array(packet.dropFirst(8)) : []
            #expect(try Self.seal(vector, plaintext: plaintext) == vector.bytes("ciphertext") + vector.bytes("tag"))

            var configuration = SRTPConfiguration()
            configuration.initialSRTCPIndex = index
            configuration.encryptSRTCP = encrypted
            let sender = try SRTPSender(keys: keys, configuration: configuration)
            let receiver = try SRTPReceiver(keys: Self.keys(vector, profile: profile))
            let expected = try vector.bytes("srtcp_packet")
            #expect(try sender.protectRTCP(packet) == expected, "\(file) E=\(encrypted ? 1 : 0)")
            #expect(try receiver.unprotectRTCP(expected) == packet, "\(file) E=\(encrypted ? 1 : 0)")
            // The E bit is authenticated: flipping it must fail, not switch the layout.
            var flipped = expected
            flipped[flipped.count - 4] ^= 0x80
            let fresh = try SRTPReceiver(keys: Self.keys(vector, profile: profile))
            #expect(throws: SRTPError.authenticationFailed(ssrc: ssrc)) { try fresh.unprotectRTCP(flipped) }
        }
    }
}
