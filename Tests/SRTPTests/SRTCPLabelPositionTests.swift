// SPDX-License-Identifier: Apache-2.0
// Copyright 2026 the swift-perc authors

import SRTP
import TestSupport
import Testing

/// Where the SRTCP label goes in the KDF input (RFC 3711 4.3.2 and erratum 3712), with the
/// NIST CAVS sample vectors quoted in cisco/libsrtp #454.
///
/// We (like libsrtp, pion and every deployed stack) put every label at byte 7 of the 14-byte
/// x, SRTCP's included. NIST's CAVS values follow the original text (a 32-bit r for SRTCP, so
/// the label lands at byte 9). With kdr = 0 that position is the only difference: our SRTCP
/// keys must equal the erratum form, differ from the CAVS form, and the CAVS form must come
/// out of the same PRF with the label moved to byte 9 (so the file's explanation holds).
@Suite struct SRTCPLabelPositionTests {
    static func vectors() throws -> [[String: Any]] {
        try Fixtures.json("nist-cavs-srtp-kdf-srtcp-label-position.json").objects("vectors")
    }

    @Test func fixtureHasAES128AndAES256() throws { #expect(try Self.vectors().count == 2) }

    @Test(arguments: 0..<2)
    func srtpKeysAgreeWithNIST(vector index: Int) throws {
        let vector = try Self.vectors()[index]
        let key = try vector.bytes("master_key"), salt = try vector.bytes("master_salt")
        #expect(try derive(key, salt, .srtpEncryption, key.count) == vector.bytes("srtp_encryption_key"))
        #expect(try derive(key, salt, .srtpAuthentication, 20) == vector.bytes("srtp_authentication_key"))
        #expect(try derive(key, salt, .srtpSalt, 14) == vector.bytes("srtp_salting_key"))
    }

    @Test(arguments: 0..<2)
    func srtcpKeysUseTheErratumPosition(vector index: Int) throws {
        let vector = try Self.vectors()[index]
        let key = try vector.bytes("master_key"), salt = try vector.bytes("master_salt")
        let erratum = try vector.object("srtcp_interop_erratum_3712")
        let cavs = try vector.object("srtcp_original_rfc_reading")
        let ours = [
            ("srtcp_encryption_key", try derive(key, salt, .srtcpEncryption, key.count)),
            ("srtcp_authentication_key", try derive(key, salt, .srtcpAuthentication, 20)),
            ("srtcp_salting_key", try derive(key, salt, .srtcpSalt, 14)),
        ]
        for (name, value) in ours {
            #expect(value == (try erratum.bytes(name)), "\(name)")
            #expect(value != (try cavs.bytes(name)), "\(name) must not follow the CAVS reading")
        }
        // The CAVS values are the PRF with the SRTCP label at byte 9 of x.
        for (label, name, length) in [(UInt8(3), "srtcp_encryption_key", key.count), (4, "srtcp_authentication_key", 20),
                                      (5, "srtcp_salting_key", 14)] {
            var block = salt + [0, 0]
            block[9] ^= label
            let ctr = try #require(key.withUnsafeBytes { KernelAESCTR(key: $0, backend: .default) })
            var stream = [UInt8](repeating: 0, count: length)
            stream.withUnsafeMutableBytes { o in
                block.withUnsafeBytes { _ = ctr.apply(iv: $0.baseAddress!, input: o.baseAddress!, output: o.baseAddress!, count: length) }
            }
            #expect(stream == (try cavs.bytes(name)), "\(name) with the label at byte 9")
        }
    }

    private func derive(_ key: [UInt8], _ salt: [UInt8], _ label: KeyDerivation.Label, _ length: Int) throws -> [UInt8] {
        try KeyDerivationVectorTests.derive(key, salt, label, length)
    }
}
