// SPDX-License-Identifier: Apache-2.0
// Copyright 2026 the swift-perc authors

import CBenchPeers
import PERC
import SRTP

/// A raw crypto library used the fastest way it allows: session keys set once per context,
/// the IV (precomputed the SRTP way) per packet, no SRTP bookkeeping (no ROC estimation, no
/// replay window, no parsing). Double = two seals, forward = open + seal, fan-out = open + N
/// seals. NULL-cipher profiles are not measured for raw peers.
public struct RawPeerImplementation: BenchImplementation {
    /// The two raw peers.
    public enum Library: Sendable {
        case opensslEVP, ipsecMB
    }

    public let library: Library
    public var name: String { library == .opensslEVP ? "openssl-evp" : "ipsec-mb" }

    public init(_ library: Library) { self.library = library }

    /// Whether the library can run here (ipsec-mb: x86_64 with the library installed).
    public var isAvailable: Bool { library == .opensslEVP || bench_ipsecmb_available() == 1 }

    /// The library's version string.
    public var version: String {
        library == .opensslEVP ? String(cString: bench_openssl_version()) : String(cString: bench_ipsecmb_version())
    }

    public func runner(for packets: BenchPackets) -> BenchRunner? {
        guard isAvailable else { return nil }
        let scenario = packets.scenario
        let layer = scenario.profile.layerProfile
        switch layer.cipher {
        case .aesGCM: return gcmRunner(packets)
        case .aesCounterMode: return scenario.operation.isDouble ? nil : counterModeRunner(packets)
        case .null: return nil
        }
    }

    // MARK: AES-GCM

