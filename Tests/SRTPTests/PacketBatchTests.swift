// SPDX-License-Identifier: Apache-2.0
// Copyright 2026 the swift-perc authors

import SRTP
import Testing

/// The batch API (`PacketBatch`): in place and out of place, one result per slot, good and
/// bad slots mixed. A failed slot keeps its bytes (in place) or gets length 0 (out of place),
/// and the state is as if the bad packet had never come.
@Suite struct PacketBatchTests {
    @Test(arguments: ProtectionProfile.allCases)
    func inPlaceMatchesSinglePackets(profile: ProtectionProfile) throws {
        let batchSender = try TestPackets.sender(profile)
        let singleSender = try TestPackets.sender(profile)
        let batch = PacketBatch(maximumCount: 8)
        let packets = (0..<8).map { TestPackets.rtp(sequenceNumber: UInt16(truncatingIfNeeded: 65_530 + $0), csrcCount: $0 % 3) }
        for packet in packets { #expect(batch.append(packet)) }
        #expect(!batch.append(packets[0]))   // full
        batchSender.protect(batch)
        for (i, packet) in packets.enumerated() {
            #expect(batch.result(at: i) == .ok)
            #expect(batch.packet(at: i) == (try singleSender.protect(packet)))
        }
        let receiver = try TestPackets.receiver(profile)
        receiver.unprotect(batch)
        for (i, packet) in packets.enumerated() {
            #expect(batch.result(at: i) == .ok)
            #expect(batch.packet(at: i) == packet)
        }
        #expect(receiver.rolloverCounter(for: 0x1122_3344) == 1)
    }

    @Test(arguments: ProtectionProfile.allCases)
    func mixedSlotsInPlace(profile: ProtectionProfile) throws {
        let sender = try TestPackets.sender(profile)
        let receiver = try TestPackets.receiver(profile)
        let plain = (0..<5).map { TestPackets.rtp(sequenceNumber: UInt16(100 + $0)) }
        var protected = try plain.map { try sender.protect($0) }
        protected[1][20] ^= 0x01                             // forged payload
        protected[3] = Array(protected[3].prefix(11))        // truncated
        let batch = PacketBatch(maximumCount: 6)
        for packet in protected { batch.append(packet) }
        batch.append(protected[0])                           // replay inside the same batch
        receiver.unprotect(batch)
        #expect(batch.result(at: 0) == .ok)
        #expect(batch.result(at: 1) == .failed(.authenticationFailed(ssrc: 0x1122_3344)))
        #expect(batch.result(at: 2) == .ok)
        #expect(batch.result(at: 3) == .failed(.malformed(.tooShort(length: 11, needed: 12 + profile.srtpTagLength))))
        #expect(batch.result(at: 4) == .ok)
        #expect(batch.result(at: 5) == .failed(.replayed(ssrc: 0x1122_3344, index: 100)))
        for i in [0, 2, 4] { #expect(batch.packet(at: i) == plain[i]) }
        // Failed slots hold exactly the bytes they had.
        #expect(batch.packet(at: 1) == protected[1])
        #expect(batch.packet(at: 3) == protected[3])
        #expect(batch.packet(at: 5) == protected[0])
        // The refused packets changed nothing: SEQ 101 and 103 are still fresh.
        #expect(try receiver.unprotect(sender.protect(TestPackets.rtp(sequenceNumber: 105))) == TestPackets.rtp(sequenceNumber: 105))
        #expect(receiver.rolloverCounter(for: 0x1122_3344) == 0)
    }

    @Test(arguments: ProtectionProfile.allCases)
    func mixedSlotsOutOfPlace(profile: ProtectionProfile) throws {
        let sender = try TestPackets.sender(profile)
        let receiver = try TestPackets.receiver(profile)
        let input = PacketBatch(maximumCount: 4)
        let output = PacketBatch(maximumCount: 4)
        let good = TestPackets.rtp(sequenceNumber: 1), alsoGood = TestPackets.rtp(sequenceNumber: 2, extensionWords: 1)
        input.append(good)
        input.append([0x40] + good.dropFirst())              // version 1
        input.append(alsoGood)
        input.append(TestPackets.rtp(sequenceNumber: 3, payload: []))   // header only: an empty payload is valid
        sender.protect(input, into: output)
        #expect(output.count == 4)
        #expect(output.result(at: 0) == .ok)
        #expect(output.result(at: 1) == .failed(.malformed(.badVersion(1))))
        #expect(input.result(at: 1) == .failed(.malformed(.badVersion(1))))
        #expect(output.length(at: 1) == 0)
        #expect(output.result(at: 2) == .ok)
        #expect(output.result(at: 3) == .ok)
        #expect(output.length(at: 3) == 12 + profile.srtpTagLength)
        // The input is untouched by out-of-place processing.
        #expect(input.packet(at: 0) == good)
        #expect(input.packet(at: 2) == alsoGood)

        let plain = PacketBatch(maximumCount: 4)
        let srtp = PacketBatch(maximumCount: 4)
        srtp.append(output.packet(at: 0))
        srtp.append(output.packet(at: 2))
        receiver.unprotect(srtp, into: plain)
        #expect(plain.result(at: 0) == .ok && plain.packet(at: 0) == good)
        #expect(plain.result(at: 1) == .ok && plain.packet(at: 1) == alsoGood)
    }

    /// Capacity checks: a slot too small for the tag gives `bufferTooSmall`, nothing changes.
    @Test func outputCapacity() throws {
        let profile = ProtectionProfile.aeadAes256Gcm
        let sender = try TestPackets.sender(profile)
        let reference = try TestPackets.sender(profile)
        let packet = TestPackets.rtp(sequenceNumber: 9, payload: Array(repeating: 1, count: 40))
        let input = PacketBatch(maximumCount: 1, slotCapacity: packet.count)
        input.append(packet)
        sender.protect(input)
        #expect(input.result(at: 0) == .failed(.bufferTooSmall(needed: packet.count + 16, capacity: packet.count)))
        #expect(input.packet(at: 0) == packet)
        let small = PacketBatch(maximumCount: 1, slotCapacity: packet.count + 15)
        sender.protect(input, into: small)
        #expect(small.result(at: 0) == .failed(.bufferTooSmall(needed: packet.count + 16, capacity: packet.count + 15)))
        #expect(try sender.protect(packet) == reference.protect(packet))
    }

    @Test func rtcpBatches() throws {
        let sender = try TestPackets.sender(.aes128CmSha1_32)
        let receiver = try TestPackets.receiver(.aes128CmSha1_32)
        let batch = PacketBatch(maximumCount: 3)
        let packets = [TestPackets.rtcp(), Array(TestPackets.rtcp().prefix(7)), TestPackets.rtcp(body: [])]
        for packet in packets { batch.append(packet) }
        sender.protectRTCP(batch)
        #expect(batch.result(at: 0) == .ok)
        #expect(batch.result(at: 1) == .failed(.malformed(.tooShort(length: 7, needed: 8))))
        #expect(batch.result(at: 2) == .ok)
        let out = PacketBatch(maximumCount: 3)
        receiver.unprotectRTCP(batch, into: out)
        #expect(out.result(at: 0) == .ok && out.packet(at: 0) == packets[0])
        #expect(out.result(at: 1) == .failed(.malformed(.tooShort(length: 7, needed: 22))))
        #expect(out.result(at: 2) == .ok && out.packet(at: 2) == packets[2])
    }

    /// SRTCP in place: a forged or replayed slot keeps its bytes, its neighbours decrypt.
    @Test(arguments: ProtectionProfile.allCases)
    func rtcpInPlaceFailuresKeepTheirBytes(profile: ProtectionProfile) throws {
        let sender = try TestPackets.sender(profile)
        let receiver = try TestPackets.receiver(profile)
        let plain = (0..<3).map { TestPackets.rtcp(body: Array(repeating: UInt8($0), count: 16 + $0 * 4)) }
        var protected = try plain.map { try sender.protectRTCP($0) }
        protected[1][9] ^= 0x80
        let batch = PacketBatch(maximumCount: 4)
        for packet in protected { batch.append(packet) }
        batch.append(protected[0])
        receiver.unprotectRTCP(batch)
        #expect(batch.result(at: 0) == .ok && batch.packet(at: 0) == plain[0])
        #expect(batch.result(at: 1) == .failed(.authenticationFailed(ssrc: 0x1122_3344)))
        #expect(batch.packet(at: 1) == protected[1])
        #expect(batch.result(at: 2) == .ok && batch.packet(at: 2) == plain[2])
        #expect(batch.result(at: 3) == .failed(.replayed(ssrc: 0x1122_3344, index: 0)))
        #expect(batch.packet(at: 3) == protected[0])
        // Index 1 (the forged slot) is still fresh.
        protected[1][9] ^= 0x80
        #expect(try receiver.unprotectRTCP(protected[1]) == plain[1])
    }
}
