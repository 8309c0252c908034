// SPDX-License-Identifier: Apache-2.0
// Copyright 2026 the swift-perc authors

import CPERCKernels
import Foundation
import SRTP
import TestSupport
import Testing

/// Every crypto backend this CPU runs, checked against the OpenSSL backend at every packet
/// length 0...1500 (random keys, IVs and AAD; one random case per length), against published
/// known-answer vectors, and for the GCM open contract (a flipped bit anywhere is rejected
/// and no plaintext is released).
@Suite struct KernelDifferentialTests {
    static let backends = CryptoBackend.available

    // MARK: - AES-GCM

    @Test(arguments: backends)
    func gcmMatchesOpenSSLAtEveryLength(backend: CryptoBackend) throws {
        var rng = KernelTestRandom(seed: 0x6763_6d00 + UInt64(backend.rawValue))
        for keyLength in [16, 32] {
            for length in 0...1500 {
                let key = rng.bytes(keyLength), iv = rng.bytes(12)
                let aad = rng.bytes(12 + Int(rng.next() % 89)), split = Int(rng.next() % UInt64(aad.count + 1))
                let plaintext = rng.bytes(length)
                let reference = try #require(TestGCMKey(.openssl, key)), subject = try #require(TestGCMKey(backend, key))
                let (expected, expectedTag) = reference.seal(iv, aad, [], plaintext)
                let (sealed, tag) = subject.seal(iv, Array(aad[..<split]), Array(aad[split...]), plaintext)
                #expect(sealed == expected && tag == expectedTag, "seal, \(backend) key \(keyLength) length \(length)")

                let opened = subject.open(iv, Array(aad[..<split]), Array(aad[split...]), expected, expectedTag)
                #expect(opened.ok && opened.output == plaintext, "open, \(backend) length \(length)")
                let inPlace = subject.open(iv, aad, [], expected, expectedTag, inPlace: true)
                #expect(inPlace.ok && inPlace.output == plaintext, "open in place, \(backend) length \(length)")

                // One flipped bit somewhere in ciphertext || tag || AAD must be rejected.
                var (ciphertext, badTag, badAAD) = (expected, expectedTag, aad)
                let bit = Int(rng.next() % UInt64(8 * (length + 16 + aad.count)))
                let (byte, mask) = (bit / 8, UInt8(1) << (bit % 8))
                if byte < length {
                    ciphertext[byte] ^= mask
                } else if byte < length + 16 {
                    badTag[byte - length] ^= mask
                } else {
                    badAAD[byte - length - 16] ^= mask
                }
                let rejected = subject.open(iv, badAAD, [], ciphertext, badTag, inPlace: true)
                #expect(!rejected.ok && rejected.output == ciphertext, "flip \(bit) in place, \(backend) length \(length)")
                let rejectedCopy = subject.open(iv, badAAD, [], ciphertext, badTag)
                #expect(!rejectedCopy.ok && rejectedCopy.output.allSatisfy { $0 == 0 },
                        "flip \(bit) to a separate buffer, \(backend) length \(length)")
            }
        }
    }

    /// AAD of every length 0...600 (short and long paths, split anywhere) with random data lengths.
    @Test(arguments: backends)
    func gcmMatchesOpenSSLAtEveryAADLength(backend: CryptoBackend) throws {
        var rng = KernelTestRandom(seed: 0x6161_6400 + UInt64(backend.rawValue))
        for aadLength in 0...600 {
            let key = rng.bytes(aadLength % 2 == 0 ? 16 : 32), iv = rng.bytes(12), aad = rng.bytes(aadLength)
            let plaintext = rng.bytes(Int(rng.next() % 600)), split = Int(rng.next() % UInt64(aadLength + 1))
            let reference = try #require(TestGCMKey(.openssl, key)), subject = try #require(TestGCMKey(backend, key))
            let (expected, expectedTag) = reference.seal(iv, aad, [], plaintext)
            let (sealed, tag) = subject.seal(iv, Array(aad[..<split]), Array(aad[split...]), plaintext)
            #expect(sealed == expected && tag == expectedTag, "\(backend) AAD \(aadLength) length \(plaintext.count)")
            #expect(subject.open(iv, Array(aad[..<split]), Array(aad[split...]), expected, expectedTag).ok)
        }
    }

    /// The batch calls give what one-at-a-time calls give, with keys of both sizes and of
    /// different backends mixed in one batch, lengths on both sides of the short-packet
    /// limit, and some tags corrupted.
    @Test(arguments: backends)
    func gcmBatchEqualsSingleCalls(backend: CryptoBackend) throws {
        var rng = KernelTestRandom(seed: 0x6261_7400 + UInt64(backend.rawValue))
        let keys = try [16, 32, 16].map { try #require(TestGCMKey(backend, rng.bytes($0))) }
            + [try #require(TestGCMKey(.openssl, rng.bytes(16)))]
        for round in 0..<200 {
            let count = 1 + Int(rng.next() % 13)
            var packets: [BatchPacket] = []
            for _ in 0..<count {
                let length = rng.next() % 4 == 0 ? Int(rng.next() % 700) : Int(rng.next() % 241)
                let aad = rng.bytes(Int(rng.next() % (rng.next() % 8 == 0 ? 300 : 40)))
                packets.append(BatchPacket(key: keys[Int(rng.next() % UInt64(keys.count))], iv: rng.bytes(12), aad: aad,
                                           split: Int(rng.next() % UInt64(aad.count + 1)), input: rng.bytes(length)))
            }
            let expected = packets.map { $0.key.seal($0.iv, $0.aad, [], $0.input) }
            let sealed = TestGCMKey.batch(packets, open: false)
            for i in 0..<count {
                #expect(sealed[i].ok && sealed[i].output == expected[i].0 && sealed[i].tag == expected[i].1,
                        "seal batch round \(round) job \(i) length \(packets[i].input.count)")
            }
            // Open the results in place, a third of them with a flipped tag bit.
            var opening = packets
            var corrupt: [Bool] = []
            for i in 0..<count {
                var tag = expected[i].1
                corrupt.append(rng.next() % 3 == 0)
                if corrupt[i] { tag[Int(rng.next() % 16)] ^= UInt8(1) << (rng.next() % 8) }
                opening[i].input = expected[i].0
                opening[i].tag = tag
            }
            let opened = TestGCMKey.batch(opening, open: true)
            for i in 0..<count {
                if corrupt[i] {
                    #expect(!opened[i].ok && opened[i].output == expected[i].0, "open batch (bad tag) job \(i)")
                } else {
                    #expect(opened[i].ok && opened[i].output == packets[i].input, "open batch job \(i)")
                }
            }
        }
    }

    /// The Swift wrapper over the batch calls (what PacketBatch-style callers use).
    @Test(arguments: backends)
    func kernelAESGCMBatchWrapperMatchesSingleCalls(backend: CryptoBackend) throws {
        var rng = KernelTestRandom(seed: 0x7377_6200 + UInt64(backend.rawValue))
        let keyBytes = [rng.bytes(16), rng.bytes(32)]
        let keys = try keyBytes.map { bytes in try #require(bytes.withUnsafeBytes { KernelAESGCM(key: $0, backend: backend) }) }
        let count = 9
        let ivs = (0..<count).map { _ in rng.bytes(12) }, headers = (0..<count).map { _ in rng.bytes(12) }
        let payloads = (0..<count).map { i in rng.bytes(i * 97 % 400) }
        var outputs = payloads, tags = [[UInt8]](repeating: [UInt8](repeating: 0, count: 16), count: count)
        var results = [Bool](repeating: false, count: count)
        // Nested pointer scopes for every buffer, flattened through raw allocations.
        let storage = UnsafeMutableRawPointer.allocate(byteCount: count * (12 + 12 + 400 + 16), alignment: 16)
        defer { storage.deallocate() }
        var jobs: [KernelAESGCMJob] = []
        for i in 0..<count {
            let base = storage + i * (12 + 12 + 400 + 16)
            base.copyMemory(from: ivs[i], byteCount: 12)
            (base + 12).copyMemory(from: headers[i], byteCount: 12)
            (base + 24).copyMemory(from: payloads[i], byteCount: payloads[i].count)
            jobs.append(KernelAESGCMJob(key: keys[i % 2], iv: base, aad: UnsafeRawBufferPointer(start: base + 12, count: 12),
                                        input: base + 24, output: base + 24, count: payloads[i].count, tag: base + 424))
        }
        jobs.withUnsafeBufferPointer { j in
            results.withUnsafeMutableBufferPointer { KernelAESGCM.sealBatch(j, results: $0) }
        }
        for i in 0..<count {
            let base = storage + i * (12 + 12 + 400 + 16)
            outputs[i] = Array(UnsafeRawBufferPointer(start: base + 24, count: payloads[i].count))
            tags[i] = Array(UnsafeRawBufferPointer(start: base + 424, count: 16))
            let reference = try #require(TestGCMKey(.openssl, keyBytes[i % 2]))
            let (expected, expectedTag) = reference.seal(ivs[i], headers[i], [], payloads[i])
            #expect(results[i] && outputs[i] == expected && tags[i] == expectedTag, "job \(i)")
        }
        jobs.withUnsafeBufferPointer { j in
            results.withUnsafeMutableBufferPointer { KernelAESGCM.openBatch(j, results: $0) }
        }
        for i in 0..<count {
            let opened = Array(UnsafeRawBufferPointer(start: storage + i * (12 + 12 + 400 + 16) + 24, count: payloads[i].count))
            #expect(results[i] && opened == payloads[i], "open job \(i)")
        }
    }

    /// Data, AAD, IV and tag at every byte offset 0...31 (the kernels must not assume any
    /// alignment of caller memory), in place and out of place.
    @Test(arguments: backends)
    func unalignedBuffers(backend: CryptoBackend) throws {
        var rng = KernelTestRandom(seed: 0x616c_6e00 + UInt64(backend.rawValue))
        let key = rng.bytes(16)
        let reference = try #require(TestGCMKey(.openssl, key)), subject = try #require(TestGCMKey(backend, key))
        let ctrReference = try #require(TestCTRKey(.openssl, key)), ctrSubject = try #require(TestCTRKey(backend, key))
        let region = UnsafeMutableRawPointer.allocate(byteCount: 4096, alignment: 64)
        defer { region.deallocate() }
        for offset in 0..<32 {
            for length in [1, 15, 16, 17, 100, 160, 240, 241, 255, 256, 257, 1200] {
                let iv = rng.bytes(12), aad = rng.bytes(13), plaintext = rng.bytes(length), ctrIV = rng.bytes(16)
                let (expected, expectedTag) = reference.seal(iv, aad, [], plaintext)
                // Layout at `offset`: iv | aad | data | tag | output, each at odd distances.
                let ivp = region + offset, aadp = ivp + 12, data = aadp + 13, tagp = data + length, outp = tagp + 16 + 3
                ivp.copyMemory(from: iv, byteCount: 12)
                aadp.copyMemory(from: aad, byteCount: 13)
                data.copyMemory(from: plaintext, byteCount: length)
                let u8 = { (p: UnsafeMutableRawPointer) in p.assumingMemoryBound(to: UInt8.self) }
                #expect(perc_gcm_seal(subject.key, u8(ivp), u8(aadp), 13, nil, 0, u8(data), u8(outp), length, u8(tagp)) == 1)
                #expect(Array(UnsafeRawBufferPointer(start: outp, count: length)) == expected, "offset \(offset) length \(length)")
                #expect(Array(UnsafeRawBufferPointer(start: tagp, count: 16)) == expectedTag)
                #expect(perc_gcm_open(subject.key, u8(ivp), u8(aadp), 13, nil, 0, u8(outp), u8(outp), length, u8(tagp)) == 1)
                #expect(Array(UnsafeRawBufferPointer(start: outp, count: length)) == plaintext)
                let ctrp = outp + length + 1   // an unaligned counter block after everything else
                ctrp.copyMemory(from: ctrIV, byteCount: 16)
                #expect(perc_ctr_xor(ctrSubject.key, u8(ctrp), u8(data), u8(data), length) == 1)
                #expect(Array(UnsafeRawBufferPointer(start: data, count: length)) == ctrReference.apply(ctrIV, plaintext))
            }
        }
    }

    /// McGrew and Viega, "The Galois/Counter Mode of Operation (GCM)", Appendix B, test
    /// cases 2, 3, 4 (AES-128) and 14, 15, 16 (AES-256).
    static let nistCases: [(name: String, key: String, iv: String, plaintext: String, aad: String, ciphertext: String, tag: String)] = [
        ("2", "00000000000000000000000000000000", "000000000000000000000000", "00000000000000000000000000000000", "",
         "0388dace60b6a392f328c2b971b2fe78", "ab6e47d42cec13bdf53a67b21257bddf"),
        ("3", "feffe9928665731c6d6a8f9467308308", "cafebabefacedbaddecaf888",
         "d9313225f88406e5a55909c5aff5269a86a7a9531534f7da2e4c303d8a318a721c3c0c95956809532fcf0e2449a6b525b16aedf5aa0de657ba637b391aafd255",
         "",
         "42831ec2217774244b7221b784d0d49ce3aa212f2c02a4e035c17e2329aca12e21d514b25466931c7d8f6a5aac84aa051ba30b396a0aac973d58e091473f5985",
         "4d5c2af327cd64a62cf35abd2ba6fab4"),
        ("4", "feffe9928665731c6d6a8f9467308308", "cafebabefacedbaddecaf888",
         "d9313225f88406e5a55909c5aff5269a86a7a9531534f7da2e4c303d8a318a721c3c0c95956809532fcf0e2449a6b525b16aedf5aa0de657ba637b39",
         "feedfacedeadbeeffeedfacedeadbeefabaddad2",
         "42831ec2217774244b7221b784d0d49ce3aa212f2c02a4e035c17e2329aca12e21d514b25466931c7d8f6a5aac84aa051ba30b396a0aac973d58e091",
         "5bc94fbc3221a5db94fae95ae7121a47"),
        ("14", "0000000000000000000000000000000000000000000000000000000000000000", "000000000000000000000000",
         "00000000000000000000000000000000", "", "cea7403d4d606b6e074ec5d3baf39d18", "d0d1c8a799996bf0265b98b5d48ab919"),
        ("15", "feffe9928665731c6d6a8f9467308308feffe9928665731c6d6a8f9467308308", "cafebabefacedbaddecaf888",
         "d9313225f88406e5a55909c5aff5269a86a7a9531534f7da2e4c303d8a318a721c3c0c95956809532fcf0e2449a6b525b16aedf5aa0de657ba637b391aafd255",
         "",
         "522dc1f099567d07f47f37a32a84427d643a8cdcbfe5c0c97598a2bd2555d1aa8cb08e48590dbb3da7b08b1056828838c5f61e6393ba7a0abcc9f662898015ad",
         "b094dac5d93471bdec1a502270e3cc6c"),
        ("16", "feffe9928665731c6d6a8f9467308308feffe9928665731c6d6a8f9467308308", "cafebabefacedbaddecaf888",
         "d9313225f88406e5a55909c5aff5269a86a7a9531534f7da2e4c303d8a318a721c3c0c95956809532fcf0e2449a6b525b16aedf5aa0de657ba637b39",
         "feedfacedeadbeeffeedfacedeadbeefabaddad2",
         "522dc1f099567d07f47f37a32a84427d643a8cdcbfe5c0c97598a2bd2555d1aa8cb08e48590dbb3da7b08b1056828838c5f61e6393ba7a0abcc9f662",
         "76fc6ece0f4e1768cddf8853bb2d551b"),
    ]

    @Test(arguments: backends)
    func gcmNISTKnownAnswers(backend: CryptoBackend) throws {
        for vector in Self.nistCases {
            let key = try #require(TestGCMKey(backend, try kernelHex(vector.key)))
            let (iv, aad, plaintext) = (try kernelHex(vector.iv), try kernelHex(vector.aad), try kernelHex(vector.plaintext))
            let (sealed, tag) = key.seal(iv, aad, [], plaintext)
            let (ciphertext, expectedTag) = (try kernelHex(vector.ciphertext), try kernelHex(vector.tag))
            #expect(sealed == ciphertext && tag == expectedTag, "case \(vector.name), \(backend)")
            #expect(key.open(iv, aad, [], sealed, tag).output == plaintext)
        }
    }

    @Test(arguments: backends)
    func gcmRFC7714KnownAnswers(backend: CryptoBackend) throws {
        var checked = 0
        for file in ["rfc7714-srtp-gcm128.json", "rfc7714-srtcp-gcm128.json", "rfc7714-srtp-gcm256.json",
                     "rfc7714-srtcp-gcm256.json"] {
            for vector in try Fixtures.json(file).objects("vectors") {
                let key = try #require(TestGCMKey(backend, try vector.bytes("session_key")))
                let iv = try vector.bytes("iv"), aad = try vector.bytes("aad")
                let ciphertext = try vector.bytes("ciphertext"), tag = try vector.bytes("tag")
                let plaintext: [UInt8] = (vector["rtp_payload_plaintext"] as? String) != nil
                    ? try vector.bytes("rtp_payload_plaintext")
                    : ciphertext.isEmpty ? [] : Array(try vector.bytes("rtcp_packet")[8...])
                // The SRTCP AAD is header || E+index: pass it in the two parts the transform uses.
                let split = min(8, aad.count)
                let sealed = key.seal(iv, Array(aad[..<split]), Array(aad[split...]), plaintext)
                #expect(sealed.0 == ciphertext && sealed.1 == tag, "\(file) \(vector["case"] ?? ""), \(backend)")
                #expect(key.open(iv, aad, [], ciphertext, tag).output == plaintext)
                checked += 1
            }
        }
        #expect(checked == 6)
    }

    // MARK: - AES-CTR (AES-CM)

    @Test(arguments: backends)
    func ctrMatchesOpenSSLAtEveryLength(backend: CryptoBackend) throws {
        var rng = KernelTestRandom(seed: 0x6374_7200 + UInt64(backend.rawValue))
        for keyLength in [16, 24, 32] {
            for length in 0...1500 {
                let key = rng.bytes(keyLength), plaintext = rng.bytes(length)
                var iv = rng.bytes(16)
                switch length % 3 {   // counters just below a carry out of the low 64 bits, and of all 128
                case 1: for i in 8..<16 { iv[i] = 0xff }; iv[15] &-= UInt8(rng.next() % 100)
                case 2: for i in 0..<16 { iv[i] = 0xff }; iv[15] &-= UInt8(rng.next() % 100)
                default: break
                }
                let reference = try #require(TestCTRKey(.openssl, key)), subject = try #require(TestCTRKey(backend, key))
                let expected = reference.apply(iv, plaintext)
                #expect(subject.apply(iv, plaintext) == expected, "\(backend) key \(keyLength) length \(length) iv \(iv)")
                #expect(subject.apply(iv, plaintext, inPlace: true) == expected)
            }
        }
    }

    /// RFC 3711 Appendix B.2 and RFC 6188 Sections 7.1 and 7.3: the whole 65282-block keystream
    /// segment in one call, checked at its first and last 48 bytes, and single blocks at their
    /// listed counters (RFC 3711).
    @Test(arguments: backends)
    func ctrRFCKeystreams(backend: CryptoBackend) throws {
        var checked = 0
        for file in ["rfc3711-aescm.json", "rfc6188-aescm.json"] {
            for vector in try Fixtures.json(file).objects("vectors") {
                let key = try #require(TestCTRKey(backend, try vector.bytes("session_key")))
                let blocks = try vector.int("keystream_blocks")
                let stream = key.apply(try vector.bytes("iv"), [UInt8](repeating: 0, count: 16 * blocks))
                #expect(Array(stream.prefix(48)) == (try vector.bytes("keystream_first_48")), "\(file), \(backend)")
                #expect(Array(stream.suffix(48)) == (try vector.bytes("keystream_last_48")), "\(file), \(backend)")
                for block in ((vector["first_blocks"] as? [[String: Any]]) ?? []) + ((vector["last_blocks"] as? [[String: Any]]) ?? []) {
                    let one = key.apply(try block.bytes("counter"), [UInt8](repeating: 0, count: 16))
                    #expect(one == (try block.bytes("keystream")), "\(file) block, \(backend)")
                }
                checked += 1
            }
        }
        #expect(checked == 3)
    }

    // MARK: - HMAC-SHA1

    @Test(arguments: backends)
    func hmacMatchesOpenSSL(backend: CryptoBackend) throws {
        var rng = KernelTestRandom(seed: 0x686d_6100 + UInt64(backend.rawValue))
        for keyLength in 0...100 {
            for length in stride(from: keyLength % 7, through: 1500, by: 7) {
                let key = rng.bytes(keyLength), data = rng.bytes(length)
                let split = Int(rng.next() % UInt64(length + 1))
                let reference = try #require(TestHMACKey(.openssl, key)), subject = try #require(TestHMACKey(backend, key))
                #expect(subject.mac(Array(data[..<split]), Array(data[split...])) == reference.mac(data, []),
                        "\(backend) key \(keyLength) length \(length) split \(split)")
            }
        }
    }

    /// perc_hmac_sha1_batch gives what one-at-a-time calls give, with keys of this backend and
    /// of OpenSSL mixed, lengths up to past the paired-message limit, and two-part input.
    @Test(arguments: backends)
    func hmacBatchEqualsSingleCalls(backend: CryptoBackend) throws {
        var rng = KernelTestRandom(seed: 0x6862_7400 + UInt64(backend.rawValue))
        let keys = try [20, 0, 80].map { try #require(TestHMACKey(backend, rng.bytes($0))) }
            + [try #require(TestHMACKey(.openssl, rng.bytes(20)))]
        for round in 0..<100 {
            let count = 1 + Int(rng.next() % 9)
            let messages = (0..<count).map { _ in rng.bytes(Int(rng.next() % (rng.next() % 5 == 0 ? 2600 : 1500))) }
            let splits = messages.map { Int(rng.next() % UInt64($0.count + 1)) }
            let chosen = (0..<count).map { _ in keys[Int(rng.next() % UInt64(keys.count))] }
            let macs = UnsafeMutablePointer<UInt8>.allocate(capacity: 20 * count)
            defer { macs.deallocate() }
            let storage = messages.map { message -> UnsafeMutablePointer<UInt8> in
                let p = UnsafeMutablePointer<UInt8>.allocate(capacity: max(1, message.count))
                p.initialize(from: message, count: message.count)
                return p
            }
            defer { storage.forEach { $0.deallocate() } }
            var jobs: [perc_hmac_sha1_job] = []
            for i in 0..<count {
                let key: OpaquePointer = chosen[i].key
                let first: UnsafePointer<UInt8> = UnsafePointer(storage[i])
                let second: UnsafePointer<UInt8> = first + splits[i]
                let length: Int = messages[i].count
                jobs.append(perc_hmac_sha1_job(key: key, d1: first, l1: splits[i], d2: second, l2: length - splits[i],
                                               mac: macs + 20 * i))
            }
            jobs.withUnsafeMutableBufferPointer { perc_hmac_sha1_batch($0.baseAddress, $0.count) }
            for i in 0..<count {
                #expect(Array(UnsafeBufferPointer(start: macs + 20 * i, count: 20)) == chosen[i].mac(messages[i], []),
                        "round \(round) job \(i) length \(messages[i].count)")
            }
        }
    }

    /// RFC 2202, Section 3 (HMAC-SHA-1 test cases 1-7).
    static let rfc2202: [(key: [UInt8], data: [UInt8], mac: String)] = [
        ([UInt8](repeating: 0x0b, count: 20), Array("Hi There".utf8), "b617318655057264e28bc0b6fb378c8ef146be00"),
        (Array("Jefe".utf8), Array("what do ya want for nothing?".utf8), "effcdf6ae5eb2fa2d27416d5f184df9c259a7c79"),
        ([UInt8](repeating: 0xaa, count: 20), [UInt8](repeating: 0xdd, count: 50), "125d7342b9ac11cd91a39af48aa17b4f63f175d3"),
        ((1...25).map { UInt8($0) }, [UInt8](repeating: 0xcd, count: 50), "4c9007f4026250c6bc8414f9bf50c86c2d7235da"),
        ([UInt8](repeating: 0x0c, count: 20), Array("Test With Truncation".utf8), "4c1a03424b55e07fe7f27be1d58bb9324a9a5a04"),
        ([UInt8](repeating: 0xaa, count: 80), Array("Test Using Larger Than Block-Size Key - Hash Key First".utf8),
         "aa4ae5e15272d00e95705637ce8a3b55ed402112"),
        ([UInt8](repeating: 0xaa, count: 80),
         Array("Test Using Larger Than Block-Size Key and Larger Than One Block-Size Data".utf8),
         "e8e99d0f45237d786d6bbaa7965c7808bbff1a91"),
    ]

    @Test(arguments: backends)
    func hmacRFC2202KnownAnswers(backend: CryptoBackend) throws {
        for (index, vector) in Self.rfc2202.enumerated() {
            let key = try #require(TestHMACKey(backend, vector.key))
            #expect(key.mac(vector.data, []) == (try kernelHex(vector.mac)), "case \(index + 1), \(backend)")
        }
    }

    /// Every SHA-1 compression path (portable C and, where present, SHA-NI or ARMv8 SHA1):
    /// FIPS 180 "abc" and agreement on random multi-block input.
    @Test func sha1CompressionPathsAgree() throws {
        let iv: [UInt32] = [0x6745_2301, 0xefcd_ab89, 0x98ba_dcfe, 0x1032_5476, 0xc3d2_e1f0]
        var abc = [UInt8](repeating: 0, count: 64)
        abc[0] = 0x61; abc[1] = 0x62; abc[2] = 0x63; abc[3] = 0x80; abc[63] = 0x18
        var rng = KernelTestRandom(seed: 0x5348_4131)
        let random = rng.bytes(64 * 37)
        var results: [[UInt32]] = []
        for impl in [0, 1, 2] {
            var state = iv
            guard perc_sha1_compress_impl(Int32(impl), &state, abc, 1) == 1 else { continue }
            #expect(state == [0xa999_3e36, 0x4706_816a, 0xba3e_2571, 0x7850_c26c, 0x9cd0_d89d], "impl \(impl)")
            state = iv
            #expect(perc_sha1_compress_impl(Int32(impl), &state, random, 37) == 1)
            results.append(state)
        }
        #expect(results.count >= 1)
        #expect(Set(results.map { $0.description }).count == 1)
    }

    // MARK: - Backend choice

    @Test(arguments: backends)
    func keysReportTheRequestedBackend(backend: CryptoBackend) throws {
        let key = [UInt8](repeating: 7, count: 32)
        #expect(try #require(TestGCMKey(backend, Array(key[..<16]))).backend == backend)
        #expect(try #require(TestGCMKey(backend, key)).backend == backend)
        #expect(try #require(TestCTRKey(backend, Array(key[..<24]))).backend == backend)
        #expect(try #require(TestHMACKey(backend, key)).backend == backend)
    }

    @Test func unavailableBackendsMakeNoKeys() {
        for backend in CryptoBackend.allCases where !backend.isAvailable {
            #expect(TestGCMKey(backend, [UInt8](repeating: 0, count: 16)) == nil)
            #expect(TestCTRKey(backend, [UInt8](repeating: 0, count: 16)) == nil)
            #expect(TestHMACKey(backend, [UInt8](repeating: 0, count: 16)) == nil)
        }
    }

    /// PERC_CRYPTO_BACKEND forces the default when it names an available backend; otherwise
    /// the most capable available one is the default.
    @Test func defaultBackendFollowsTheEnvironment() {
        let preference: [CryptoBackend] = [.vaes512, .vaes256, .armv8, .aesni, .openssl]
        let mostCapable = preference.first(where: \.isAvailable)
        if let name = getenv("PERC_CRYPTO_BACKEND").map({ String(cString: $0) }),
           let forced = CryptoBackend(name: name), forced.isAvailable {
            #expect(CryptoBackend.default == forced)
        } else {
            #expect(CryptoBackend.default == mostCapable)
        }
        #expect(CryptoBackend.available.contains(.openssl))
    }
}

// MARK: - Helpers

fileprivate func kernelHex(_ text: String) throws -> [UInt8] {
    try #require(Hex.decode(text))
}

/// A small deterministic generator (KernelTestRandom), so a failing case can be replayed.
fileprivate struct KernelTestRandom: RandomNumberGenerator {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9e37_79b9_7f4a_7c15
        var z = state
        z = (z ^ (z >> 30)) &* 0xbf58_476d_1ce4_e5b9
        z = (z ^ (z >> 27)) &* 0x94d0_49bb_1331_11eb
        return z ^ (z >> 31)
    }
    mutating func bytes(_ count: Int) -> [UInt8] {
        var out = [UInt8](repeating: 0, count: count)
        out.withUnsafeMutableBytes { raw in
            var i = 0
            while i < count {
                var word = next()
                let n = min(8, count - i)
                withUnsafeBytes(of: &word) { raw.baseAddress!.advanced(by: i).copyMemory(from: $0.baseAddress!, byteCount: n) }
                i += n
            }
        }
        return out
    }
}

