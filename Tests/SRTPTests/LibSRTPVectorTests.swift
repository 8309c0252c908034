// SPDX-License-Identifier: Apache-2.0
// Copyright 2026 the swift-perc authors

import SRTP
import TestSupport
import Testing

/// The full-packet vectors of libsrtp's test driver (srtp_driver.c) and the libsrtp2
/// cross-check file, through the sender and the receiver.
@Suite struct LibSRTPVectorTests {
    static let files = [
        "libsrtp-aescm128-hmac80.json", "libsrtp-gcm128.json", "libsrtp-null-hmac80.json",
        "libsrtp-aescm256-192-hmac80.json",
    ]

    @Test(arguments: files)
    func fullPacketVectors(file: String) throws {
        let fixture = try Fixtures.json(file)
        var checked = 0
        for vector in try fixture.objects("vectors") {
            guard let profile = ProtectionProfile(name: try vector.string("profile")) else { continue }
            let keys = (vector["master_key"] as? String) != nil ? vector : fixture
            var configuration = SRTPConfiguration()
            if let mki = vector["mki"] as? String, !mki.isEmpty { configuration.mki = Hex.decode(mki) }
            if let roc = vector["roc"] as? Int { configuration.initialROC = UInt32(roc) }
            if let index = vector["srtcp_index"] as? Int { configuration.initialSRTCPIndex = UInt32(index) }
            let key = try keys.bytes("master_key"), salt = try keys.bytes("master_salt")
            let sender = try SRTPSender(profile: profile, masterKey: key, masterSalt: salt, configuration: configuration)
            let receiver = try SRTPReceiver(profile: profile, masterKey: key, masterSalt: salt, configuration: configuration)
            let plain = try vector.bytes("plaintext_packet"), protected = try vector.bytes("protected_packet")
            if try vector.string("kind") == "srtcp" {
                #expect(try sender.protectRTCP(plain) == protected, "\(vector["name"] ?? "")")
                #expect(try receiver.unprotectRTCP(protected) == plain)
            } else {
                #expect(try sender.protect(plain) == protected, "\(vector["name"] ?? "")")
                #expect(try receiver.unprotect(protected) == plain)
            }
            checked += 1
        }
        #expect(checked > 0)
    }

    /// Every file's `derived_session_keys` (per file or per vector) out of our KDF.
    @Test(arguments: files)
    func derivedSessionKeys(file: String) throws {
        let fixture = try Fixtures.json(file)
        var sets: [(key: [UInt8], salt: [UInt8], keys: [String: Any])] = []
        if let keys = fixture["derived_session_keys"] as? [String: Any] {
            sets.append((try fixture.bytes("master_key"), try fixture.bytes("master_salt"), keys))
        }
        for vector in try fixture.objects("vectors") {
            if let keys = vector["derived_session_keys"] as? [String: Any] {
                sets.append((try vector.bytes("master_key"), try vector.bytes("master_salt"), keys))
            }
        }
        #expect(!sets.isEmpty)
        let labels: [(String, KeyDerivation.Label)] = [
            ("srtp_encryption_key", .srtpEncryption), ("srtp_authentication_key", .srtpAuthentication),
            ("srtp_salting_key", .srtpSalt), ("srtp_salt_12", .srtpSalt),
            ("srtcp_encryption_key", .srtcpEncryption), ("srtcp_authentication_key", .srtcpAuthentication),
            ("srtcp_salting_key", .srtcpSalt), ("srtcp_salt_12", .srtcpSalt),
        ]
        for set in sets {
            var compared = 0
            for (name, label) in labels {
                guard let expected = set.keys[name] as? String else { continue }
                let bytes = try #require(Hex.decode(expected))
                #expect(try KeyDerivationVectorTests.derive(set.key, set.salt, label, bytes.count) == bytes, "\(file) \(name)")
                compared += 1
            }
            #expect(compared >= 3)
        }
    }

