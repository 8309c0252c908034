// SPDX-License-Identifier: Apache-2.0
// Copyright 2026 the swift-perc authors

import PERC
import SRTP
import TestSupport
import Testing

/// perc-double-selfgen.json (a self-generated illustration; RFC 8723 has no vectors) through
/// the sender (RFC 8723 5.1), the media distributor (5.2) and the receiver (5.3).
@Suite struct DoubleTransformVectorTests {
    let vector: [String: Any]
    let sender: [String: Any]
    let distributor: [String: Any]

    init() throws {
        vector = try Fixtures.json("perc-double-selfgen.json")
        sender = try vector.object("sender_A")
        distributor = try vector.object("media_distributor")
    }

    var innerKey: SRTPMasterKey {
        get throws {
            SRTPMasterKey(key: try sender.bytes("inner_master_key(E2E, sent in EKT)"),
                          salt: try sender.bytes("inner_master_salt(from EKTKey.srtp_master_salt)"))
        }
    }
    var senderHopKey: SRTPMasterKey {
        get throws {
            SRTPMasterKey(key: try sender.bytes("outer_master_key(A<->MD HBH)"), salt: try sender.bytes("outer_master_salt"))
        }
    }
    var receiverHopKey: SRTPMasterKey {
        get throws {
            SRTPMasterKey(key: try distributor.bytes("outer_master_key(MD<->B HBH)"),
                          salt: try distributor.bytes("outer_master_salt"))
        }
    }
    var ektParameters: EKTParameterSet {
        get throws {
            let ekt = try sender.object("ekt")
            return try EKTParameterSet(spi: UInt16(try ekt.int("spi")), cipher: .aesKeyWrap128, key: try ekt.bytes("ekt_key"),
                                       masterSalt: try innerKey.salt)
        }
    }
    /// The distributor's edits: SEQ 0x1234 -> 0x0042, PT 96 -> 100, M 1 -> 0.
    let edits = HeaderEdits(payloadType: 100, sequenceNumber: 0x0042, marker: false)

