// SPDX-License-Identifier: Apache-2.0
// Copyright 2026 the swift-perc authors

import SRTP
import TestSupport
import Testing

/// The AES-CM keystream of RFC 3711 4.1.1: Appendix B.2 (AES-128) and RFC 6188 7.1 / 7.3
/// (AES-256, AES-192), through the package's `KernelAESCTR` on every backend this machine
/// runs. Each vector is one 65282-block segment (SSRC 0, index 0); the files give its first
/// and last three blocks.
@Suite struct AESCounterModeKeystreamTests {
    @Test(arguments: ["rfc3711-aescm.json", "rfc6188-aescm.json"], CryptoBackend.available)
    func keystreamSegment(file: String, backend: CryptoBackend) throws {
        let vectors = try Fixtures.json(file).objects("vectors")
        #expect(!vectors.isEmpty)
        for vector in vectors {
            let key = try vector.bytes("session_key"), iv = try vector.bytes("iv")
            let blocks = try vector.int("keystream_blocks")
            let ctr = try #require(key.withUnsafeBytes { KernelAESCTR(key: $0, backend: backend) })
            var keystream = [UInt8](repeating: 0, count: 16 * blocks)
            keystream.withUnsafeMutableBytes { out in
                iv.withUnsafeBytes { _ = ctr.apply(iv: $0.baseAddress!, input: out.baseAddress!, output: out.baseAddress!, count: out.count) }
            }
            #expect(Array(keystream.prefix(48)) == (try vector.bytes("keystream_first_48")), "\(file) \(key.count * 8)-bit")
            #expect(Array(keystream.suffix(48)) == (try vector.bytes("keystream_last_48")), "\(file) \(key.count * 8)-bit")
            // Where the file lists the counter blocks, each one alone gives its keystream block.
            for block in ((vector["first_blocks"] as? [[String: Any]]) ?? []) + ((vector["last_blocks"] as? [[String: Any]]) ?? []) {
                let counter = try block.bytes("counter")
                var out = [UInt8](repeating: 0, count: 16)
                out.withUnsafeMutableBytes { o in
                    counter.withUnsafeBytes { _ = ctr.apply(iv: $0.baseAddress!, input: o.baseAddress!, output: o.baseAddress!, count: 16) }
                }
                #expect(out == (try block.bytes("keystream")))
            }
        }
    }

    /// The counter block of the vectors is the RFC 3711 4.1.1 IV for SSRC 0 and index 0:
    /// the session salt followed by two zero bytes (our SRTP cipher's IV recipe).
    @Test(arguments: ["rfc3711-aescm.json", "rfc6188-aescm.json"])
    func initialCounterBlockIsTheSRTPIV(file: String) throws {
        for vector in try Fixtures.json(file).objects("vectors") {
            let salt = try vector.bytes("session_salt")
            let keys = SessionKeys(encryptionKey: SecretBytes([UInt8](repeating: 0, count: 16)),
                                   authenticationKey: SecretBytes([UInt8](repeating: 0, count: 20)), salt: SecretBytes(salt))
            let cipher = try SRTPCipher(profile: .aes128CmSha1_80, keys: keys, backend: .default)
            let ssrc = UInt32(try vector.int("ssrc"))
            let index = UInt64(try vector.int("packet_index"))
            let iv = cipher.withCounterIV(ssrc: ssrc, index: index) { Array(UnsafeRawBufferPointer(start: $0, count: 16)) }
            #expect(iv == (try vector.bytes("iv")))
        }
    }
}
