// SPDX-License-Identifier: Apache-2.0
// Copyright 2026 the swift-perc authors

import SRTP
import TestSupport
import Testing

/// The SRTP key derivation function (RFC 3711 4.3, AES-CM PRF 4.3.3; RFC 6188 for 192/256-bit
/// master keys): RFC 3711 Appendix B.3, RFC 6188 7.2 and 7.4, and the RFC 7714 12-byte master
/// salt (libsrtp's `test_key_gcm`, extended with two zero bytes).
@Suite struct KeyDerivationVectorTests {
    static func derive(_ key: [UInt8], _ salt: [UInt8], _ label: KeyDerivation.Label, _ length: Int) throws -> [UInt8] {
        let secret = try key.withUnsafeBytes { k in
            try salt.withUnsafeBytes { s in try KeyDerivation.derive(masterKey: k, masterSalt: s, label: label, length: length) }
        }
        return secret.withUnsafeBytes { Array($0) }
    }

    /// RFC 3711 B.3: labels 0, 1 (a 94-byte output, as the RFC walks through) and 2, each also
    /// checked against AES-CTR from the PRF input block the RFC prints.
    @Test func rfc3711AppendixB3() throws {
        let vector = try #require(try Fixtures.json("rfc3711-kdf.json").objects("vectors").first)
        let key = try vector.bytes("master_key"), salt = try vector.bytes("master_salt")
        let derived = try vector.objects("derived")
        #expect(derived.count == 3)
        for item in derived {
            let label = try #require(KeyDerivation.Label(rawValue: UInt8(try item.int("label"))))
            let length = try item.int("length_octets")
            let output = try Self.derive(key, salt, label, length)
            #expect(output == (try item.bytes("output")), "label \(label)")
            // The PRF input the RFC prints: the master salt with the label XORed in at byte 7.
            let block = try item.bytes("prf_input")
            var expectedBlock = salt + [0, 0]
            expectedBlock[7] ^= label.rawValue
            #expect(block == expectedBlock)
            let ctr = try #require(key.withUnsafeBytes { KernelAESCTR(key: $0, backend: .default) })
            var stream = [UInt8](repeating: 0, count: length)
            stream.withUnsafeMutableBytes { o in
                block.withUnsafeBytes { _ = ctr.apply(iv: $0.baseAddress!, input: o.baseAddress!, output: o.baseAddress!, count: length) }
            }
            #expect(stream == output)
        }
        // SRTCP labels 3-5 (not in the RFC; computed with the label at byte 7, erratum 3712).
        let srtcp = try vector.object("srtcp_keys_not_in_rfc")
        #expect(try Self.derive(key, salt, .srtcpEncryption, 16) == srtcp.bytes("srtcp_encryption_key"))
        #expect(try Self.derive(key, salt, .srtcpAuthentication, 20) == srtcp.bytes("srtcp_authentication_key"))
        #expect(try Self.derive(key, salt, .srtcpSalt, 14) == srtcp.bytes("srtcp_salting_key"))
    }

    /// RFC 6188 7.2 (AES_256_CM_PRF) and 7.4 (AES_192_CM_PRF). The AES-192 case is a KDF
    /// check only (there is no AES-192 profile); libsrtp is not the oracle here (its #763).
    @Test func rfc6188() throws {
        let vectors = try Fixtures.json("rfc6188-kdf.json").objects("vectors")
        #expect(vectors.count == 2)
        for vector in vectors {
            let key = try vector.bytes("master_key"), salt = try vector.bytes("master_salt")
            let name = try vector.string("section")
            #expect(try Self.derive(key, salt, .srtpEncryption, key.count) == vector.bytes("srtp_encryption_key"), "\(name)")
            #expect(try Self.derive(key, salt, .srtpAuthentication, 20) == vector.bytes("srtp_authentication_key"), "\(name)")
            #expect(try Self.derive(key, salt, .srtpSalt, 14) == vector.bytes("srtp_salting_key"), "\(name)")
            let srtcp = try vector.object("srtcp_keys_not_in_rfc")
            #expect(try Self.derive(key, salt, .srtcpEncryption, key.count) == srtcp.bytes("srtcp_encryption_key"), "\(name)")
            #expect(try Self.derive(key, salt, .srtcpAuthentication, 20) == srtcp.bytes("srtcp_authentication_key"), "\(name)")
            #expect(try Self.derive(key, salt, .srtcpSalt, 14) == srtcp.bytes("srtcp_salting_key"), "\(name)")
        }
    }

    /// RFC 7714 GCM master salts are 12 bytes; the KDF runs on the salt with two zero bytes
    /// appended (libsrtp, pion, browsers), and the derived salts are cut to 12 bytes.
    @Test func gcmTwelveByteMasterSalt() throws {
        let fixture = try Fixtures.json("libsrtp-gcm128.json")
        let key = try fixture.bytes("master_key"), salt = try fixture.bytes("master_salt")
        #expect(salt.count == 12)
        #expect(salt + [0, 0] == (try fixture.bytes("kdf_salt_input_14_octets")))
        let expected = try fixture.object("derived_session_keys")
        #expect(try Self.derive(key, salt, .srtpEncryption, 16) == expected.bytes("srtp_encryption_key"))
        #expect(try Self.derive(key, salt, .srtpSalt, 12) == expected.bytes("srtp_salt_12"))
        #expect(try Self.derive(key, salt, .srtcpEncryption, 16) == expected.bytes("srtcp_encryption_key"))
        #expect(try Self.derive(key, salt, .srtcpSalt, 12) == expected.bytes("srtcp_salt_12"))
        // The literal right-aligned reading (zeros prepended) gives other keys.
        #expect(try Self.derive(key, [0, 0] + salt, .srtpEncryption, 16) != expected.bytes("srtp_encryption_key"))
    }

    /// Lengths the KDF refuses.
    @Test func badLengths() throws {
        #expect(throws: SRTPError.invalidKeyLength(expected: 16, actual: 15)) {
            try Self.derive([UInt8](repeating: 1, count: 15), [UInt8](repeating: 2, count: 14), .srtpEncryption, 16)
        }
        #expect(throws: SRTPError.invalidSaltLength(expected: 14, actual: 13)) {
            try Self.derive([UInt8](repeating: 1, count: 16), [UInt8](repeating: 2, count: 13), .srtpEncryption, 16)
        }
    }
}
