// SPDX-License-Identifier: Apache-2.0
// Copyright 2026 the swift-perc authors
//
// The RFC 8723 double unprotect at the receiving endpoint, with and without EKT.
//
// Input: a selector byte, then a packet. Selector bit 0: packets end with an EKT field (the
// receiver learns the inner key from it), else the receiver holds the inner key; bit 1: the
// round-trip mode; bit 2: DOUBLE_AEAD_AES_256_GCM instead of 128.
// - Unprotect mode: a fresh receiver unprotects the packet in place in a slot of exactly its
//   size. Rejected: slot, inner and outer ROC unchanged, the same error again. Accepted: the
//   result is smaller than the packet, and the packet is then refused as a replay.
// - Round-trip mode: the packet is plaintext RTP; a DoubleSender protects it; a copy with one
//   bit flipped in the SRTP part (the EKT field is not authenticated, RFC 8870) is rejected
//   without a trace; then the real packet comes back byte for byte, once.
// Keys: Tests/Fixtures/perc-double-selfgen.json (sender A, its outer hop, SPI 1 AESKW128).
import FuzzSupport
import PERC
import SRTP

struct Keys {
    let profile: DoubleProfile
    let inner: SRTPMasterKey
    let outer: SRTPMasterKey
    let ekt: EKTParameterSet

    init(_ profile: DoubleProfile) {
        self.profile = profile
        let salt = hex("a0a1a2a3a4a5a6a7a8a9aaab")
        if profile == .aes128Gcm {
            inner = SRTPMasterKey(key: hex("0f0e0d0c0b0a09080706050403020100"), salt: salt)
            outer = SRTPMasterKey(key: hex("101112131415161718191a1b1c1d1e1f"), salt: hex("4c4d4e4f5051525354555657"))
            ekt = try! EKTParameterSet(spi: 1, cipher: .aesKeyWrap128, key: hex("000102030405060708090a0b0c0d0e0f"),
                                       masterSalt: salt)
        } else {
            inner = SRTPMasterKey(key: (0..<32).map { UInt8(31 - $0) }, salt: salt)
            outer = SRTPMasterKey(key: (0..<32).map { UInt8(0x10 + $0) }, salt: hex("4c4d4e4f5051525354555657"))
            ekt = try! EKTParameterSet(spi: 2, cipher: .aesKeyWrap256, key: (0..<32).map { UInt8($0) }, masterSalt: salt)
        }
    }

    func receiver(ekt useEKT: Bool) -> DoubleReceiver {
        guard useEKT else { return try! DoubleReceiver(profile: profile, inner: inner, outer: outer) }
        let receiver = EKTReceiver(keyLength: profile.halfKeyLength, saltLength: profile.halfSaltLength)
        receiver.install(ekt)
        return try! DoubleReceiver(profile: profile, inner: nil, outer: outer, ekt: receiver)
    }

    func sender(ekt useEKT: Bool) -> DoubleSender {
        let ektSender = useEKT ? try! EKTSender(parameters: ekt, masterKey: inner.key) : nil
        return try! DoubleSender(profile: profile, inner: inner, outer: outer, ekt: ektSender)
    }
}

nonisolated(unsafe) let keys = [Keys(.aes128Gcm), Keys(.aes256Gcm)]

func unprotectInPlace(_ packet: [UInt8], _ receiver: DoubleReceiver) -> (PacketResult, [UInt8]) {
    let batch = PacketBatch(maximumCount: 1, slotCapacity: max(packet.count, 1))
    batch.append(packet)
    receiver.unprotect(batch)
    return (batch.result(at: 0), batch.packet(at: 0))
}

func ssrc(_ packet: [UInt8]) -> UInt32? {
    packet.count >= 12 ? packet[8..<12].reduce(0) { $0 << 8 | UInt32($1) } : nil
}

func requireNoTrace(_ packet: [UInt8], _ result: PacketResult, _ slot: [UInt8], _ receiver: DoubleReceiver) {
    require(slot == packet, "a rejected packet's slot changed")
    if let ssrc = ssrc(packet) {
        require(receiver.innerRolloverCounter(for: ssrc) == nil && receiver.outerRolloverCounter(for: ssrc) == nil,
                "a rejected packet created stream state")
    }
    let (again, _) = unprotectInPlace(packet, receiver)
    require(again == result, "the same packet was first \(result), then \(again)")
}

func requireReplayRefused(_ packet: [UInt8], _ receiver: DoubleReceiver) {
    let (again, _) = unprotectInPlace(packet, receiver)
    guard case .failed(let error) = again, case .replayed = error else {
        require(false, "a replayed packet was \(again)")
        return
    }
}

fuzzMain { data, size in
    var input = FuzzReader(fuzzBytes(data, size))
    let selector = input.byte()
    let useEKT = selector & 1 != 0
    let keys = keys[Int(selector >> 2) & 1]
    let packet = input.rest()
    let receiver = keys.receiver(ekt: useEKT)
    if selector & 2 == 0 {
        let (result, slot) = unprotectInPlace(packet, receiver)
        switch result {
        case .ok:
            require(slot.count < packet.count, "accepted \(packet.count) bytes, returned \(slot.count)")
            requireReplayRefused(packet, receiver)
        case .failed:
            requireNoTrace(packet, result, slot, receiver)
        case .pending:
            require(false, "the batch left its slot pending")
        }
        return 0
    }
    guard let protected = try? keys.sender(ekt: useEKT).protect(packet) else { return 0 }
    var authenticated = protected.count
    if useEKT {
        let field = protected.withUnsafeBytes { try? EKTField.parse(endOf: $0) }
        guard let field, case .full = field else { require(false, "no FullEKTField on a first packet"); return 0 }
        authenticated -= field.length
    }
    var forged = protected
    let bit = (Int(selector >> 3) &* 97 &+ packet.count &* 7) % (8 * authenticated)
    forged[bit / 8] ^= 1 << UInt8(bit % 8)
    let (forgedResult, forgedSlot) = unprotectInPlace(forged, receiver)
    guard case .failed = forgedResult else { require(false, "bit \(bit) flipped was accepted"); return 0 }
    requireNoTrace(forged, forgedResult, forgedSlot, receiver)
    let (result, slot) = unprotectInPlace(protected, receiver)
    require(result == .ok && slot == packet, "the round trip gave \(result)")
    requireReplayRefused(protected, receiver)
    return 0
}