    /// libsrtp's GCM vectors also print the IV and AAD (RFC 7714 8.1, 9.1, 9.2).
    @Test func gcmIVAndAAD() throws {
        let fixture = try Fixtures.json("libsrtp-gcm128.json")
        let sender = try SRTPSender(profile: .aeadAes128Gcm, masterKey: try fixture.bytes("master_key"),
                                    masterSalt: try fixture.bytes("master_salt"))
        for vector in try fixture.objects("vectors") {
            let ssrc = try #require(UInt32(try vector.string("ssrc"), radix: 16))
            let plain = try vector.bytes("plaintext_packet")
            if try vector.string("kind") == "srtcp" {
                let index = UInt32(try vector.int("srtcp_index"))
                let iv = sender.keys.rtcp.withRTCPNonce(ssrc: ssrc, index: index) { Array(UnsafeRawBufferPointer(start: $0, count: 12)) }
                #expect(iv == (try vector.bytes("iv")))
                #expect(Array(plain.prefix(8)) + [0x80, 0, 0, UInt8(index)] == (try vector.bytes("aad")))
            } else {
                let index = UInt64(try vector.int("roc")) << 16 | UInt64(try vector.int("seq"))
                let iv = sender.keys.rtp.withRTPNonce(ssrc: ssrc, index: index) { Array(UnsafeRawBufferPointer(start: $0, count: 12)) }
                #expect(iv == (try vector.bytes("iv")))
                #expect(Array(plain.prefix(12)) == (try vector.bytes("aad")))
            }
        }
    }