fileprivate extension CryptoBackend {
    var kernelValue: perc_backend { perc_backend(rawValue: UInt32(rawValue)) }
}

/// Test-side handles over the C kernel keys (the SRTP wrappers are package-internal).
fileprivate final class TestGCMKey {
    let key: OpaquePointer
    init?(_ backend: CryptoBackend, _ bytes: [UInt8]) {
        guard let key = perc_gcm_key_new(backend.kernelValue, bytes, bytes.count) else { return nil }
        self.key = key
    }
    deinit { perc_gcm_key_free(key) }
    var backend: CryptoBackend? { CryptoBackend(rawValue: Int(perc_gcm_key_backend(key).rawValue)) }

    func seal(_ iv: [UInt8], _ aad: [UInt8], _ aad2: [UInt8], _ plaintext: [UInt8]) -> ([UInt8], [UInt8]) {
        var out = [UInt8](repeating: 0, count: plaintext.count), tag = [UInt8](repeating: 0, count: 16)
        let ok = perc_gcm_seal(key, iv, aad, aad.count, aad2, aad2.count, plaintext, &out, plaintext.count, &tag)
        return ok == 1 ? (out, tag) : ([], [])
    }

    /// Opens to a separate buffer (pre-filled with 0x55, so "zeroed on failure" is observable)
    /// or in place.
    func open(_ iv: [UInt8], _ aad: [UInt8], _ aad2: [UInt8], _ ciphertext: [UInt8], _ tag: [UInt8],
              inPlace: Bool = false) -> (ok: Bool, output: [UInt8]) {
        if inPlace {
            var buffer = ciphertext
            let ok = buffer.withUnsafeMutableBufferPointer { p in
                perc_gcm_open(key, iv, aad, aad.count, aad2, aad2.count, p.baseAddress, p.baseAddress, p.count, tag)
            }
            return (ok == 1, buffer)
        }
        var out = [UInt8](repeating: 0x55, count: ciphertext.count)
        let ok = perc_gcm_open(key, iv, aad, aad.count, aad2, aad2.count, ciphertext, &out, ciphertext.count, tag)
        return (ok == 1, out)
    }
}