    private func gcmRunner(_ packets: BenchPackets) -> BenchRunner? {
        let scenario = packets.scenario
        let layer = scenario.profile.layerProfile
        let contexts = scenario.contexts
        let outer = SessionMaterial(layer, packets.outerKey, packets.outerSalt)
        let keys = (0..<contexts).map { _ in makeGCM(outer.key) }
        let work = WorkBuffers()
        let out = WorkBuffers()
        let hl = packets.headerLength
        switch scenario.operation {
        case .protect:
            let ivs = packets.plain.map { outer.rtpNonce($0) }
            return runner(packets.plain.count, copies: 1) { i in
                let packet = packets.plain[i]
                return packet.withUnsafeBytes { p in
                    out.a.copyMemory(from: p.baseAddress!, byteCount: hl)
                    keys[i % contexts].seal(ivs[i], p.baseAddress!, hl, p.baseAddress! + hl, out.a + hl, p.count - hl, out.a + p.count)
                    return 1
                }
            }
        case .srtcpProtect:
            let rtcp = SessionMaterial(layer, packets.outerKey, packets.outerSalt, rtcp: true)
            let rtcpKeys = (0..<contexts).map { _ in makeGCM(rtcp.key) }
            let ivs = packets.plain.map { rtcp.rtcpNonce($0, index: 1) }
            let aads = packets.plain.map { Array($0[0..<8]) + [0x80, 0, 0, 1] }
            return runner(packets.plain.count, copies: 1) { i in
                let packet = packets.plain[i]
                return packet.withUnsafeBytes { p in
                    out.a.copyMemory(from: p.baseAddress!, byteCount: 8)
                    aads[i].withUnsafeBytes { aad in
                        rtcpKeys[i % contexts].seal(ivs[i], aad.baseAddress!, 12, p.baseAddress! + 8, out.a + 8, p.count - 8,
                                                    out.a + p.count)
                    }
                    return 1
                }
            }
        case .unprotect:
            let sender = try! SRTPSender(profile: layer, masterKey: packets.outerKey, masterSalt: packets.outerSalt)
            _ = packets.priming.map { try! sender.protect($0) }
            let protected = packets.plain.map { try! sender.protect($0) }
            let ivs = packets.plain.map { outer.rtpNonce($0) }
            return runner(protected.count, copies: 1) { i in
                protected[i].withUnsafeBytes { p in
                    let n = p.count - 16
                    out.a.copyMemory(from: p.baseAddress!, byteCount: hl)
                    return keys[i % contexts].open(ivs[i], p.baseAddress!, hl, p.baseAddress! + hl, out.a + hl, n - hl,
                                                   p.baseAddress! + n) ? 1 : 0
                }
            }
        case .doubleProtect:
            let inner = SessionMaterial(layer, packets.innerKey, packets.innerSalt)
            let innerKeys = (0..<contexts).map { _ in makeGCM(inner.key) }
            let outerIVs = packets.plain.map { outer.rtpNonce($0) }
            let innerIVs = packets.plain.map { inner.rtpNonce($0) }
            let synthetic = packets.plain.map { [$0[0] & ~0x10] + $0[1..<12] }
            return runner(packets.plain.count, copies: 1) { i in
                packets.plain[i].withUnsafeBytes { p in
                    let n = p.count
                    out.a.copyMemory(from: p.baseAddress!, byteCount: hl)
                    synthetic[i].withUnsafeBytes { aad in
                        innerKeys[i % contexts].seal(innerIVs[i], aad.baseAddress!, 12, p.baseAddress! + hl, out.a + hl,
                                                     n - hl, out.a + n)
                    }
                    out.a.storeBytes(of: 0, toByteOffset: n + 16, as: UInt8.self)
                    keys[i % contexts].seal(outerIVs[i], out.a, hl, out.a + hl, out.a + hl, n - hl + 17, out.a + n + 17)
                    return 1
                }
            }
        case .doubleUnprotect:
            guard case .double(let profile) = scenario.profile else { return nil }
            let inner = SessionMaterial(layer, packets.innerKey, packets.innerSalt)
            let innerKeys = (0..<contexts).map { _ in makeGCM(inner.key) }
            let protected = packets.doubleProtected(profile).timed
            let outerIVs = packets.plain.map { outer.rtpNonce($0) }
            let innerIVs = packets.plain.map { inner.rtpNonce($0) }
            let synthetic = packets.plain.map { [$0[0] & ~0x10] + $0[1..<12] }
            return runner(protected.count, copies: 1) { i in
                protected[i].withUnsafeBytes { p in
                    let outerLength = p.count - 16 - hl
                    guard keys[i % contexts].open(outerIVs[i], p.baseAddress!, hl, p.baseAddress! + hl, work.a, outerLength,
                                                  p.baseAddress! + hl + outerLength) else { return 0 }
                    let innerLength = outerLength - 17
                    return synthetic[i].withUnsafeBytes { aad in
                        innerKeys[i % contexts].open(innerIVs[i], aad.baseAddress!, 12, work.a, work.a, innerLength,
                                                     work.a + innerLength) ? 1 : 0
                    }
                }
            }
        case .forward, .fanout:
            guard case .double(let profile) = scenario.profile else { return nil }
            let protected = packets.doubleProtected(profile).timed
            let ivs = packets.plain.map { outer.rtpNonce($0) }
            let hops = packets.hopKeys.map { SessionMaterial(layer, $0, packets.outerSalt) }
            let hopKeys = hops.map { hop in (0..<contexts).map { _ in makeGCM(hop.key) } }
            let hopIVs = hops.map { hop in packets.plain.map { hop.rtpNonce($0) } }
            return runner(protected.count, copies: hops.count) { i in
                protected[i].withUnsafeBytes { p in
                    let length = p.count - 16 - hl
                    guard keys[i % contexts].open(ivs[i], p.baseAddress!, hl, p.baseAddress! + hl, work.a, length,
                                                  p.baseAddress! + hl + length) else { return 0 }
                    for h in 0..<hopKeys.count {
                        out.a.copyMemory(from: p.baseAddress!, byteCount: hl)
                        hopKeys[h][i % contexts].seal(hopIVs[h][i], out.a, hl, work.a, out.a + hl, length, out.a + hl + length)
                    }
                    return hopKeys.count
                }
            }
        }
    }

    // MARK: AES-CM + HMAC-SHA1

