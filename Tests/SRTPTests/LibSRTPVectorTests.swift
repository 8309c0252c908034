// SPDX-License-Identifier: Apache-2.0
// Copyright 2026 the swift-perc authors

import SRTP
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
}
