// SPDX-License-Identifier: Apache-2.0
// Copyright 2026 the swift-perc authors

import CPERCKernels
import Foundation
import Testing

/// Tags, MACs, Finished verify data and cookies are compared in constant time.
///
/// A timing test would be flaky on a shared machine, so this checks the structure instead:
/// `perc_ct_equal` (every HMAC tag check and `SecretBytes ==` go through it) answers exactly,
/// whatever byte differs; no C kernel calls `memcmp`/`bcmp`; and no Swift source compares a
/// tag, MAC, verify data or cookie with `==`/`!=` (the GCM paths check their tags inside the
/// kernels: an XOR and one vector test on the ISA paths, CRYPTO_memcmp on the OpenSSL path).
@Suite struct ConstantTimeTests {
    static let sources = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Sources")

    @Test func ctEqualFindsEveryDifferingBit() {
        for length in [1, 10, 15, 16, 17, 20, 64] {
            let a = (0..<length).map { UInt8(truncatingIfNeeded: $0 &* 37 &+ 11) }
            #expect(perc_ct_equal(a, a, length) == 1)
            for index in 0..<length {
                for bit in 0..<8 {
                    var b = a
                    b[index] ^= 1 << bit
                    #expect(perc_ct_equal(a, b, length) == 0, "length \(length), byte \(index), bit \(bit)")
                }
            }
            var all = a
            for index in all.indices { all[index] = ~all[index] }
            #expect(perc_ct_equal(a, all, length) == 0)
        }
        #expect(perc_ct_equal(nil, nil, 0) == 1, "empty strings are equal")
    }

    @Test func hmacTagChecksGoThroughCtEqual() throws {
        let hmac = try String(contentsOf: Self.sources.appendingPathComponent("SRTP/Kernels/KernelHMACSHA1.swift"), encoding: .utf8)
        #expect(hmac.contains("perc_ct_equal(a, b, count) == 1"), "constantTimeEqual must call perc_ct_equal")
        var checks = 0
        for file in try Self.swiftFiles(in: "SRTP") {
            let text = try String(contentsOf: file, encoding: .utf8)
            checks += text.components(separatedBy: "constantTimeEqual(").count - 1
        }
        #expect(checks >= 2, "the SRTP and SRTCP tag checks call constantTimeEqual (found \(checks) calls)")
    }

    @Test func noKernelCallsMemcmp() throws {
        let kernels = Self.sources.appendingPathComponent("CPERCKernels")
        let files = try FileManager.default.contentsOfDirectory(at: kernels, includingPropertiesForKeys: nil)
            .filter { $0.pathExtension == "c" }
        #expect(files.count > 5)
        let call = try Regex(#"(^|[^A-Za-z_])(memcmp|bcmp|timingsafe_bcmp)\s*\("#)
        for file in files {
            for (number, line) in try String(contentsOf: file, encoding: .utf8).split(separator: "\n").enumerated()
                where !line.trimmingCharacters(in: .whitespaces).hasPrefix("//") {
                #expect(line.firstMatch(of: call) == nil, "\(file.lastPathComponent):\(number + 1): \(line)")
            }
        }
    }

    @Test func noSecretIsComparedWithEquals() throws {
        // A name that holds a tag, MAC, verify data or cookie, on either side of == or !=.
        let secret = #"[A-Za-z_]*(?:[tT]ag|[mM]ac|MAC|verifyData|[cC]ookie)[A-Za-z_]*"#
        let comparison = try Regex(#"\b\#(secret)(?:\.[A-Za-z]+)*\s*[!=]=|[!=]=\s*\#(secret)\b"#)
        // Public values and nil checks, which may be compared directly.
        let allowed = ["magicCookie", "nil", "Length", "length", "Count", "count", "Tags"]
        var scanned = 0
        for module in ["SRTP", "PERC", "DTLS", "PERCTunnel", "KeyDistributor", "MediaDistributor", "PERCEndpoint"] {
            for file in try Self.swiftFiles(in: module) {
                scanned += 1
                for (number, line) in try String(contentsOf: file, encoding: .utf8).split(separator: "\n").enumerated() {
                    guard let match = line.firstMatch(of: comparison) else { continue }
                    let text = String(line[match.range.lowerBound...])   // the comparison and what follows
                    #expect(allowed.contains { text.contains($0) }, "\(file.lastPathComponent):\(number + 1): \(line)")
                }
            }
        }
        #expect(scanned > 50)
    }

    static func swiftFiles(in module: String) throws -> [URL] {
        let root = sources.appendingPathComponent(module)
        let walker = FileManager.default.enumerator(at: root, includingPropertiesForKeys: nil)
        return (walker?.allObjects as? [URL] ?? []).filter { $0.pathExtension == "swift" }
    }
}