fileprivate struct BatchPacket {
    let key: TestGCMKey
    let iv: [UInt8]
    let aad: [UInt8]
    let split: Int
    var input: [UInt8]
    var tag = [UInt8](repeating: 0, count: 16)
}

extension TestGCMKey {
    /// Runs perc_gcm_seal_batch or perc_gcm_open_batch (in place) over the packets.
    static func batch(_ packets: [BatchPacket], open: Bool) -> [(ok: Bool, output: [UInt8], tag: [UInt8])] {
        // Buffers the C jobs point into, kept alive across the call.
        let buffers = packets.map { packet -> (iv: UnsafeMutablePointer<UInt8>, aad: UnsafeMutablePointer<UInt8>,
                                               data: UnsafeMutablePointer<UInt8>, tag: UnsafeMutablePointer<UInt8>) in
            let iv = UnsafeMutablePointer<UInt8>.allocate(capacity: 12)
            let aad = UnsafeMutablePointer<UInt8>.allocate(capacity: max(1, packet.aad.count))
            let data = UnsafeMutablePointer<UInt8>.allocate(capacity: max(1, packet.input.count))
            let tag = UnsafeMutablePointer<UInt8>.allocate(capacity: 16)
            iv.initialize(from: packet.iv, count: 12)
            aad.initialize(from: packet.aad, count: packet.aad.count)
            data.initialize(from: packet.input, count: packet.input.count)
            tag.initialize(from: packet.tag, count: 16)
            return (iv, aad, data, tag)
        }
        defer {
            for b in buffers {
                b.iv.deallocate(); b.aad.deallocate(); b.data.deallocate(); b.tag.deallocate()
            }
        }
        var jobs = zip(packets, buffers).map { packet, b in
            perc_gcm_job(key: packet.key.key, iv: b.iv, aad: b.aad, aad_len: packet.split, aad2: b.aad + packet.split,
                         aad2_len: packet.aad.count - packet.split, in: b.data, out: b.data, len: packet.input.count,
                         tag: b.tag, result: -1)
        }
        jobs.withUnsafeMutableBufferPointer { p in
            if open { perc_gcm_open_batch(p.baseAddress, p.count) } else { perc_gcm_seal_batch(p.baseAddress, p.count) }
        }
        return zip(jobs, buffers).map { job, b in
            (job.result == 1, Array(UnsafeBufferPointer(start: b.data, count: job.len)),
             Array(UnsafeBufferPointer(start: b.tag, count: 16)))
        }
    }
}