    /// The AES-192 packet (there is no AES-192 profile): rebuilt from our KDF, the AES-CM
    /// kernel with the RFC 3711 4.1.1 IV and HMAC-SHA1 over header || ciphertext || ROC.
    @Test func aes192PacketFromKernels() throws {
        let vector = try #require(try Fixtures.json("libsrtp-aescm256-192-hmac80.json").objects("vectors")
            .first { try $0.string("profile") == "AES_192_CM_HMAC_SHA1_80" })
        let masterKey = try vector.bytes("master_key"), masterSalt = try vector.bytes("master_salt")
        let key = try KeyDerivationVectorTests.derive(masterKey, masterSalt, .srtpEncryption, 24)
        let authKey = try KeyDerivationVectorTests.derive(masterKey, masterSalt, .srtpAuthentication, 20)
        let salt = try KeyDerivationVectorTests.derive(masterKey, masterSalt, .srtpSalt, 14)
        let ssrc = try #require(UInt32(try vector.string("ssrc"), radix: 16))
        let roc = UInt32(try vector.int("roc")), seq = UInt32(try vector.int("seq"))
        var iv = salt + [0, 0]
        for i in 0..<4 { iv[4 + i] ^= UInt8(truncatingIfNeeded: ssrc >> (24 - 8 * i)) }
        for i in 0..<4 { iv[8 + i] ^= UInt8(truncatingIfNeeded: roc >> (24 - 8 * i)) }
        iv[12] ^= UInt8(seq >> 8); iv[13] ^= UInt8(seq & 0xFF)
        var packet = try vector.bytes("plaintext_packet")
        let ctr = try #require(key.withUnsafeBytes { KernelAESCTR(key: $0, backend: .default) })
        packet.withUnsafeMutableBytes { p in
            iv.withUnsafeBytes { _ = ctr.apply(iv: $0.baseAddress!, input: p.baseAddress! + 12, output: p.baseAddress! + 12, count: p.count - 12) }
        }
        let hmac = try #require(authKey.withUnsafeBytes { KernelHMACSHA1(key: $0, backend: .default) })
        var mac = [UInt8](repeating: 0, count: 20)
        let rocBytes: [UInt8] = [UInt8(roc >> 24), UInt8(roc >> 16 & 0xFF), UInt8(roc >> 8 & 0xFF), UInt8(roc & 0xFF)]
        packet.withUnsafeBytes { p in rocBytes.withUnsafeBytes { r in mac.withUnsafeMutableBytes { hmac.authenticate(p, r, mac: $0.baseAddress!) } } }
        #expect(packet + mac.prefix(10) == (try vector.bytes("protected_packet")))
    }

    /// MKI (RFC 3711 3.1): a receiver with another MKI refuses the packet as `unknownMKI`
    /// and keeps no state; a receiver without MKI sees the MKI as payload and fails the tag.
    @Test func mkiMismatch() throws {
        let fixture = try Fixtures.json("libsrtp-aescm128-hmac80.json")
        let key = try fixture.bytes("master_key"), salt = try fixture.bytes("master_salt")
        let vectors = try fixture.objects("vectors").filter { ($0["mki"] as? String).map { !$0.isEmpty } ?? false }
        #expect(vectors.count == 2)
        for vector in vectors {
            let protected = try vector.bytes("protected_packet"), plain = try vector.bytes("plaintext_packet")
            var other = SRTPConfiguration()
            other.mki = [0xe1, 0xf9, 0x7a, 0x0e]
            let wrongMKI = try SRTPReceiver(profile: .aes128CmSha1_80, masterKey: key, masterSalt: salt, configuration: other)
            let noMKI = try SRTPReceiver(profile: .aes128CmSha1_80, masterKey: key, masterSalt: salt)
            var right = SRTPConfiguration()
            right.mki = try vector.bytes("mki")
            let rightMKI = try SRTPReceiver(profile: .aes128CmSha1_80, masterKey: key, masterSalt: salt, configuration: right)
            if try vector.string("kind") == "srtcp" {
                #expect(throws: SRTPError.unknownMKI) { try wrongMKI.unprotectRTCP(protected) }
                #expect(throws: SRTPError.authenticationFailed(ssrc: 0xcafe_babe)) { try noMKI.unprotectRTCP(protected) }
                #expect(try rightMKI.unprotectRTCP(protected) == plain)
            } else {
                #expect(throws: SRTPError.unknownMKI) { try wrongMKI.unprotect(protected) }
                #expect(wrongMKI.rolloverCounter(for: 0xcafe_babe) == nil)
                #expect(throws: SRTPError.authenticationFailed(ssrc: 0xcafe_babe)) { try noMKI.unprotect(protected) }
                #expect(try rightMKI.unprotect(protected) == plain)
            }
        }
    }

    /// The MKI is not authenticated (RFC 3711 3.1) but must match: for GCM it follows the tag.
    @Test(arguments: [ProtectionProfile.aes128CmSha1_80, .aeadAes128Gcm, .nullSha1_32, .aeadAes256Gcm])
    func mkiPlacement(profile: ProtectionProfile) throws {
        var configuration = SRTPConfiguration()
        configuration.mki = [0xAA, 0xBB, 0xCC]
        let key = [UInt8](repeating: 7, count: profile.masterKeyLength), salt = [UInt8](repeating: 9, count: profile.masterSaltLength)
        let sender = try SRTPSender(profile: profile, masterKey: key, masterSalt: salt, configuration: configuration)
        let receiver = try SRTPReceiver(profile: profile, masterKey: key, masterSalt: salt, configuration: configuration)
        let rtp: [UInt8] = [0x80, 0x60, 0x00, 0x01, 0, 0, 0, 1, 0x11, 0x22, 0x33, 0x44, 1, 2, 3, 4, 5]
        let srtp = try sender.protect(rtp)
        let mkiOffset = profile.cipher == .aesGCM ? srtp.count - 3 : rtp.count
        #expect(Array(srtp[mkiOffset..<(mkiOffset + 3)]) == [0xAA, 0xBB, 0xCC])
        #expect(try receiver.unprotect(srtp) == rtp)
        let rtcp: [UInt8] = [0x81, 0xC8, 0x00, 0x01, 0x11, 0x22, 0x33, 0x44, 9, 9, 9, 9]
        let srtcp = try sender.protectRTCP(rtcp)
        let rtcpMKIOffset = profile.cipher == .aesGCM ? srtcp.count - 3 : rtcp.count + 4
        #expect(Array(srtcp[rtcpMKIOffset..<(rtcpMKIOffset + 3)]) == [0xAA, 0xBB, 0xCC])
        #expect(try receiver.unprotectRTCP(srtcp) == rtcp)
    }
}
