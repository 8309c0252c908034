// SPDX-License-Identifier: Apache-2.0
// Copyright 2026 the swift-perc authors

import PERC
import SRTP
import SRTPPeers

/// Debian's libsrtp2 through its public API, in place on a work buffer (the packet is
/// copied in first: libsrtp has no out-of-place call). Sessions accept any SSRC, so streams
/// are created on first use during priming. Double = two passes with a synthetic inner
/// packet, as the only production RFC 8723 code does; forward = unprotect with one session,
/// protect with another.
public struct LibSRTPImplementation: BenchImplementation {
    public var name: String { "libsrtp2" }
    public init() {}

    public func runner(for packets: BenchPackets) -> BenchRunner? {
        let scenario = packets.scenario
        let layer = scenario.profile.layerProfile
        let work = WorkBuffers()
        let outer = (packets.outerKey, packets.outerSalt)
        switch scenario.operation {
        case .protect, .srtcpProtect:
            let rtcp = scenario.operation == .srtcpProtect
            return perPacket(packets.plain, packets.priming, copies: 1, sessions: {
                [Self.session(layer, outer, .anyOutbound)]
            }) { sessions, packet in
                let length = work.load(packet)
                return (rtcp ? sessions[0].protectRTCP(work.a, length: length) : sessions[0].protect(work.a, length: length))
                    .isSuccess ? 1 : 0
            }
        case .unprotect:
            let sender = Self.session(layer, outer, .anyOutbound)
            let protected = SplitPackets(timed: [], priming: packets.priming.map { try! sender.protect($0).get() })
            let timed = packets.plain.map { try! sender.protect($0).get() }
            return perPacket(timed, protected.priming, copies: 1, sessions: {
                [Self.session(layer, outer, .anyInbound)]
            }) { sessions, packet in
                sessions[0].unprotect(work.a, length: work.load(packet)).isSuccess ? 1 : 0
            }
        case .doubleProtect:
            let inner = (packets.innerKey, packets.innerSalt)
            let headerLength = packets.headerLength
            return perPacket(packets.plain, packets.priming, copies: 1, sessions: {
                [Self.session(layer, inner, .anyOutbound), Self.session(layer, outer, .anyOutbound)]
            }) { sessions, packet in
                Self.doubleProtect(packet, headerLength: headerLength, inner: sessions[0], outer: sessions[1], work: work) ? 1 : 0
            }
        case .doubleUnprotect:
            guard case .double(let profile) = scenario.profile else { return nil }
            let protected = packets.doubleProtected(profile)
            let inner = (packets.innerKey, packets.innerSalt)
            let headerLength = packets.headerLength
            return perPacket(protected.timed, protected.priming, copies: 1, sessions: {
                [Self.session(layer, inner, .anyInbound), Self.session(layer, outer, .anyInbound)]
            }) { sessions, packet in
                Self.doubleUnprotect(packet, headerLength: headerLength, inner: sessions[0], outer: sessions[1], work: work) ? 1 : 0
            }
        case .forward, .fanout:
            guard case .double(let profile) = scenario.profile else { return nil }
            let protected = packets.doubleProtected(profile)
            let copies = scenario.operation.copiesPerPacket
            return perPacket(protected.timed, protected.priming, copies: copies, sessions: {
                [Self.session(layer, outer, .anyInbound)]
                    + packets.hopKeys.map { Self.session(layer, ($0, packets.outerSalt), .anyOutbound) }
            }) { sessions, packet in
                guard case .success(let length) = sessions[0].unprotect(work.a, length: work.load(packet)) else { return 0 }
                var delivered = 0
                for hop in sessions.dropFirst() {
                    work.b.copyMemory(from: work.a, byteCount: length)
                    if hop.protect(work.b, length: length).isSuccess { delivered += 1 }
                }
                return delivered
            }
        }
    }

