// SPDX-License-Identifier: Apache-2.0
// Copyright 2026 the swift-perc authors

import PERC
import SRTP
import TestSupport
import Testing

/// Seeded random mutations of authentic double packets (with EKT fields) at the receiver and
/// the relay: every mutated packet is a typed error or, when the mutation touched only what
/// neither layer covers, the original result; nothing crashes, and no refused packet leaves
/// state behind (the authentic packet of the same SEQ is still accepted afterwards).
@Suite struct DoubleMutationTests {
    static func mutate(_ packet: [UInt8], using rng: inout SeededGenerator) -> [UInt8] {
        var bytes = packet
        switch Int.random(in: 0...6, using: &rng) {
        case 0:
            let bit = Int.random(in: 0..<(bytes.count * 8), using: &rng)
            bytes[bit / 8] ^= 1 << (bit % 8)
        case 1: bytes = Array(bytes.prefix(Int.random(in: 0..<bytes.count, using: &rng)))
        case 2: bytes += rng.bytes(Int.random(in: 1...8, using: &rng))
        case 3: bytes[Int.random(in: 0..<bytes.count, using: &rng)] = UInt8.random(in: 0...255, using: &rng)
        case 4: bytes[0] = bytes[0] & 0xF0 | UInt8.random(in: 0...15, using: &rng)       // CC
        case 5: bytes[0] ^= 0x10                                                          // X
        default:                                                                          // EKT length / type
            let i = bytes.count - Int.random(in: 1...3, using: &rng)
            bytes[i] = UInt8.random(in: 0...255, using: &rng)
        }
        return bytes
    }

    @Test(arguments: DoubleProfile.allCases)
    func receiverAndRelay(profile: DoubleProfile) throws {
        var rng = SeededGenerator(seed: 2026)
        let keys = DoubleTestKeys(profile, seed: 3)
        let cipher: EKTCipher = profile == .aes128Gcm ? .aesKeyWrap128 : .aesKeyWrap256
        let parameters = try EKTParameterSet(spi: 9, cipher: cipher, key: rng.bytes(cipher.keyLength), masterSalt: keys.inner.salt)
        let ektSender = try EKTSender(parameters: parameters, masterKey: keys.inner.key, fullFieldsAfterChange: 3, fullFieldInterval: 2)
        let sender = try keys.sender(ekt: ektSender)
        let ekt = EKTReceiver(keyLength: profile.halfKeyLength, saltLength: 12)
        ekt.install(parameters)
        let receiver = try keys.receiver(hop: 1, withInner: false, ekt: ekt)
        let (inbound, outbound) = try keys.relay(from: 0, carriesEKT: true)
        var accepted = 0
        for n in 0..<30 {
            let original = RTPPacketFactory.random(ssrc: 0xFEED_F00D, sequenceNumber: UInt16(n), using: &rng)
            let wire = try sender.protect(original)
            let edits = HeaderEdits(payloadType: n % 2 == 0 ? 33 : nil, sequenceNumber: UInt16(n + 100))
            // Relay: a mutation may pass only if it changed the EKT field alone (which the relay
            // copies verbatim); the authentic relayed packet is then that output with the
            // authentic field put back.
            let srtpLength = wire.count - EKTReceiverTests.split(wire).field.count
            var relayed: [UInt8]? = nil
            for _ in 0..<40 {
                let mutated = Self.mutate(wire, using: &rng)
                if let output = try? inbound.forward(mutated, to: RelayTarget(hop: outbound, edits: edits)) {
                    guard mutated.count >= srtpLength, Array(mutated.prefix(srtpLength)) == Array(wire.prefix(srtpLength)) else {
                        Issue.record("packet \(n): the relay accepted a change inside the SRTP packet")
                        break
                    }
                    relayed = Array(output.dropLast(mutated.count - srtpLength)) + wire[srtpLength...]
                    break
                }
            }
            let authentic = try relayed ?? inbound.forward(wire, to: RelayTarget(hop: outbound, edits: edits))
            var receiverDone = false
            for _ in 0..<40 {
                let mutated = Self.mutate(authentic, using: &rng)
                if let opened = try? receiver.unprotect(mutated) {
                    #expect(opened == original)
                    receiverDone = true
                    accepted += 1
                    break
                }
            }
            if !receiverDone {
                #expect(try receiver.unprotect(authentic) == original, "packet \(n): authentic packet after refusals")
                accepted += 1
            }
        }
        #expect(accepted == 30, "every packet accepted exactly once")
    }
}
