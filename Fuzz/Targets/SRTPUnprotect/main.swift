// SPDX-License-Identifier: Apache-2.0
// Copyright 2026 the swift-perc authors
//
// SRTP and SRTCP unprotect for every single profile.
//
// Input: a selector byte, then a packet. Selector bits 0-2 pick the profile
// (ProtectionProfile.allCases), bit 3 RTCP instead of RTP, bit 4 the round-trip mode.
// - Unprotect mode: the packet goes to a fresh receiver, in place in a batch slot of exactly
//   its size. A rejected packet must leave the slot's bytes, its length and the receiver's
//   state as they were (the same packet is rejected again with the same error; no ROC appears);
//   an accepted one must shrink by exactly the profile's overhead and be refused as a replay.
// - Round-trip mode: the packet is plaintext; a sender protects it, a copy with one bit
//   flipped (position from the selector's upper bits and the packet) must be rejected without
//   a trace, then the real one must come back byte for byte, once.
// Keys: the fixtures' master keys (Tests/Fixtures/libsrtp-*.json), so the seed packets made
// from those vectors (Fuzz/make-corpus.py) authenticate.
import FuzzSupport
import SRTP

nonisolated(unsafe) let profiles = ProtectionProfile.allCases

/// The master key and salt the fixtures use for `profile`.
func masterKey(_ profile: ProtectionProfile) -> (key: [UInt8], salt: [UInt8]) {
    switch profile {
    case .aes128CmSha1_80, .aes128CmSha1_32, .nullSha1_80, .nullSha1_32:   // libsrtp-aescm128-hmac80.json
        return (hex("e1f97a0d3e018be0d64fa32c06de4139"), hex("0ec675ad498afeebb6960b3aabe6"))
    case .aes256CmSha1_80, .aes256CmSha1_32:                                  // libsrtp-aescm256-192-hmac80.json
        return (hex("f0f04914b513f2763a1b1fa130f10e2998f6f6e43e4309d1e622a0e332b9f1b6"),
                hex("3b04803de51ee7c96423ab5b78d2"))
    case .aeadAes128Gcm:                                                      // libsrtp-gcm128.json
        return (hex("000102030405060708090a0b0c0d0e0f"), hex("a0a1a2a3a4a5a6a7a8a9aaab"))
    case .aeadAes256Gcm:
        return (hex("000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f"), hex("a0a1a2a3a4a5a6a7a8a9aaab"))
    }
}

func receiver(_ profile: ProtectionProfile) -> SRTPReceiver {
    let k = masterKey(profile)
    return try! SRTPReceiver(profile: profile, masterKey: k.key, masterSalt: k.salt)
}

/// The SSRC a receiver would file `packet` under, when it has one.
func ssrc(_ packet: [UInt8], rtcp: Bool) -> UInt32? {
    let at = rtcp ? 4 : 8
    guard packet.count >= at + 4 else { return nil }
    return packet[at..<(at + 4)].reduce(0) { $0 << 8 | UInt32($1) }
}

/// Unprotects `packet` in place in a one-slot batch of exactly its size.
func unprotectInPlace(_ packet: [UInt8], rtcp: Bool, with receiver: SRTPReceiver) -> (PacketResult, [UInt8]) {
    let batch = PacketBatch(maximumCount: 1, slotCapacity: max(packet.count, 1))
    batch.append(packet)
    if rtcp { receiver.unprotectRTCP(batch) } else { receiver.unprotect(batch) }
    return (batch.result(at: 0), batch.packet(at: 0))
}

/// A rejected packet changed nothing: same bytes, and the receiver rejects it again the same way.
func requireNoTrace(_ packet: [UInt8], rtcp: Bool, result: PacketResult, slot: [UInt8], receiver: SRTPReceiver,
                    rocBefore: UInt32?) {
    require(slot == packet, "a rejected packet's slot changed")
    if !rtcp, let ssrc = ssrc(packet, rtcp: false) {
        require(receiver.rolloverCounter(for: ssrc) == rocBefore, "a rejected packet moved the ROC")
    }
    let (again, _) = unprotectInPlace(packet, rtcp: rtcp, with: receiver)
    require(again == result, "the same packet was first \(result), then \(again)")
}

func unprotectMode(_ packet: [UInt8], profile: ProtectionProfile, rtcp: Bool) {
    let receiver = receiver(profile)
    let (result, slot) = unprotectInPlace(packet, rtcp: rtcp, with: receiver)
    switch result {
    case .ok:
        let overhead = rtcp ? 4 + profile.srtcpTagLength : profile.srtpTagLength
        require(slot.count == packet.count - overhead, "accepted \(packet.count) bytes, got \(slot.count)")
        let (again, _) = unprotectInPlace(packet, rtcp: rtcp, with: receiver)
        guard case .failed(.replayed) = again else { require(false, "a replay was \(again)"); return }
    case .failed:
        requireNoTrace(packet, rtcp: rtcp, result: result, slot: slot, receiver: receiver, rocBefore: nil)
    case .pending:
        require(false, "the batch left its slot pending")
    }
}

func roundTripMode(_ plaintext: [UInt8], profile: ProtectionProfile, rtcp: Bool, flip: UInt8) {
    let k = masterKey(profile)
    let sender = try! SRTPSender(profile: profile, masterKey: k.key, masterSalt: k.salt)
    guard let protected = try? (rtcp ? sender.protectRTCP(plaintext) : sender.protect(plaintext)) else { return }
    let receiver = receiver(profile)
    // Every bit of an SRTP/SRTCP packet without MKI is authenticated.
    var forged = protected
    let bit = (Int(flip) &* 31 &+ plaintext.count) % (8 * forged.count)
    forged[bit / 8] ^= UInt8(1 << (bit % 8))
    let (forgedResult, forgedSlot) = unprotectInPlace(forged, rtcp: rtcp, with: receiver)
    guard case .failed = forgedResult else {
        require(false, "a packet with bit \(bit) flipped was \(forgedResult)")
        return
    }
    requireNoTrace(forged, rtcp: rtcp, result: forgedResult, slot: forgedSlot, receiver: receiver, rocBefore: nil)
    let (result, slot) = unprotectInPlace(protected, rtcp: rtcp, with: receiver)
    require(result == .ok && slot == plaintext, "the round trip gave \(result)")
    let (again, _) = unprotectInPlace(protected, rtcp: rtcp, with: receiver)
    guard case .failed(.replayed) = again else { require(false, "a replay was \(again)"); return }
}

fuzzMain { data, size in
    var input = FuzzReader(fuzzBytes(data, size))
    let selector = input.byte()
    let profile = profiles[Int(selector & 7)]
    let rtcp = selector & 0x08 != 0
    if selector & 0x10 != 0 {
        roundTripMode(input.rest(), profile: profile, rtcp: rtcp, flip: selector >> 5)
    } else {
        unprotectMode(input.rest(), profile: profile, rtcp: rtcp)
    }
    return 0
}
