// SPDX-License-Identifier: Apache-2.0
// Copyright 2026 the swift-perc authors

import PERCTunnel
import SRTP
import Testing

/// Encode/decode of every RFC 9185 message against the byte examples of
/// shared/spec/dtls-tunnel.md 2 (the SupportedProfiles example is the RFC's own).
@Suite struct TunnelMessageTests {
    static let uuid: [UInt8] = (0..<16).map { UInt8(0xA0 + $0) }
    static let association = AssociationID(bytes: uuid)

    @Test func supportedProfilesRFCExample() throws {
        let message = TunnelMessage.supportedProfiles(SupportedProfiles(version: 0, protectionProfiles: [0x0009, 0x000A]))
        let expected: [UInt8] = [0x01, 0x00, 0x07, 0x00, 0x00, 0x04, 0x00, 0x09, 0x00, 0x0A]
        #expect(try message.encoded() == expected)
        #expect(try TunnelMessage(decoding: expected) == message)
    }

    @Test func unsupportedVersion() throws {
        let message = TunnelMessage.unsupportedVersion(UnsupportedVersion(highestVersion: 1))
        #expect(try message.encoded() == [0x02, 0x00, 0x01, 0x01])
        #expect(try TunnelMessage(decoding: [0x02, 0x00, 0x01, 0x01]) == message)
    }

    @Test func endpointDisconnect() throws {
        let message = TunnelMessage.endpointDisconnect(EndpointDisconnect(associationID: Self.association))
        let expected = [0x05, 0x00, 0x10] + Self.uuid
        #expect(try message.encoded() == expected)
        #expect(try TunnelMessage(decoding: expected) == message)
    }

    @Test func mediaKeysWithOuterHalves() throws {
        let cwk = [UInt8](repeating: 0x11, count: 16), swk = [UInt8](repeating: 0x22, count: 16)
        let cws = [UInt8](repeating: 0x33, count: 12), sws = [UInt8](repeating: 0x44, count: 12)
        let keys = MediaKeys(associationID: Self.association, protectionProfile: 0x0009, mki: [],
                             clientWriteMasterKey: SecretBytes(cwk), serverWriteMasterKey: SecretBytes(swk),
                             clientWriteMasterSalt: cws, serverWriteMasterSalt: sws)
        var expected: [UInt8] = [0x03, 0x00, 0x4F] + Self.uuid + [0x00, 0x09, 0x00]
        expected += [0x10] + cwk + [0x10] + swk + [0x0C] + cws + [0x0C] + sws
        #expect(expected.count == 3 + 79)
        #expect(try TunnelMessage.mediaKeys(keys).encoded() == expected)
        let decoded = try TunnelMessage(decoding: expected)
        #expect(decoded == .mediaKeys(keys))
        guard case .mediaKeys(let back) = decoded else { Issue.record("not MediaKeys"); return }
        #expect(back.clientWrite.key == cwk && back.serverWrite.salt == sws)
        #expect(!back.description.contains("11"), "description must not print key bytes")
    }

    @Test func mediaKeysWithMKI() throws {
        let keys = MediaKeys(associationID: Self.association, protectionProfile: 0x000A, mki: [1, 2, 3],
                             clientWriteMasterKey: SecretBytes([UInt8](repeating: 5, count: 32)),
                             serverWriteMasterKey: SecretBytes([UInt8](repeating: 6, count: 32)),
                             clientWriteMasterSalt: [UInt8](repeating: 7, count: 12),
                             serverWriteMasterSalt: [UInt8](repeating: 8, count: 12))
        let bytes = try TunnelMessage.mediaKeys(keys).encoded()
        #expect(Array(bytes[19...24]) == [0x00, 0x0A, 0x03, 1, 2, 3])
        #expect(try TunnelMessage(decoding: bytes) == .mediaKeys(keys))
    }

    @Test func tunneledDtls() throws {
        let dtls: [UInt8] = [22, 0xFE, 0xFD, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0xAB]
        let message = TunnelMessage.tunneledDtls(TunneledDtls(associationID: Self.association, dtlsMessage: dtls))
        let expected = [0x04, 0x00, UInt8(18 + dtls.count)] + Self.uuid + [0x00, UInt8(dtls.count)] + dtls
        #expect(try message.encoded() == expected)
        #expect(try TunnelMessage(decoding: expected) == message)
    }