fileprivate final class TestCTRKey {
    let key: OpaquePointer
    init?(_ backend: CryptoBackend, _ bytes: [UInt8]) {
        guard let key = perc_ctr_key_new(backend.kernelValue, bytes, bytes.count) else { return nil }
        self.key = key
    }
    deinit { perc_ctr_key_free(key) }
    var backend: CryptoBackend? { CryptoBackend(rawValue: Int(perc_ctr_key_backend(key).rawValue)) }

    func apply(_ iv: [UInt8], _ input: [UInt8], inPlace: Bool = false) -> [UInt8] {
        var out = inPlace ? input : [UInt8](repeating: 0, count: input.count)
        let ok = out.withUnsafeMutableBufferPointer { p in
            inPlace ? perc_ctr_xor(key, iv, p.baseAddress, p.baseAddress, p.count)
                : perc_ctr_xor(key, iv, input, p.baseAddress, p.count)
        }
        return ok == 1 ? out : []
    }
}

fileprivate final class TestHMACKey {
    let key: OpaquePointer
    init?(_ backend: CryptoBackend, _ bytes: [UInt8]) {
        guard let key = perc_hmac_sha1_key_new(backend.kernelValue, bytes, bytes.count) else { return nil }
        self.key = key
    }
    deinit { perc_hmac_sha1_key_free(key) }
    var backend: CryptoBackend? { CryptoBackend(rawValue: Int(perc_hmac_sha1_key_backend(key).rawValue)) }

    func mac(_ first: [UInt8], _ second: [UInt8]) -> [UInt8] {
        var mac = [UInt8](repeating: 0, count: 20)
        perc_hmac_sha1(key, first, first.count, second, second.count, &mac)
        return mac
    }
}