    private func counterModeRunner(_ packets: BenchPackets) -> BenchRunner? {
        let scenario = packets.scenario
        let layer = scenario.profile.layerProfile
        let rtcp = scenario.operation == .srtcpProtect
        let material = SessionMaterial(layer, packets.outerKey, packets.outerSalt, rtcp: rtcp)
        let contexts = scenario.contexts
        let hl = packets.headerLength
        let tagLength = rtcp ? 10 : layer.srtpTagLength
        let ivs = packets.plain.map { material.counterIV($0, rtcp: rtcp) }
        let authenticatedLength = { (packet: [UInt8]) in packet.count + (rtcp ? 4 : 0) }
        switch (library, scenario.operation) {
        case (.opensslEVP, .protect), (.opensslEVP, .srtcpProtect):
            let keys = (0..<contexts).map { _ in bench_openssl_cm_new(material.key, material.key.count, material.authKey)! }
            let out = WorkBuffers()
            return runner(packets.plain.count, copies: 1) { i in
                packets.plain[i].withUnsafeBytes { p in
                    Int(bench_openssl_cm_protect(keys[i % contexts], ivs[i], p.baseAddress!, out.a, hl, p.count,
                                                 rtcp ? 0x8000_0001 : 0, out.a + authenticatedLength(packets.plain[i]), tagLength))
                }
            }
        case (.opensslEVP, .unprotect):
            let keys = (0..<contexts).map { _ in bench_openssl_cm_new(material.key, material.key.count, material.authKey)! }
            let protected = protectedForUnprotect(packets)
            let out = WorkBuffers()
            return runner(protected.count, copies: 1) { i in
                protected[i].withUnsafeBytes { p in
                    let n = p.count - tagLength
                    return Int(bench_openssl_cm_unprotect(keys[i % contexts], ivs[i], p.baseAddress!, out.a, hl, n, 0,
                                                          p.baseAddress! + n, tagLength))
                }
            }
        case (.ipsecMB, .protect), (.ipsecMB, .srtcpProtect), (.ipsecMB, .unprotect):
            guard let key = bench_ipsecmb_cm_new(material.key, material.key.count, material.authKey) else { return nil }
            let keys = (0..<contexts).map { _ in bench_ipsecmb_cm_new(material.key, material.key.count, material.authKey) ?? key }
            let unprotect = scenario.operation == .unprotect
            let inputs = unprotect ? protectedForUnprotect(packets).map { Array($0.dropLast(tagLength)) } : packets.plain
            let expectedTags = unprotect ? protectedForUnprotect(packets).map { Array($0.suffix(tagLength)) } : []
            return ipsecCounterModeRunner(inputs: inputs, ivs: ivs, headerLength: hl, keys: keys, contexts: contexts,
                                          expectedTags: expectedTags, tagLength: tagLength)
        default:
            return nil
        }
    }

    private func protectedForUnprotect(_ packets: BenchPackets) -> [[UInt8]] {
        let layer = packets.scenario.profile.layerProfile
        let sender = try! SRTPSender(profile: layer, masterKey: packets.outerKey, masterSalt: packets.outerSalt)
        _ = packets.priming.map { try! sender.protect($0) }
        return packets.plain.map { try! sender.protect($0) }
    }

    /// ipsec-mb's job manager in bursts of 16 packets (per burst one key: the bursts are
    /// formed per context, as an SFU batching by stream would).
    private func ipsecCounterModeRunner(inputs: [[UInt8]], ivs: [[UInt8]], headerLength: Int, keys: [OpaquePointer],
                                        contexts: Int, expectedTags: [[UInt8]], tagLength: Int) -> BenchRunner {
        let burst = 16
        let slots = (0..<burst).map { _ in UnsafeMutableRawPointer.allocate(byteCount: 4096, alignment: 64) }
        var jobs = [bench_cm_packet](repeating: bench_cm_packet(), count: burst)
        let unprotect = !expectedTags.isEmpty
        // Expected tags in one block, with a pointer per packet, built before timing.
        let tagStorage = UnsafeMutablePointer<UInt8>.allocate(capacity: max(expectedTags.count * 16, 1))
        for (i, tag) in expectedTags.enumerated() { (tagStorage + i * 16).update(from: tag, count: tag.count) }
        let tagPointers: [UnsafePointer<UInt8>?] = (0..<expectedTags.count).map { UnsafePointer(tagStorage + $0 * 16) }
        return BenchRunner(
            implementation: name, backend: version, batch: burst, expectedCopies: inputs.count,
            reset: {},
            run: {
                var delivered = 0
                var start = 0
                while start < inputs.count {
                    let n = min(burst, inputs.count - start)
                    for j in 0..<n {
                        let packet = inputs[start + j]
                        packet.withUnsafeBytes { slots[j].copyMemory(from: $0.baseAddress!, byteCount: $0.count) }
                        jobs[j].buffer = slots[j].assumingMemoryBound(to: UInt8.self)
                        jobs[j].header_len = headerLength
                        jobs[j].len = packet.count
                        jobs[j].roc = 0
                        withUnsafeMutableBytes(of: &jobs[j].iv) { $0.copyBytes(from: ivs[start + j]) }
                    }
                    let key = keys[(start / burst) % contexts]
                    delivered += unprotect
                        ? jobs.withUnsafeMutableBufferPointer { j in
                            tagPointers.withUnsafeBufferPointer { t in
                                bench_ipsecmb_cm_unprotect_burst(key, j.baseAddress, t.baseAddress! + start, tagLength, n)
                            }
                        }
                        : jobs.withUnsafeMutableBufferPointer { bench_ipsecmb_cm_protect_burst(key, $0.baseAddress, n) }
                    start += n
                }
                return delivered
            })
    }