    @Test func largestTunneledDtls() throws {
        let dtls = [UInt8](repeating: 0x17, count: TunneledDtls.maximumMessageLength)
        let bytes = try TunnelMessage.tunneledDtls(TunneledDtls(associationID: Self.association, dtlsMessage: dtls)).encoded()
        #expect(bytes.count == 3 + 65535 && bytes[1] == 0xFF && bytes[2] == 0xFF)
        #expect(try TunnelMessage(decoding: bytes) == .tunneledDtls(TunneledDtls(associationID: Self.association, dtlsMessage: dtls)))
        let tooLong = TunneledDtls(associationID: Self.association, dtlsMessage: dtls + [0])
        #expect(throws: TunnelError.fieldOutOfRange(field: "dtls_message", length: 65518, allowed: 1...65517)) {
            try TunnelMessage.tunneledDtls(tooLong).encoded()
        }
    }

    @Test func encodingRejectsVectorsOutOfBounds() {
        #expect(throws: TunnelError.fieldOutOfRange(field: "dtls_message", length: 0, allowed: 1...65517)) {
            try TunnelMessage.tunneledDtls(TunneledDtls(associationID: Self.association, dtlsMessage: [])).encoded()
        }
        #expect(throws: TunnelError.fieldOutOfRange(field: "protection_profiles", length: 0, allowed: 2...65532)) {
            try TunnelMessage.supportedProfiles(SupportedProfiles(protectionProfiles: [])).encoded()
        }
        let noKey = MediaKeys(associationID: Self.association, protectionProfile: 9, clientWriteMasterKey: SecretBytes([]),
                              serverWriteMasterKey: SecretBytes([1]), clientWriteMasterSalt: [1], serverWriteMasterSalt: [1])
        #expect(throws: TunnelError.self) { try TunnelMessage.mediaKeys(noKey).encoded() }
    }

    /// Bodies that break the structure, each with the typed error it must give.
    @Test func malformedBodiesAreRejected() {
        let uuid = Self.uuid
        let cases: [([UInt8], TunnelError)] = [
            ([0x00, 0x00, 0x00], .reservedMessageType),
            ([0x06, 0x00, 0x00], .unknownMessageType(6)),
            ([0xFF, 0x00, 0x00], .unknownMessageType(255)),
            ([0x01, 0x00, 0x05, 0x00, 0x00, 0x02, 0x00], .lengthMismatch(declared: 5, actual: 4)),
            ([0x01, 0x00], .lengthMismatch(declared: nil, actual: 2)),
            ([0x01, 0x00, 0x04, 0x00, 0x00, 0x01, 0x09],
             .malformedBody(type: .supportedProfiles, reason: "protection_profiles length 1 outside 2...65532")),
            ([0x01, 0x00, 0x06, 0x00, 0x00, 0x03, 0x00, 0x09, 0x00],
             .malformedBody(type: .supportedProfiles, reason: "odd protection_profiles length 3")),
            ([0x01, 0x00, 0x06, 0x00, 0x00, 0x02, 0x00, 0x09, 0x00],
             .malformedBody(type: .supportedProfiles, reason: "1 trailing bytes")),
            ([0x02, 0x00, 0x00], .malformedBody(type: .unsupportedVersion, reason: "highest_version needs 1 bytes, 0 left")),
            ([0x02, 0x00, 0x02, 0x01, 0x02], .malformedBody(type: .unsupportedVersion, reason: "1 trailing bytes")),
            ([0x05, 0x00, 0x0F] + [UInt8](repeating: 0, count: 15),
             .malformedBody(type: .endpointDisconnect, reason: "association_id needs 16 bytes, 15 left")),
            ([0x04, 0x00, 0x12] + uuid + [0x00, 0x00],
             .malformedBody(type: .tunneledDtls, reason: "dtls_message length 0 outside 1...65517")),
            ([0x04, 0x00, 0x13] + uuid + [0x00, 0x02, 0x17],
             .malformedBody(type: .tunneledDtls, reason: "dtls_message needs 2 bytes, 1 left")),
            ([0x03, 0x00, 0x13] + uuid + [0x00, 0x09, 0x00],
             .malformedBody(type: .mediaKeys, reason: "client_write_SRTP_master_key length needs 1 bytes, 0 left")),
            ([0x03, 0x00, 0x14] + uuid + [0x00, 0x09, 0x00, 0x00],
             .malformedBody(type: .mediaKeys, reason: "client_write_SRTP_master_key length 0 outside 1...255")),
        ]
        for (bytes, error) in cases {
            #expect(throws: error, "\(bytes)") { try TunnelMessage(decoding: bytes) }
        }
    }

    @Test func randomAssociationIDsAreVersion4() {
        var seen: Set<AssociationID> = []
        for _ in 0..<1000 {
            let id = AssociationID.random()
            #expect(id.version == 4)
            #expect(id.bytes[8] & 0xC0 == 0x80, "RFC 4122 variant")
            #expect(AssociationID(bytes: id.bytes) == id)
            seen.insert(id)
        }
        #expect(seen.count == 1000)
        #expect(Self.association.description == "a0a1a2a3-a4a5-a6a7-a8a9-aaabacadaeaf")
    }
}
