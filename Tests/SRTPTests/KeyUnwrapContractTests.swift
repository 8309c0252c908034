// SPDX-License-Identifier: Apache-2.0
// Copyright 2026 the swift-perc authors

import CPERCKernels
import Testing

/// `perc_aes_keyunwrap` zeroes its output on every failure, including the bad lengths it
/// rejects before unwrapping (Fuzz/Kernels found these returning 0 with the output untouched).
@Suite struct KeyUnwrapContractTests {
    static let kek: [UInt8] = Array(0..<16)

    @Test(arguments: [(true, 3), (true, 12), (true, 17), (false, 16), (false, 20), (true, 5000), (false, 5000)])
    func failedUnwrapZeroesTheOutput(padded: Bool, length: Int) {
        let input = [UInt8](repeating: 0x5A, count: length)
        var output = [UInt8](repeating: 0xEE, count: length)
        let n = perc_aes_keyunwrap(padded ? 1 : 0, Self.kek, Self.kek.count, input, input.count, &output)
        #expect(n == 0)
        #expect(output.allSatisfy { $0 == 0 }, "\(length) bytes, padded \(padded): output not zeroed")
    }

    @Test func forgedCiphertextZeroesTheOutput() {
        var wrapped = [UInt8](repeating: 0, count: 40)
        let plaintext: [UInt8] = Array(100..<125)
        let n = perc_aes_keywrap(1, Self.kek, Self.kek.count, plaintext, plaintext.count, &wrapped)
        #expect(n == 40)   // 8 * ceil(25 / 8) + 8
        var forged = Array(wrapped[0..<n])
        forged[5] ^= 1
        var output = [UInt8](repeating: 0xEE, count: n)
        #expect(perc_aes_keyunwrap(1, Self.kek, Self.kek.count, forged, forged.count, &output) == 0)
        #expect(output.allSatisfy { $0 == 0 })
    }
}
