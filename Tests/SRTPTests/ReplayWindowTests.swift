// SPDX-License-Identifier: Apache-2.0
// Copyright 2026 the swift-perc authors

import SRTP
import TestSupport
import Testing

/// The replay window (RFC 3711 3.3.2), sizes 64...32768: with H the highest accepted index
/// and N the size, index H-N+1 is accepted, H-N is too old, and an accepted index is a
/// replay. The same for the SRTCP index window. Refused packets change nothing.
@Suite struct ReplayWindowTests {
    static let sizes = [64, 65, 100, 127, 128, 1000, 1024, 4096, 10000, 32768]
    static let ssrc: UInt32 = 0x1122_3344

    @Test(arguments: sizes)
    func srtpWindowEdges(size: Int) throws {
        let profile = ProtectionProfile.aes128CmSha1_80
        let sender = try TestPackets.sender(profile)
        let receiver = try TestPackets.receiver(profile) { $0.replayWindowSize = size }
        // Protect H-N ... H (SEQ = index, ROC 0; only the ones used), deliver H first.
        let highest = 40_000
        let inside = stride(from: highest - size + 2, to: highest, by: max(1, size / 50))
        var packets: [Int: [UInt8]] = [:]
        for index in [highest - size, highest - size + 1] + Array(inside) + [highest] {
            packets[index] = try sender.protect(TestPackets.rtp(sequenceNumber: UInt16(index)))
        }
        #expect(try receiver.unprotect(packets[highest]!) == TestPackets.rtp(sequenceNumber: UInt16(highest)))
        #expect(thrownError { try receiver.unprotect(packets[highest - size]!) }
            == .tooOld(ssrc: Self.ssrc, index: UInt64(highest - size)))
        #expect(try receiver.unprotect(packets[highest - size + 1]!) == TestPackets.rtp(sequenceNumber: UInt16(highest - size + 1)))
        #expect(thrownError { try receiver.unprotect(packets[highest - size + 1]!) }
            == .replayed(ssrc: Self.ssrc, index: UInt64(highest - size + 1)))
        #expect(thrownError { try receiver.unprotect(packets[highest]!) } == .replayed(ssrc: Self.ssrc, index: UInt64(highest)))
        // Every index in between is still fresh, exactly once.
        for index in inside {
            #expect(throws: Never.self) { try receiver.unprotect(packets[index]!) }
            #expect(thrownError { try receiver.unprotect(packets[index]!) } == .replayed(ssrc: Self.ssrc, index: UInt64(index)))
        }
        #expect(receiver.rolloverCounter(for: Self.ssrc) == 0)
    }

    /// The window spans the ROC boundary: H = 2^16 + N/2 has ROC 1, H-N+1 has ROC 0. (At
    /// N = 32768 the index H-N is 2^15 behind, where RFC 3711 3.3.1 estimation reads it as
    /// ahead, so the wrap case stops short of that size.)
    @Test(arguments: [64, 1024, 30000])
    func srtpWindowAcrossTheWrap(size: Int) throws {
        let profile = ProtectionProfile.aeadAes128Gcm
        let sender = try TestPackets.sender(profile)
        let receiver = try TestPackets.receiver(profile) { $0.replayWindowSize = size }
        let highest = 1 << 16 + size / 2
        let lowest = highest - size
        var packets: [Int: [UInt8]] = [:]
        for index in [lowest, lowest + 1, lowest + 2, 1 << 16, highest] {   // in order: the sender wraps its ROC
            packets[index] = try sender.protect(TestPackets.rtp(sequenceNumber: UInt16(truncatingIfNeeded: index)))
        }
        _ = try receiver.unprotect(packets[lowest + 1]!)
        #expect(receiver.rolloverCounter(for: Self.ssrc) == 0)
        _ = try receiver.unprotect(packets[highest]!)
        #expect(receiver.rolloverCounter(for: Self.ssrc) == 1)
        #expect(thrownError { try receiver.unprotect(packets[lowest]!) } == .tooOld(ssrc: Self.ssrc, index: UInt64(lowest)))
        #expect(thrownError { try receiver.unprotect(packets[lowest + 1]!) } == .replayed(ssrc: Self.ssrc, index: UInt64(lowest + 1)))
        #expect(throws: Never.self) { try receiver.unprotect(packets[lowest + 2]!) }
        #expect(throws: Never.self) { try receiver.unprotect(packets[1 << 16]!) }
        #expect(receiver.rolloverCounter(for: Self.ssrc) == 1)
    }

    @Test(arguments: sizes)
    func srtcpWindowEdges(size: Int) throws {
        let profile = ProtectionProfile.aes256CmSha1_32
        let highest = 50_000 + size
        let low = try TestPackets.sender(profile) { $0.initialSRTCPIndex = 50_000 }
        let high = try TestPackets.sender(profile) { $0.initialSRTCPIndex = UInt32(highest) }
        let receiver = try TestPackets.receiver(profile) { $0.replayWindowSize = size }
        var packets: [Int: [UInt8]] = [:]   // by offset from 50000: 0, 1 and N
        packets[0] = try low.protectRTCP(TestPackets.rtcp())
        packets[1] = try low.protectRTCP(TestPackets.rtcp())
        packets[size] = try high.protectRTCP(TestPackets.rtcp())
        #expect(throws: Never.self) { try receiver.unprotectRTCP(packets[size]!) }
        #expect(thrownError { try receiver.unprotectRTCP(packets[0]!) } == .tooOld(ssrc: Self.ssrc, index: 50_000))
        #expect(throws: Never.self) { try receiver.unprotectRTCP(packets[1]!) }
        #expect(thrownError { try receiver.unprotectRTCP(packets[1]!) } == .replayed(ssrc: Self.ssrc, index: 50_001))
        #expect(thrownError { try receiver.unprotectRTCP(packets[size]!) } == .replayed(ssrc: Self.ssrc, index: UInt64(highest)))
    }

    @Test(arguments: [0, 1, 63, 32769, 65536])
    func sizeOutOfRange(size: Int) throws {
        var configuration = SRTPConfiguration()
        configuration.replayWindowSize = size
        let profile = ProtectionProfile.aes128CmSha1_80
        #expect(throws: SRTPError.invalidParameter("replay window must be 64...32768, got \(size)")) {
            try SRTPReceiver(profile: profile, masterKey: TestPackets.key(profile), masterSalt: TestPackets.salt(profile),
                             configuration: configuration)
        }
    }

    /// The default is 1024.
    @Test func defaultSize() throws {
        #expect(SRTPConfiguration().replayWindowSize == 1024)
        let sender = try TestPackets.sender(.nullSha1_80)
        let receiver = try TestPackets.receiver(.nullSha1_80)
        let packets = try (0...1024).map { try sender.protect(TestPackets.rtp(sequenceNumber: UInt16(1000 + $0))) }
        _ = try receiver.unprotect(packets[1024])
        #expect(thrownError { try receiver.unprotect(packets[0]) } == .tooOld(ssrc: Self.ssrc, index: 1000))
        #expect(throws: Never.self) { try receiver.unprotect(packets[1]) }
    }

    /// The bitmap window against a plain model (a set of accepted indices), on seeded random
    /// walks with small steps back and forth and jumps around the ring size, for random sizes.
    @Test func bitmapAgreesWithModel() {
        var rng = SeededGenerator(seed: 0x3E91A7)
        for _ in 0..<16 {
            let size = Bool.random(using: &rng) ? [64, 65, 127, 128, 129, 1000, 1024, 32767, 32768].randomElement(using: &rng)!
                                                : Int.random(in: 64...32768, using: &rng)
            let wordCount = ReplayWindow.wordCount(forSize: size)
            let ring = wordCount * 64
            #expect(ring >= size && ring < 2 * max(size, 64))
            let table = StreamTable(windowSize: size)
            let window = table.rtpWindow(table.insert(0x1234, initial: StreamState()))
            var highest: UInt64 = 1_000_000
            window.reset(to: highest)
            var accepted: Set<UInt64> = [highest]
            for _ in 0..<1500 {
                let index: UInt64
                switch Int.random(in: 0..<10, using: &rng) {
                case 0: index = highest + UInt64([ring - 1, ring, ring + 1, size - 1, size, size + 1].randomElement(using: &rng)!)
                case 1: index = highest - UInt64(Int.random(in: max(0, size - 2)...(size + 1), using: &rng))
                case 2...5: index = highest + UInt64(Int.random(in: 1...40, using: &rng))
                default: index = highest - UInt64(Int.random(in: 0...min(size + 5, 200), using: &rng))
                }
                let expected: ReplayCheck = index > highest ? .fresh
                    : highest - index >= UInt64(size) ? .tooOld : accepted.contains(index) ? .replayed : .fresh
                let actual = window.check(index, highest: highest)
                guard actual == expected else {
                    Issue.record("size \(size): index \(index) with H \(highest): \(actual), expected \(expected)")
                    return
                }
                if actual == .fresh {
                    highest = window.accept(index, highest: highest)
                    accepted.insert(index)
                    #expect(highest == max(index, highest))
                }
            }
        }
    }
}
