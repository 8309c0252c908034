// SPDX-License-Identifier: Apache-2.0
// Copyright 2026 the swift-perc authors

@testable import DTLS
import Testing

/// The TLS 1.2 PRF with SHA-256 (RFC 5246 5). The exporter built on it is checked against
/// OpenSSL in `OpenSSLInteropTests`; this is a known-answer test of the PRF alone.
@Suite struct TLSPRFTests {
    static func bytes(_ hex: String) -> [UInt8] {
        let digits = Array(hex.filter { !$0.isWhitespace })
        return stride(from: 0, to: digits.count, by: 2).map { UInt8(String(digits[$0...$0 + 1]), radix: 16)! }
    }

    /// The PRF-SHA256 vector circulated on the IETF TLS list (secret, seed and label "test
    /// label", 100 bytes out); the same bytes come from a direct HMAC-SHA256 computation in
    /// Python's `hmac` module.
    @Test func prfSHA256KnownAnswer() {
        let output = TLSPRF.compute(secret: Self.bytes("9b be 43 6b a9 40 f0 17 b1 76 52 84 9a 71 db 35"), label: "test label",
                                    seed: Self.bytes("a0 ba 9f 93 6c da 31 18 27 a6 f7 96 ff d5 19 8c"), length: 100)
        let expected = Self.bytes("""
            e3 f2 29 ba 72 7b e1 7b 8d 12 26 20 55 7c d4 53 c2 aa b2 1d 07 c3 d4 95 32 9b 52 d4 e6 1e db 5a
            6b 30 17 91 e9 0d 35 c9 c9 a4 6b 4e 14 ba f9 af 0f a0 22 f7 07 7d ef 17 ab fd 37 97 c0 56 4b ab
            4f bc 91 66 6e 9d ef 9b 97 fc e3 4f 79 67 89 ba a4 80 82 d1 22 ee 42 c5 a7 2e 5a 51 10 ff f7 01
            87 34 7b 66
            """)
        #expect(output == expected)
        // A shorter output is a prefix of a longer one.
        #expect(TLSPRF.compute(secret: [1], label: "x", seed: [2], length: 7) == Array(TLSPRF.compute(secret: [1], label: "x", seed: [2], length: 40).prefix(7)))
    }
}
