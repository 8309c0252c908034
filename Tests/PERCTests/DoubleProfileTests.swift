// SPDX-License-Identifier: Apache-2.0
// Copyright 2026 the swift-perc authors

import PERC
import SRTP
import TestSupport
import Testing

/// The RFC 8723 profiles (10.1) and their key material: the DTLS-SRTP exporter split (RFC 5764
/// 4.2) and the inner (first) / outer (second) halves (RFC 8723 3, RFC 8871 6.2).
@Suite struct DoubleProfileTests {
    @Test func codePointsAndLengths() {
        #expect(DoubleProfile.aes128Gcm.dtlsIdentifier == 0x0009)
        #expect(DoubleProfile.aes256Gcm.dtlsIdentifier == 0x000A)
        #expect(DoubleProfile.aes128Gcm.masterKeyLength == 32 && DoubleProfile.aes256Gcm.masterKeyLength == 64)
        #expect(DoubleProfile.allCases.allSatisfy { $0.masterSaltLength == 24 })
        #expect(DoubleProfile.aes128Gcm.keyingMaterialLength == 112)
        #expect(DoubleProfile.aes256Gcm.keyingMaterialLength == 176)
        #expect(DoubleProfile(name: "DOUBLE_AEAD_AES_128_GCM_AEAD_AES_128_GCM") == .aes128Gcm)
        #expect(DoubleProfile(name: "double-aes256-gcm") == .aes256Gcm)
        #expect(DoubleProfile(name: "aes128-gcm") == nil)
    }

    /// perc-double-selfgen.json `dtls_srtp_key_split_example`: 112 exported bytes, both
    /// directions, their halves, and the MediaKeys (outer halves only) a Media Distributor gets.
    @Test func exporterSplitAndHalves() throws {
        let example = try Fixtures.json("perc-double-selfgen.json").object("dtls_srtp_key_split_example")
        let exported = try example.bytes("exported_keying_material")
        #expect(exported.count == (try example.int("exported_keying_material_len")))
        let material = try DoubleProfile.aes128Gcm.keyingMaterial(exported: exported)
        #expect(material.client.key == (try example.bytes("client_write_SRTP_master_key")))
        #expect(material.server.key == (try example.bytes("server_write_SRTP_master_key")))
        #expect(material.client.salt == (try example.bytes("client_write_SRTP_master_salt")))
        #expect(material.server.salt == (try example.bytes("server_write_SRTP_master_salt")))

        let client = try DoubleProfile.aes128Gcm.split(masterKey: material.client.key, masterSalt: material.client.salt)
        #expect(client.inner.key == (try example.bytes("client_inner_key(first half)")))
        #expect(client.outer.key == (try example.bytes("client_outer_key(second half)")))
        #expect(client.inner.salt == (try example.bytes("client_inner_salt(first half)")))
        #expect(client.outer.salt == (try example.bytes("client_outer_salt(second half)")))

        let mediaKeys = try example.object("MediaKeys_to_MD")
        let server = try DoubleProfile.aes128Gcm.split(masterKey: material.server.key, masterSalt: material.server.salt)
        #expect(client.outer.key == (try mediaKeys.bytes("client_write_SRTP_master_key")))
        #expect(client.outer.salt == (try mediaKeys.bytes("client_write_SRTP_master_salt")))
        #expect(server.outer.key == (try mediaKeys.bytes("server_write_SRTP_master_key")))
        #expect(server.outer.salt == (try mediaKeys.bytes("server_write_SRTP_master_salt")))
    }

    @Test func wrongLengthsAreRefused() {
        #expect(throws: SRTPError.invalidParameter("keying material must be 176 bytes, got 112")) {
            try DoubleProfile.aes256Gcm.keyingMaterial(exported: [UInt8](repeating: 0, count: 112))
        }
        #expect(throws: SRTPError.invalidKeyLength(expected: 32, actual: 16)) {
            try DoubleProfile.aes128Gcm.split(masterKey: [UInt8](repeating: 0, count: 16),
                                              masterSalt: [UInt8](repeating: 0, count: 24))
        }
        #expect(throws: SRTPError.invalidSaltLength(expected: 24, actual: 12)) {
            try DoubleProfile.aes256Gcm.split(masterKey: [UInt8](repeating: 0, count: 64),
                                              masterSalt: [UInt8](repeating: 0, count: 12))
        }
    }

    /// A 176-byte exporter output splits into 64-byte keys and 24-byte salts at the right offsets.
    @Test func exporterSplit256() throws {
        let exported = (0..<176).map { UInt8($0) }
        let material = try DoubleProfile.aes256Gcm.keyingMaterial(exported: exported)
        #expect(material.client.key == Array(exported[0..<64]))
        #expect(material.server.key == Array(exported[64..<128]))
        #expect(material.client.salt == Array(exported[128..<152]))
        #expect(material.server.salt == Array(exported[152..<176]))
        let halves = try DoubleProfile.aes256Gcm.split(masterKey: material.server.key, masterSalt: material.server.salt)
        #expect(halves.inner.key == Array(exported[64..<96]) && halves.outer.key == Array(exported[96..<128]))
        #expect(halves.inner.salt == Array(exported[152..<164]) && halves.outer.salt == Array(exported[164..<176]))
    }
}
