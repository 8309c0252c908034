// SPDX-License-Identifier: Apache-2.0
// Copyright 2026 the swift-perc authors

import DTLS
import SRTP
import Testing

/// The profile table and the keying-material split (RFC 5764 4.1.2 and 4.2, RFC 7714 14.2,
/// RFC 8723 10.1).
@Suite struct SRTPProtectionProfileIDTests {
    @Test func doubleProfilesHaveTheRFC8723CodePointsAndLengths() throws {
        let double128 = try #require(SRTPProtectionProfileID(name: "double-aes128-gcm"))
        #expect(double128.rawValue == 0x0009)
        #expect(SRTPProtectionProfileID(name: "DOUBLE_AEAD_AES_128_GCM_AEAD_AES_128_GCM") == double128)
        #expect(double128.masterKeyLength == 32 && double128.masterSaltLength == 24)
        #expect(double128.keyingMaterialLength == 112)
        let double256 = try #require(SRTPProtectionProfileID(name: "double-aes256-gcm"))
        #expect(double256.rawValue == 0x000A)
        #expect(SRTPProtectionProfileID(name: "double_aead_aes_256_gcm_aead_aes_256_gcm") == double256)
        #expect(double256.masterKeyLength == 64 && double256.masterSaltLength == 24)
        #expect(double256.keyingMaterialLength == 176)
        #expect(double128.isDouble && double256.isDouble && !SRTPProtectionProfileID.aeadAes128Gcm.isDouble)
    }

    @Test func defaultOfferListsDoublesFirst() {
        #expect(Array(SRTPProtectionProfileID.allKnown.prefix(2)) == [.doubleAeadAes128Gcm, .doubleAeadAes256Gcm])
        #expect(Set(SRTPProtectionProfileID.allKnown.map(\.rawValue)) == [1, 2, 5, 6, 7, 8, 9, 10])
    }

    /// Every single profile with a DTLS-SRTP identifier agrees with SRTP's ProtectionProfile.
    @Test func singleProfilesAgreeWithSRTP() throws {
        for profile in ProtectionProfile.allCases {
            guard let identifier = profile.dtlsIdentifier else {
                #expect(SRTPProtectionProfileID(name: profile.name) == nil, "\(profile) has no DTLS-SRTP identifier")
                continue
            }
            let ours = try #require(SRTPProtectionProfileID(name: profile.name))
            #expect(ours.rawValue == identifier)
            #expect(ours.masterKeyLength == profile.masterKeyLength)
            #expect(ours.masterSaltLength == profile.masterSaltLength)
            for rfcName in profile.rfcNames { #expect(SRTPProtectionProfileID(name: rfcName) == ours, "\(rfcName)") }
        }
    }

    @Test func unknownNamesAndHexIdentifiers() {
        #expect(SRTPProtectionProfileID(name: "aes256-cm-sha1-80") == nil)
        #expect(SRTPProtectionProfileID(name: "nonsense") == nil)
        let raw = SRTPProtectionProfileID(name: "0x00ff")
        #expect(raw?.rawValue == 0x00FF && raw?.isKnown == false && raw?.name == "0x00ff")
    }

    /// Keys first, then salts: client key | server key | client salt | server salt.
    @Test func keyingMaterialSplitsKeysThenSalts() throws {
        let exported = (0..<112).map { UInt8($0) }
        let material = try DTLSSRTPKeyingMaterial(profile: .doubleAeadAes128Gcm, exported: exported)
        #expect(material.clientMasterKey == Array(0..<32))
        #expect(material.serverMasterKey == Array(32..<64))
        #expect(material.clientMasterSalt == Array(64..<88))
        #expect(material.serverMasterSalt == Array(88..<112))
        #expect(material.masterKeyAndSalt(sentBy: .client) == (Array(0..<32), Array(64..<88)))
        #expect(material.masterKeyAndSalt(sentBy: .server) == (Array(32..<64), Array(88..<112)))
        let gcm = try DTLSSRTPKeyingMaterial(profile: .aeadAes128Gcm, exported: Array(exported.prefix(56)))
        #expect(gcm.clientMasterSalt == Array(32..<44) && gcm.serverMasterSalt == Array(44..<56))
        #expect(throws: DTLSError.self) { try DTLSSRTPKeyingMaterial(profile: .aeadAes128Gcm, exported: exported) }
        #expect(!material.description.contains("0, 1, 2"))
    }
}
