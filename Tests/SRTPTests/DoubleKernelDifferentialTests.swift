// SPDX-License-Identifier: Apache-2.0
// Copyright 2026 the swift-perc authors

import TestSupport
import CPERCKernels
import SRTP
import Testing

/// The fused double seal/open and the fan-out seal of every backend against separate
/// OpenSSL GCM calls, at every payload length 0...1500 (random keys of 128 and 256 bits,
/// IVs, AAD and OHB of 1...4 bytes; one random case per length): the fused seal equals two
/// seals byte for byte, the fused open equals two opens and rejects a flipped bit in either
/// tag, either ciphertext, either AAD or the OHB, releasing no plaintext; a fan-out to N =
/// 1...16 copies with mixed keys equals N separate seals.
@Suite struct DoubleKernelDifferentialTests {
    static let backends = CryptoBackend.available

    @Test(arguments: backends)
    func doubleSealAndOpenMatchSeparateCalls(backend: CryptoBackend) throws {
        var rng = DoubleTestRandom(seed: 0x6462_6c00 + UInt64(backend.rawValue))
        for length in 0...1500 {
            let keyLength = length % 2 == 0 ? 16 : 32
            let innerKey = rng.bytes(keyLength), outerKey = rng.bytes(keyLength)
            let innerIV = rng.bytes(12), outerIV = rng.bytes(12)
            // Mostly RTP-sized AAD; every 50th case a long one (the long-AAD paths).
            let innerAAD = rng.bytes(length % 50 == 7 ? 300 : 12 + Int(rng.next() % 61))
            let outerAAD = rng.bytes(length % 50 == 9 ? 280 : 12 + Int(rng.next() % 89))
            let ohb = rng.bytes(1 + Int(rng.next() % 4)), plaintext = rng.bytes(length)
            let refInner = try #require(KernelKey(.openssl, innerKey)), refOuter = try #require(KernelKey(.openssl, outerKey))
            let inner = try #require(KernelKey(backend, innerKey)), outer = try #require(KernelKey(backend, outerKey))

            // Reference: inner seal, then the outer seal of inner ciphertext | inner tag | OHB.
            let (innerSealed, innerTag) = refInner.seal(innerIV, innerAAD, plaintext)
            let outerPlaintext = innerSealed + innerTag + ohb
            let (expected, expectedTag) = refOuter.seal(outerIV, outerAAD, outerPlaintext)

            for inPlace in [false, true] {
                let (sealed, tag) = doubleSeal(inner, innerIV, innerAAD, outer, outerIV, outerAAD, plaintext, ohb, inPlace)
                #expect(sealed == expected && tag == expectedTag, "seal, \(backend) length \(length) in place \(inPlace)")
            }
            // The OHB read ahead equals the OHB.
            #expect(peek(outer, outerIV, expected, ohb.count) == ohb, "peek, \(backend) length \(length)")

            let opened = doubleOpen(inner, innerIV, innerAAD, outer, outerIV, outerAAD, expected, expectedTag, ohb.count)
            #expect(opened.result == 1 && opened.output == plaintext + innerTag + ohb, "open, \(backend) length \(length)")
            let openedInPlace = doubleOpen(inner, innerIV, innerAAD, outer, outerIV, outerAAD, expected, expectedTag,
                                           ohb.count, inPlace: true)
            #expect(openedInPlace.result == 1 && openedInPlace.output == opened.output, "open in place, \(backend) length \(length)")

            // One corruption per length, cycling through the places a bit can flip. An inner
            // corruption is re-sealed under the outer layer, so only the inner check catches it.
            var (ciphertext, tag, iAAD, oAAD) = (expected, expectedTag, innerAAD, outerAAD)
            let expectedResult: Int32
            switch length % 6 {
            case 0:
                tag[Int(rng.next() % 16)] ^= 1 << (rng.next() % 8)
                expectedResult = 0
            case 1:
                ciphertext[Int(rng.next() % UInt64(ciphertext.count))] ^= 1 << (rng.next() % 8)
                expectedResult = 0
            case 2:
                oAAD[Int(rng.next() % UInt64(oAAD.count))] ^= 1 << (rng.next() % 8)
                expectedResult = 0
            case 3:   // the OHB bytes of the outer ciphertext
                ciphertext[ciphertext.count - 1 - Int(rng.next() % UInt64(ohb.count))] ^= 1 << (rng.next() % 8)
                expectedResult = 0
            case 4:
                iAAD[Int(rng.next() % UInt64(iAAD.count))] ^= 1 << (rng.next() % 8)
                expectedResult = -1
            default:   // inner ciphertext or inner tag, then a valid outer seal over it
                var corrupted = outerPlaintext
                corrupted[Int(rng.next() % UInt64(length + 16))] ^= 1 << (rng.next() % 8)
                (ciphertext, tag) = refOuter.seal(outerIV, outerAAD, corrupted)
                expectedResult = -1
            }
            let rejected = doubleOpen(inner, innerIV, iAAD, outer, outerIV, oAAD, ciphertext, tag, ohb.count, inPlace: true)
            #expect(rejected.result == expectedResult && rejected.output == ciphertext,
                    "corruption \(length % 6) in place, \(backend) length \(length)")
            let rejectedCopy = doubleOpen(inner, innerIV, iAAD, outer, outerIV, oAAD, ciphertext, tag, ohb.count)
            #expect(rejectedCopy.result == expectedResult && rejectedCopy.output.allSatisfy { $0 == 0 },
                    "corruption \(length % 6) to a separate buffer, \(backend) length \(length)")
            // The portable twin agrees on the verdict.
            let twin = doubleOpen(refInner, innerIV, iAAD, refOuter, outerIV, oAAD, ciphertext, tag, ohb.count)
            #expect(twin.result == expectedResult, "twin verdict, length \(length)")
        }
    }

    /// N = 1...16 copies (N cycles with the length), keys of 128 and 256 bits and of this and
    /// the OpenSSL backend mixed, each copy with its own IV, AAD and 0...4 tail bytes.
    @Test(arguments: backends)
    func fanOutMatchesSeparateSeals(backend: CryptoBackend) throws {
        var rng = DoubleTestRandom(seed: 0x666e_6f00 + UInt64(backend.rawValue))
        for length in 0...1500 {
            let copies = 1 + length % 16
            let shared = rng.bytes(length)
            var keys: [KernelKey] = [], references: [KernelKey] = []
            var ivs: [[UInt8]] = [], aads: [[UInt8]] = [], tails: [[UInt8]] = []
            for c in 0..<copies {
                let raw = rng.bytes(rng.next() % 3 == 0 ? 32 : 16)
                keys.append(try #require(KernelKey(c % 7 == 6 ? .openssl : backend, raw)))
                references.append(try #require(KernelKey(.openssl, raw)))
                ivs.append(rng.bytes(12))
                aads.append(rng.bytes(12 + Int(rng.next() % 40)))
                tails.append(rng.bytes(Int(rng.next() % 5)))
            }
            // Flat buffers, one stride per copy, so every pointer comes from one closure.
            let ivBytes: [UInt8] = ivs.flatMap { $0 }, aadBytes: [UInt8] = aads.flatMap { $0 }
            let tailBytes: [UInt8] = tails.flatMap { $0 } + [0]
            let aadOffsets = aads.indices.map { aads[..<$0].reduce(0) { $0 + $1.count } }
            let tailOffsets = tails.indices.map { tails[..<$0].reduce(0) { $0 + $1.count } }
            let stride = length + 4
            var outBytes = [UInt8](repeating: 0, count: copies * stride), tagBytes = [UInt8](repeating: 0, count: copies * 16)
            var jobs = (0..<copies).map { c in
                perc_gcm_fanout_job(key: keys[c].key, iv: nil, aad: nil, aad_len: aads[c].count, tail: nil,
                                    tail_len: tails[c].count, out: nil, tag: nil, result: 0)
            }
            shared.withUnsafeBufferPointer { sharedBytes in
                ivBytes.withUnsafeBufferPointer { iv in
                    aadBytes.withUnsafeBufferPointer { aad in
                        tailBytes.withUnsafeBufferPointer { tail in
                            outBytes.withUnsafeMutableBufferPointer { out in
                                tagBytes.withUnsafeMutableBufferPointer { tag in
                                    for c in 0..<copies {
                                        jobs[c].iv = UnsafePointer(iv.baseAddress!) + 12 * c
                                        jobs[c].aad = UnsafePointer(aad.baseAddress!) + aadOffsets[c]
                                        jobs[c].tail = UnsafePointer(tail.baseAddress!) + tailOffsets[c]
                                        jobs[c].out = out.baseAddress! + stride * c
                                        jobs[c].tag = tag.baseAddress! + 16 * c
                                    }
                                    perc_gcm_seal_fanout(sharedBytes.baseAddress, length, &jobs, copies)
                                }
                            }
                        }
                    }
                }
            }
            let outputs = (0..<copies).map { Array(outBytes[(stride * $0)..<(stride * $0 + length + tails[$0].count)]) }
            let tags = (0..<copies).map { Array(tagBytes[(16 * $0)..<(16 * $0 + 16)]) }
            let results = jobs.map(\.result)
            for c in 0..<copies {
                let (expected, expectedTag) = references[c].seal(ivs[c], aads[c], shared + tails[c])
                #expect(results[c] == 1 && outputs[c] == expected && tags[c] == expectedTag,
                        "\(backend) length \(length) copy \(c) of \(copies)")
            }
        }
    }

    // MARK: - Helpers

    func doubleSeal(_ inner: KernelKey, _ innerIV: [UInt8], _ innerAAD: [UInt8], _ outer: KernelKey,
                    _ outerIV: [UInt8], _ outerAAD: [UInt8], _ plaintext: [UInt8], _ ohb: [UInt8],
                    _ inPlace: Bool) -> ([UInt8], [UInt8]) {
        var buffer = plaintext + [UInt8](repeating: 0, count: 16 + ohb.count)
        var separate = [UInt8](repeating: 0, count: buffer.count)
        var tag = [UInt8](repeating: 0, count: 16)
        let input = buffer
        let ok = input.withUnsafeBufferPointer { i in
            buffer.withUnsafeMutableBufferPointer { b in
                separate.withUnsafeMutableBufferPointer { s in
                    perc_gcm_double_seal(inner.key, innerIV, innerAAD, innerAAD.count, outer.key, outerIV, outerAAD,
                                         outerAAD.count, inPlace ? UnsafePointer(b.baseAddress) : i.baseAddress,
                                         inPlace ? b.baseAddress : s.baseAddress, plaintext.count, ohb, ohb.count, &tag)
                }
            }
        }
        return ok == 1 ? (inPlace ? buffer : separate, tag) : ([], [])
    }

    func doubleOpen(_ inner: KernelKey, _ innerIV: [UInt8], _ innerAAD: [UInt8], _ outer: KernelKey,
                    _ outerIV: [UInt8], _ outerAAD: [UInt8], _ ciphertext: [UInt8], _ tag: [UInt8], _ ohbLength: Int,
                    inPlace: Bool = false) -> (result: Int32, output: [UInt8]) {
        var buffer = ciphertext
        var separate = [UInt8](repeating: 0xA5, count: ciphertext.count)
        let result = ciphertext.withUnsafeBufferPointer { c in
            buffer.withUnsafeMutableBufferPointer { b in
                separate.withUnsafeMutableBufferPointer { s in
                    perc_gcm_double_open(inner.key, innerIV, innerAAD, innerAAD.count, outer.key, outerIV, outerAAD,
                                         outerAAD.count, inPlace ? UnsafePointer(b.baseAddress) : c.baseAddress,
                                         inPlace ? b.baseAddress : s.baseAddress, ciphertext.count, ohbLength, tag)
                }
            }
        }
        return (result, inPlace ? buffer : separate)
    }

    func peek(_ key: KernelKey, _ iv: [UInt8], _ ciphertext: [UInt8], _ count: Int) -> [UInt8] {
        var out = [UInt8](repeating: 0, count: count)
        let ok = ciphertext.withUnsafeBufferPointer { c in
            perc_gcm_ctr_peek(key.key, iv, ciphertext.count - count, c.baseAddress! + (ciphertext.count - count), &out,
                              count)
        }
        return ok == 1 ? out : []
    }
}

