// SPDX-License-Identifier: Apache-2.0
// Copyright 2026 the swift-perc authors

import SRTP
import TestSupport
import Testing

/// AES key wrap, the EKT cipher's core: RFC 3394 section 4 (plain wrap, the shared W function)
/// and RFC 5649 section 6 plus two NIST ACVP KWP vectors (wrap with padding, RFC 8870 4.4).
@Suite struct AESKeyWrapTests {
    static let files = [("rfc3394-keywrap.json", false), ("rfc5649-keywrap.json", true)]

    @Test(arguments: files)
    func vectorsWrapAndUnwrap(file: String, padded: Bool) throws {
        let vectors = try Fixtures.json(file).objects("vectors")
        #expect(vectors.count >= 4)
        for vector in vectors {
            let name = try vector.string("name")
            let kek = try vector.bytes("kek"), plaintext = try vector.bytes("plaintext")
            let ciphertext = try vector.bytes("ciphertext")
            #expect(AESKeyWrap.wrap(plaintext, kek: kek, padded: padded) == ciphertext, "\(name)")
            #expect(AESKeyWrap.unwrap(ciphertext, kek: kek, padded: padded) == plaintext, "\(name)")
            if padded {   // RFC 5649 output length 8*ceil(m/8) + 8
                #expect(ciphertext.count == 8 * ((plaintext.count + 7) / 8) + 8, "\(name)")
            }
        }
    }

    /// Every single-bit flip of the ciphertext fails the integrity check (RFC 3394 2.2.3,
    /// RFC 5649 3), and so does a wrong KEK.
    @Test(arguments: files)
    func corruptedCiphertextIsRejected(file: String, padded: Bool) throws {
        for vector in try Fixtures.json(file).objects("vectors") {
            let kek = try vector.bytes("kek"), ciphertext = try vector.bytes("ciphertext")
            for bit in 0..<(ciphertext.count * 8) {
                var corrupted = ciphertext
                corrupted[bit / 8] ^= 1 << (bit % 8)
                #expect(AESKeyWrap.unwrap(corrupted, kek: kek, padded: padded) == nil, "bit \(bit)")
            }
            var otherKEK = kek
            otherKEK[0] ^= 0x01
            #expect(AESKeyWrap.unwrap(ciphertext, kek: otherKEK, padded: padded) == nil)
            // The other variant's integrity check (A6A6A6A6A6A6A6A6 vs A65959A6||MLI) fails too.
            #expect(AESKeyWrap.unwrap(ciphertext, kek: kek, padded: !padded) == nil)
        }
    }

    @Test func badLengthsAreRefused() {
        let kek = [UInt8](repeating: 7, count: 16)
        #expect(AESKeyWrap.wrap([1, 2, 3], kek: kek, padded: false) == nil)        // not a multiple of 8
        #expect(AESKeyWrap.wrap([1, 2, 3], kek: [1, 2, 3], padded: true) == nil)   // bad KEK
        #expect(AESKeyWrap.unwrap([UInt8](repeating: 0, count: 12), kek: kek, padded: true) == nil)
        #expect(AESKeyWrap.unwrap([UInt8](repeating: 0, count: 8), kek: kek, padded: true) == nil)
        #expect(AESKeyWrap.unwrap([], kek: kek, padded: false) == nil)
    }
}