    static func session(_ profile: ProtectionProfile, _ key: ([UInt8], [UInt8]), _ streams: LibSRTPSession.Streams)
        -> LibSRTPSession
    {
        try! LibSRTPSession(profile: profile, masterKey: key.0, masterSalt: key.1, streams: streams,
                            allowRepeatTransmit: true)
    }

    /// Inner pass over the synthetic packet (base header, X=0), then outer pass over the real
    /// header with `C_in || T_in || 00`.
    static func doubleProtect(_ packet: [UInt8], headerLength: Int, inner: LibSRTPSession, outer: LibSRTPSession,
                              work: WorkBuffers) -> Bool {
        let base = 12 + 4 * Int(packet[0] & 0x0F)
        let payload = packet.count - headerLength
        packet.withUnsafeBytes { raw in
            work.a.copyMemory(from: raw.baseAddress!, byteCount: base)
            (work.a + base).copyMemory(from: raw.baseAddress! + headerLength, byteCount: payload)
            work.b.copyMemory(from: raw.baseAddress!, byteCount: headerLength)
        }
        work.a.storeBytes(of: packet[0] & ~0x10, as: UInt8.self)
        guard case .success(let innerLength) = inner.protect(work.a, length: base + payload) else { return false }
        (work.b + headerLength).copyMemory(from: work.a + base, byteCount: innerLength - base)
        (work.b + headerLength + innerLength - base).storeBytes(of: 0, as: UInt8.self)
        return outer.protect(work.b, length: headerLength + innerLength - base + 1).isSuccess
    }

    /// Outer pass, OHB read from the end, synthetic packet, inner pass.
    static func doubleUnprotect(_ packet: [UInt8], headerLength: Int, inner: LibSRTPSession, outer: LibSRTPSession,
                                work: WorkBuffers) -> Bool {
        guard case .success(let outerLength) = outer.unprotect(work.a, length: work.load(packet)) else { return false }
        let config = work.a.load(fromByteOffset: outerLength - 1, as: UInt8.self)
        guard config == 0 else { return false }   // the benchmark's packets carry the empty OHB
        let base = 12 + 4 * Int(packet[0] & 0x0F)
        work.b.copyMemory(from: work.a, byteCount: base)
        work.b.storeBytes(of: packet[0] & ~0x10, as: UInt8.self)
        let innerLength = outerLength - 1 - headerLength
        (work.b + base).copyMemory(from: work.a + headerLength, byteCount: innerLength)
        return inner.unprotect(work.b, length: base + innerLength).isSuccess
    }

    /// A runner calling `body` once per packet; `sessions` builds fresh sessions per reset.
    private func perPacket(_ timed: [[UInt8]], _ priming: [[UInt8]], copies: Int,
                           sessions make: @escaping () -> [LibSRTPSession],
                           _ body: @escaping ([LibSRTPSession], [UInt8]) -> Int) -> BenchRunner {
        var sessions = make()
        return BenchRunner(
            implementation: name, backend: "libsrtp2 " + LibSRTPSession.version, batch: 1,
            expectedCopies: timed.count * copies,
            reset: {
                sessions = make()
                for packet in priming { _ = body(sessions, packet) }
            },
            run: {
                var delivered = 0
                for packet in timed { delivered += body(sessions, packet) }
                return delivered
            })
    }
}

/// Two aligned scratch buffers for in-place peers.
final class WorkBuffers {
    let a = UnsafeMutableRawPointer.allocate(byteCount: 4096, alignment: 64)
    let b = UnsafeMutableRawPointer.allocate(byteCount: 4096, alignment: 64)
    deinit {
        a.deallocate()
        b.deallocate()
    }

    /// Copies `packet` into `a`; returns its length.
    @inline(__always)
    func load(_ packet: [UInt8]) -> Int {
        packet.withUnsafeBytes { a.copyMemory(from: $0.baseAddress!, byteCount: $0.count) }
        return packet.count
    }
}

extension Result {
    var isSuccess: Bool {
        if case .success = self { return true }
        return false
    }
}