    /// Each half runs the RFC 3711 KDF on its own master key and 12-byte salt (RFC 8723 3.1).
    @Test func sessionKeysOfBothHalves() throws {
        for (master, object, prefix) in [(try innerKey, sender, "inner"), (try senderHopKey, sender, "outer"),
                                         (try receiverHopKey, distributor, "outer")] {
            try master.key.withUnsafeBytes { key in
                try master.salt.withUnsafeBytes { salt in
                    let sessionKey = try KeyDerivation.derive(masterKey: key, masterSalt: salt, label: .srtpEncryption, length: 16)
                    let sessionSalt = try KeyDerivation.derive(masterKey: key, masterSalt: salt, label: .srtpSalt, length: 12)
                    sessionKey.withUnsafeBytes { #expect(Array($0) == (try? object.bytes("\(prefix)_session_key"))) }
                    sessionSalt.withUnsafeBytes { #expect(Array($0) == (try? object.bytes("\(prefix)_session_salt"))) }
                }
            }
        }
    }

    /// Sender: synthetic header, inner seal, OHB 00, outer seal; byte-exact.
    @Test func senderPacketIsByteExact() throws {
        let plain = try sender.bytes("rtp_packet_plain")
        #expect(RTPPacketFactory.syntheticHeader(plain) == (try sender.bytes("synthetic_inner_header(X=0, no ext) = inner AAD")))
        let doubleSender = try DoubleSender(profile: .aes128Gcm, inner: try innerKey, outer: try senderHopKey)
        let protected = try doubleSender.protect(plain)
        #expect(protected == (try sender.bytes("srtp_packet")))
        // The outer layer alone is an RFC 7714 packet whose plaintext is C_in | T_in | 00.
        let outerOnly = try SRTPReceiver(profile: .aeadAes128Gcm, masterKey: try senderHopKey.key,
                                         masterSalt: try senderHopKey.salt)
        let header = try sender.bytes("rtp_header")
        #expect(try outerOnly.unprotect(protected) == header + (try sender.bytes("outer_plaintext(inner_ct||inner_tag||OHB 00)")))
    }

    /// With an EKT sender the first packet carries the FullEKTField with the inner key.
    @Test func senderWirePacketWithFullEKTField() throws {
        let ekt = try EKTSender(parameters: try ektParameters, masterKey: try innerKey.key)
        let doubleSender = try DoubleSender(profile: .aes128Gcm, inner: try innerKey, outer: try senderHopKey, ekt: ekt)
        #expect(try doubleSender.protect(try sender.bytes("rtp_packet_plain")) == (try sender.bytes("wire_packet(srtp||FullEKTField)")))
    }

    /// Media distributor: the vector's distributor also changes an extension byte (0x42 ->
    /// 0x43), which the OHB does not record. This test makes that edit on the outer-opened
    /// packet (as the distributor would) and lets the relay do the PT/SEQ/M edits; the
    /// result must be the vector's packet byte for byte, with and without the EKT field.
    @Test(arguments: [false, true])
    func mediaDistributorStepIsByteExact(withEKT: Bool) throws {
        let key = "wire_packet(srtp||FullEKTField)"
        var packet = try sender.bytes(withEKT ? key : "srtp_packet")
        let ektField = withEKT ? Array(packet.suffix(47)) : []
        packet.removeLast(ektField.count)
        // Outer-open, edit the extension byte, outer-seal again with the same hop key and index.
        let open = try SRTPReceiver(profile: .aeadAes128Gcm, masterKey: try senderHopKey.key, masterSalt: try senderHopKey.salt)
        let seal = try SRTPSender(profile: .aeadAes128Gcm, masterKey: try senderHopKey.key, masterSalt: try senderHopKey.salt)
        var opened = try open.unprotect(packet)
        #expect(opened[21] == 0x42)
        opened[21] = 0x43
        let edited = try seal.protect(opened) + ektField

        let inbound = try RelayHop(profile: .aes128Gcm, direction: .inbound, outer: try senderHopKey, carriesEKT: withEKT)
        let outbound = try RelayHop(profile: .aes128Gcm, direction: .outbound, outer: try receiverHopKey, carriesEKT: withEKT)
        let relayed = try inbound.forward(edited, to: RelayTarget(hop: outbound, edits: edits))
        let expected = try distributor.bytes(withEKT ? "wire_packet(EKT field copied verbatim)" : "srtp_packet")
        #expect(relayed == expected)
    }

    /// Without the extension edit, everything the relay does is still checked: the new header
    /// and the outer plaintext `C_in | T_in | 60 12 34 0f` under the receiver hop's key.
    @Test func mediaDistributorWithoutExtensionEdit() throws {
        let inbound = try RelayHop(profile: .aes128Gcm, direction: .inbound, outer: try senderHopKey)
        let outbound = try RelayHop(profile: .aes128Gcm, direction: .outbound, outer: try receiverHopKey)
        let relayed = try inbound.forward(try sender.bytes("srtp_packet"), to: RelayTarget(hop: outbound, edits: edits))
        var newHeader = try distributor.bytes("new_header")
        newHeader[21] = 0x42   // the extension as the sender sent it
        #expect(Array(relayed.prefix(newHeader.count)) == newHeader)
        let outerOnly = try SRTPReceiver(profile: .aeadAes128Gcm, masterKey: try receiverHopKey.key,
                                         masterSalt: try receiverHopKey.salt)
        let opened = try outerOnly.unprotect(relayed)
        #expect(Array(opened.dropFirst(newHeader.count)) == (try distributor.bytes("outer_plaintext")))
        #expect(Array(opened.suffix(4)) == (try distributor.bytes("ohb")))
    }

    /// Receiver: the original header (PT 96, SEQ 0x1234, M 1, extension as received) and payload.
    @Test(arguments: [false, true])
    func receiverReconstruction(withEKT: Bool) throws {
        let receiver: DoubleReceiver
        if withEKT {
            let ekt = EKTReceiver(keyLength: 16, saltLength: 12)
            ekt.install(try ektParameters)
            receiver = try DoubleReceiver(profile: .aes128Gcm, inner: nil, outer: try receiverHopKey, ekt: ekt)
        } else {
            receiver = try DoubleReceiver(profile: .aes128Gcm, inner: try innerKey, outer: try receiverHopKey)
        }
        let packet = try distributor.bytes(withEKT ? "wire_packet(EKT field copied verbatim)" : "srtp_packet")
        var expected = try sender.bytes("rtp_packet_plain")
        expected[21] = 0x43   // the distributor's extension edit is kept (outside the inner AAD)
        let original = try receiver.unprotect(packet)
        #expect(original == expected)
        #expect(Array(original.suffix(24)) == (try vector.object("receiver_B").bytes("decrypted_payload")))
        #expect(receiver.innerRolloverCounter(for: 0xCAFE_BABE) == 0)
        #expect(receiver.outerRolloverCounter(for: 0xCAFE_BABE) == 0)
    }
}