    // MARK: Plumbing

    private func runner(_ count: Int, copies: Int, _ body: @escaping (Int) -> Int) -> BenchRunner {
        BenchRunner(
            implementation: name, backend: version, batch: 1, expectedCopies: count * copies, reset: {},
            run: {
                var delivered = 0
                for i in 0..<count { delivered += body(i) }
                return delivered
            })
    }

    private func makeGCM(_ key: [UInt8]) -> RawGCM {
        switch library {
        case .opensslEVP:
            let g = bench_openssl_gcm_new(key, key.count)!
            return RawGCM(
                seal: { iv, aad, aadLength, input, output, length, tag in
                    _ = bench_openssl_gcm_seal(g, iv, aad, aadLength, input, output, length, tag)
                },
                open: { iv, aad, aadLength, input, output, length, tag in
                    bench_openssl_gcm_open(g, iv, aad, aadLength, input, output, length, tag) == 1
                })
        case .ipsecMB:
            let g = bench_ipsecmb_gcm_new(key, key.count)!
            return RawGCM(
                seal: { iv, aad, aadLength, input, output, length, tag in
                    bench_ipsecmb_gcm_seal(g, iv, aad, aadLength, input, output, length, tag)
                },
                open: { iv, aad, aadLength, input, output, length, tag in
                    bench_ipsecmb_gcm_open(g, iv, aad, aadLength, input, output, length, tag) == 1
                })
        }
    }
}

/// A raw GCM key's two calls (key objects live as long as the closures).
struct RawGCM {
    typealias Seal = ([UInt8], UnsafeRawPointer, Int, UnsafeRawPointer, UnsafeMutableRawPointer, Int, UnsafeMutableRawPointer) -> Void
    typealias Open = ([UInt8], UnsafeRawPointer, Int, UnsafeRawPointer, UnsafeMutableRawPointer, Int, UnsafeRawPointer) -> Bool
    let seal: Seal
    let open: Open
}

/// Session key, salt and (for HMAC profiles) authentication key of one SRTP layer, with the
/// IV recipes, so that raw peers encrypt exactly what an SRTP stack would.
struct SessionMaterial {
    let key: [UInt8]
    let salt: [UInt8]
    let authKey: [UInt8]

    init(_ profile: ProtectionProfile, _ masterKey: [UInt8], _ masterSalt: [UInt8], rtcp: Bool = false) {
        let derive = { (label: KeyDerivation.Label, length: Int) -> [UInt8] in
            masterKey.withUnsafeBytes { k in
                masterSalt.withUnsafeBytes { s in
                    try! KeyDerivation.derive(masterKey: k, masterSalt: s, label: label, length: length)
                        .withUnsafeBytes { Array($0) }
                }
            }
        }
        key = derive(rtcp ? .srtcpEncryption : .srtpEncryption, profile.masterKeyLength)
        salt = derive(rtcp ? .srtcpSalt : .srtpSalt, profile.sessionSaltLength)
        authKey = derive(rtcp ? .srtcpAuthentication : .srtpAuthentication, 20)
    }

    /// RFC 7714 8.1 nonce for ROC 0.
    func rtpNonce(_ packet: [UInt8]) -> [UInt8] {
        var iv = [UInt8](repeating: 0, count: 12)
        for i in 0..<4 { iv[2 + i] = packet[8 + i] }
        iv[10] = packet[2]
        iv[11] = packet[3]
        return zip(iv, salt).map { $0 ^ $1 }
    }

    /// RFC 7714 9.1 nonce.
    func rtcpNonce(_ packet: [UInt8], index: UInt32) -> [UInt8] {
        var iv = [UInt8](repeating: 0, count: 12)
        for i in 0..<4 { iv[2 + i] = packet[4 + i] }
        for i in 0..<4 { iv[8 + i] = UInt8(truncatingIfNeeded: index >> UInt32(24 - 8 * i)) }
        return zip(iv, salt).map { $0 ^ $1 }
    }

    /// RFC 3711 4.1.1 counter block for ROC 0 (SRTP) or index 1 (SRTCP).
    func counterIV(_ packet: [UInt8], rtcp: Bool) -> [UInt8] {
        var iv = salt + [0, 0]
        let ssrcOffset = rtcp ? 4 : 8
        for i in 0..<4 { iv[4 + i] ^= packet[ssrcOffset + i] }
        if rtcp {
            iv[13] ^= 1
        } else {
            iv[12] ^= packet[2]
            iv[13] ^= packet[3]
        }
        return iv
    }
}
