// SPDX-License-Identifier: Apache-2.0
// Copyright 2026 the swift-perc authors

import SRTP
import TestSupport
import Testing

/// `libsrtp2-crosscheck-rollover.json`: packets libsrtp2 2.5.0 protected across the SEQ wrap
/// (ROC 0 -> 1, RFC 3711 3.3.1), after `srtp_set_stream_roc(0x12345)`, SRTCP indices 1 and 2,
/// with and without a one-byte (0xBEDE, RFC 8285) header extension, for AES-CM and GCM.
///
/// One sender per series protects in order and must match byte for byte; one fresh receiver
/// per series is fed in order and must hold the listed ROC after each packet. The ROC
/// 0x12345 packet is a jump, so its sender and receiver are told the ROC (`initialROC`).
@Suite struct RolloverCrossCheckTests {
    static let seriesNames = ["cm128", "cm128ext", "gcm128", "gcm128ext"]

    static func fixture() throws -> (keys: [String: Any], vectors: [[String: Any]]) {
        let file = try Fixtures.json("libsrtp2-crosscheck-rollover.json")
        return (try file.object("keys"), try file.objects("vectors"))
    }

    @Test(arguments: seriesNames)
    func srtpAcrossTheWrap(series: String) throws {
        let (keyTable, all) = try Self.fixture()
        let vectors = all.filter { ($0["name"] as? String)?.hasPrefix(series + "/seq=") == true }
        #expect(vectors.count == 4)
        let profileName = try vectors[0].string("profile")
        let profile = try #require(ProtectionProfile(name: profileName))
        let keys = try keyTable.object(profileName)
        let key = try keys.bytes("master_key"), salt = try keys.bytes("master_salt")
        let sender = try SRTPSender(profile: profile, masterKey: key, masterSalt: salt)
        let receiver = try SRTPReceiver(profile: profile, masterKey: key, masterSalt: salt)
        for vector in vectors {
            let name = try vector.string("name")
            let plain = try vector.bytes("plaintext_packet"), protected = try vector.bytes("protected_packet")
            let ssrc = try #require(UInt32(try vector.string("ssrc"), radix: 16))
            #expect(UInt64(try vector.int("roc")) << 16 | UInt64(try vector.int("seq")) == UInt64(try vector.int("packet_index")))
            #expect(try sender.protect(plain) == protected, "\(name)")
            #expect(try receiver.unprotect(protected) == plain, "\(name)")
            #expect(receiver.rolloverCounter(for: ssrc) == UInt32(try vector.int("roc")), "\(name)")
        }
    }

    /// Encryption starts after the extension: the same index gives the same ciphertext with
    /// and without the 0xBEDE block (only the tag differs, as the header is authenticated).
    @Test(arguments: ["cm128", "gcm128"])
    func extensionIsNotEncrypted(series: String) throws {
        let (_, all) = try Self.fixture()
        for seq in ["fffe", "ffff", "0000", "0001"] {
            let plain = try #require(all.first { ($0["name"] as? String) == "\(series)/seq=\(seq)" })
            let withExtension = try #require(all.first { ($0["name"] as? String) == "\(series)ext/seq=\(seq)" })
            let a = try plain.bytes("protected_packet"), b = try withExtension.bytes("protected_packet")
            let tag = series.hasPrefix("gcm") ? 16 : 10
            #expect(a[12..<(a.count - tag)] == b[24..<(b.count - tag)])
            #expect(a.suffix(tag) != b.suffix(tag))
        }
    }

    @Test(arguments: ["cm128", "gcm128"])
    func initialROC(series: String) throws {
        let (keyTable, all) = try Self.fixture()
        let vector = try #require(all.first { ($0["name"] as? String) == "\(series)/roc=0x12345" })
        let profileName = try vector.string("profile")
        let profile = try #require(ProtectionProfile(name: profileName))
        let keys = try keyTable.object(profileName)
        var configuration = SRTPConfiguration()
        configuration.initialROC = UInt32(try vector.int("roc"))
        #expect(configuration.initialROC == 0x12345)
        let sender = try SRTPSender(profile: profile, masterKey: try keys.bytes("master_key"),
                                    masterSalt: try keys.bytes("master_salt"), configuration: configuration)
        let receiver = try SRTPReceiver(profile: profile, masterKey: try keys.bytes("master_key"),
                                        masterSalt: try keys.bytes("master_salt"), configuration: configuration)
        let plain = try vector.bytes("plaintext_packet"), protected = try vector.bytes("protected_packet")
        #expect(try sender.protect(plain) == protected)
        #expect(try receiver.unprotect(protected) == plain)
        #expect(receiver.rolloverCounter(for: 0xcafe_babe) == 0x12345)
        // Without the out-of-band ROC the packet does not authenticate.
        let uninformed = try SRTPReceiver(profile: profile, masterKey: try keys.bytes("master_key"),
                                          masterSalt: try keys.bytes("master_salt"))
        #expect(throws: SRTPError.authenticationFailed(ssrc: 0xcafe_babe)) { try uninformed.unprotect(protected) }
    }

    /// libsrtp numbers SRTCP from 1; our sender starting at 1 gives the same two packets.
    @Test(arguments: ["cm128", "gcm128"])
    func srtcpIndicesOneAndTwo(series: String) throws {
        let (keyTable, all) = try Self.fixture()
        let vectors = all.filter { ($0["name"] as? String)?.hasPrefix(series + "/srtcp_index=") == true }
        #expect(vectors.count == 2)
        let profileName = try vectors[0].string("profile")
        let profile = try #require(ProtectionProfile(name: profileName))
        let keys = try keyTable.object(profileName)
        var configuration = SRTPConfiguration()
        configuration.initialSRTCPIndex = 1
        let sender = try SRTPSender(profile: profile, masterKey: try keys.bytes("master_key"),
                                    masterSalt: try keys.bytes("master_salt"), configuration: configuration)
        let receiver = try SRTPReceiver(profile: profile, masterKey: try keys.bytes("master_key"),
                                        masterSalt: try keys.bytes("master_salt"))
        for vector in vectors {
            let plain = try vector.bytes("plaintext_packet"), protected = try vector.bytes("protected_packet")
            let name = try vector.string("name")
            #expect(try sender.protectRTCP(plain) == protected, "\(name)")
            #expect(try receiver.unprotectRTCP(protected) == plain)
        }
    }
}