/// A GCM kernel key for the tests (the SRTP wrapper is package-internal).
final class KernelKey {
    let key: OpaquePointer
    init?(_ backend: CryptoBackend, _ bytes: [UInt8]) {
        guard let key = perc_gcm_key_new(perc_backend(rawValue: UInt32(backend.rawValue)), bytes, bytes.count)
        else { return nil }
        self.key = key
    }
    deinit { perc_gcm_key_free(key) }

    func seal(_ iv: [UInt8], _ aad: [UInt8], _ plaintext: [UInt8]) -> ([UInt8], [UInt8]) {
        var out = [UInt8](repeating: 0, count: plaintext.count), tag = [UInt8](repeating: 0, count: 16)
        _ = plaintext.withUnsafeBufferPointer { p in
            out.withUnsafeMutableBufferPointer { o in
                perc_gcm_seal(key, iv, aad, aad.count, nil, 0, p.baseAddress, o.baseAddress, plaintext.count, &tag)
            }
        }
        return (out, tag)
    }
}

/// SplitMix64: reproducible test data.
struct DoubleTestRandom {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9e37_79b9_7f4a_7c15
        var z = state
        z = (z ^ (z >> 30)) &* 0xbf58_476d_1ce4_e5b9
        z = (z ^ (z >> 27)) &* 0x94d0_49bb_1331_11eb
        return z ^ (z >> 31)
    }
    mutating func bytes(_ count: Int) -> [UInt8] { (0..<count).map { _ in UInt8(truncatingIfNeeded: next()) } }
}
