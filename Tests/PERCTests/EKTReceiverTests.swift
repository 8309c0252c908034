// SPDX-License-Identifier: Apache-2.0
// Copyright 2026 the swift-perc authors

import PERC
import SRTP
import TestSupport
import Testing

/// EKT (RFC 8870) at the double receiver: the sender's inner key and ROC installed from a
/// FullEKTField (4.3.2 step 6, replacing only the inner half), ShortEKTField packets, the
/// epoch rule (4.2), identical resends, and every refusal leaving no trace. Packets come from
/// a ``DoubleSender`` with an ``EKTSender``; bad fields are made by editing its fields.
@Suite struct EKTReceiverTests {
    let ssrc: UInt32 = 0xCAFE_BABE

    /// A conference: the EKTKey parameter set, one sender's own inner key, and the hop keys.
    struct Conference {
        let profile: DoubleProfile
        let keys: DoubleTestKeys
        let parameters: EKTParameterSet
        let senderKey: SRTPMasterKey

        init(_ profile: DoubleProfile = .aes128Gcm, seed: UInt64 = 11) throws {
            var rng = SeededGenerator(seed: seed)
            self.profile = profile
            keys = DoubleTestKeys(profile, seed: seed)
            let cipher: EKTCipher = profile == .aes128Gcm ? .aesKeyWrap128 : .aesKeyWrap256
            parameters = try EKTParameterSet(spi: 0x0101, cipher: cipher, key: rng.bytes(cipher.keyLength),
                                             masterSalt: rng.bytes(12))
            senderKey = SRTPMasterKey(key: rng.bytes(profile.halfKeyLength), salt: parameters.masterSalt)
        }

        func sender(key: SRTPMasterKey? = nil, roc: UInt32 = 0) throws -> DoubleSender {
            let key = key ?? senderKey
            var configuration = SRTPConfiguration()
            configuration.initialROC = roc
            return try DoubleSender(profile: profile, inner: key, outer: keys.hops[0], configuration: configuration,
                                    ekt: try EKTSender(parameters: parameters, masterKey: key.key))
        }

        /// A receiver with no inner key of its own: every key comes through EKT.
        func receiver(hop: Int = 0, roc: UInt32 = 0) throws -> (DoubleReceiver, EKTReceiver) {
            let ekt = EKTReceiver(keyLength: profile.halfKeyLength, saltLength: 12)
            ekt.install(parameters)
            var configuration = SRTPConfiguration()
            configuration.initialROC = roc
            return (try DoubleReceiver(profile: profile, inner: nil, outer: keys.hops[hop], configuration: configuration,
                                       ekt: ekt), ekt)
        }
    }

    func packet(_ sequence: UInt16, ssrc: UInt32 = 0xCAFE_BABE) -> [UInt8] {
        RTPPacketFactory.packet(sequenceNumber: sequence, ssrc: ssrc, payload: Array("ekt \(sequence)".utf8))
    }

    /// Splits a packet into the SRTP packet and its EKT field.
    static func split(_ wire: [UInt8]) -> (srtp: [UInt8], field: [UInt8]) {
        let length = wire.last == 0 ? 1 : Int(wire[wire.count - 3]) << 8 | Int(wire[wire.count - 2])
        return (Array(wire.dropLast(length)), Array(wire.suffix(length)))
    }

    static func fullField(_ bytes: [UInt8]) throws -> FullEKTField {
        guard case .full(let field) = try bytes.withUnsafeBytes({ try EKTField.parse(endOf: $0) }) else {
            throw SRTPError.invalidEKTField("not a FullEKTField")
        }
        return field
    }

    static func isEKTError(_ error: SRTPError?) -> Bool {
        switch error {
        case .invalidEKTField?, .unknownEKTKey?: return true
        default: return false
        }
    }

    @Test(arguments: DoubleProfile.allCases)
    func keyInstalledFromTheFirstFullFieldThenShortFields(profile: DoubleProfile) throws {
        let conference = try Conference(profile)
        let sender = try conference.sender()
        let (receiver, _) = try conference.receiver()
        let fieldLength = profile == .aes128Gcm ? 47 : 63
        for n in 0..<8 {
            let wire = try sender.protect(packet(UInt16(n)))
            let field = Self.split(wire).field
            // Full in the first three packets, then every fifth (EKTSender defaults).
            #expect(field.count == ([0, 1, 2, 5].contains(n) ? fieldLength : 1), "packet \(n)")
            #expect(try receiver.unprotect(wire) == packet(UInt16(n)))
        }
        #expect(receiver.innerRolloverCounter(for: ssrc) == 0)
    }

    /// Without a FullEKTField first there is no inner key for the SSRC.
    @Test func shortFieldBeforeAnyKeyIsRefused() throws {
        let conference = try Conference()
        let sender = try conference.sender()
        let (receiver, _) = try conference.receiver()
        let wires = try (0..<4).map { try sender.protect(packet(UInt16($0))) }
        #expect(Self.split(wires[3]).field == [0])
        #expect(throws: SRTPError.self) { try receiver.unprotect(wires[3]) }
        #expect(receiver.innerRolloverCounter(for: ssrc) == nil && receiver.outerRolloverCounter(for: ssrc) == nil)
        #expect(try receiver.unprotect(wires[0]) == packet(0))
        #expect(try receiver.unprotect(wires[3]) == packet(3))
    }

    /// The inner ROC comes from the FullEKTField, independent of this hop's outer ROC.
    @Test func innerROCComesFromTheField() throws {
        let conference = try Conference()
        let sender = try conference.sender(roc: 5)
        let (inbound, outbound) = try conference.keys.relay(from: 0, inROC: 5, outROC: 0, carriesEKT: true)
        let (receiver, _) = try conference.receiver(hop: 1, roc: 0)
        let wire = try inbound.forward(try sender.protect(packet(9)), to: RelayTarget(hop: outbound))
        #expect(try receiver.unprotect(wire) == packet(9))
        #expect(receiver.innerRolloverCounter(for: ssrc) == 5 && receiver.outerRolloverCounter(for: ssrc) == 0)
    }

    /// An identical resend needs no unwrap and changes nothing; the ROC in the field follows
    /// the sender's ROC across the wrap (a new ciphertext, same key: no epoch change needed).
    @Test func identicalResendAndROCChange() throws {
        let conference = try Conference()
        let sender = try conference.sender()
        let (receiver, ekt) = try conference.receiver()
        let wires = try [0xFFFE, 0xFFFF, 0x0000].map { try sender.protect(packet(UInt16($0))) }
        let fields = try wires.map { try Self.fullField(Self.split($0).field) }
        #expect(fields[0] == fields[1])
        #expect(fields[2].ciphertext != fields[1].ciphertext && fields[2].epoch == 0)
        let plaintext = try #require(AESKeyWrap.unwrap(fields[2].ciphertext, kek: conference.parameters.key.withUnsafeBytes { Array($0) },
                                                       padded: true))
        #expect(Array(plaintext.suffix(4)) == [0, 0, 0, 1], "ROC 1 after the wrap")
        #expect(try ekt.evaluate(fields[0], packetSSRC: ssrc) != nil)
        for (n, wire) in wires.enumerated() { #expect(try receiver.unprotect(wire) == packet(UInt16([0xFFFE, 0xFFFF, 0][n]))) }
        #expect(try ekt.evaluate(fields[0], packetSSRC: ssrc) == nil, "same key: nothing to install")
        #expect(try ekt.evaluate(fields[2], packetSSRC: ssrc) == nil, "identical resend")
        #expect(receiver.innerRolloverCounter(for: ssrc) == 1)
    }

    /// Rekey: the next packets carry the new key under epoch + 1 and are accepted; an old
    /// field (the previous key, epoch 0) on a later packet is a rollback and refused.
    @Test func rekeyWithTheNextEpochAndRollbackRefused() throws {
        let conference = try Conference()
        let sender = try conference.sender()
        let (receiver, _) = try conference.receiver()
        let old = try (0..<4).map { try sender.protect(packet(UInt16($0))) }
        for (n, wire) in old.enumerated() { #expect(try receiver.unprotect(wire) == packet(UInt16(n))) }
        var rng = SeededGenerator(seed: 99)
        try sender.rekey(inner: SRTPMasterKey(key: rng.bytes(16), salt: conference.parameters.masterSalt))
        let new = try (4..<8).map { try sender.protect(packet(UInt16($0))) }
        let rekeyField = try Self.fullField(Self.split(new[0]).field)
        #expect(rekeyField.epoch == 1)
        for (n, wire) in new.enumerated() { #expect(try receiver.unprotect(wire) == packet(UInt16(n + 4))) }

        let next = try sender.protect(packet(8))
        let rollback = Self.split(next).srtp + Self.split(old[0]).field
        #expect(Self.isEKTError(#expect(throws: SRTPError.self) { try receiver.unprotect(rollback) }))
        #expect(try receiver.unprotect(next) == packet(8), "the refused packet left no trace")
    }

    /// RFC 8870 4.6: a sender announces its new key and keeps encrypting with the old one for
    /// a while (250 ms). Packets that carry the new key's FullEKTField but are still under the
    /// old key, Short-field packets under the old key, and then packets under the new key must
    /// all be accepted (the receiver may trial-decrypt with the old and the new key, 4.3.2).
    @Test func oldKeyDuringTheRekeyOverlap() throws {
        let conference = try Conference()
        let oldSender = try conference.sender()
        let (receiver, _) = try conference.receiver()
        for n in 0..<3 { #expect(try receiver.unprotect(try oldSender.protect(packet(UInt16(n)))) == packet(UInt16(n))) }

        var rng = SeededGenerator(seed: 44)
        let newKey = SRTPMasterKey(key: rng.bytes(16), salt: conference.parameters.masterSalt)
        let announcer = try EKTSender(parameters: conference.parameters, masterKey: conference.senderKey.key)
        announcer.rekey(masterKey: newKey.key)
        let announcement = try #require(announcer.fullField(ssrc: ssrc, roc: 0))
        #expect(announcement.epoch == 1)
        // Still the old key, with the new key's field attached (three times).
        for n in 3..<6 {
            let wire = Self.split(try oldSender.protect(packet(UInt16(n)))).srtp + announcement.bytes
            #expect(try receiver.unprotect(wire) == packet(UInt16(n)), "old key, packet \(n)")
        }
        let late = Self.split(try oldSender.protect(packet(6))).srtp + [0x00]
        // The switch: the new key, Short fields (the announcement was already sent).
        let newSender = try DoubleSender(profile: .aes128Gcm, inner: newKey, outer: conference.keys.hops[0])
        for n in 7..<10 {
            #expect(try receiver.unprotect(try newSender.protect(packet(UInt16(n))) + [0x00]) == packet(UInt16(n)), "new key, packet \(n)")
        }
        // A late packet under the old key still opens; a key nobody announced does not.
        #expect(try receiver.unprotect(late) == packet(6))
        let stranger = try DoubleSender(profile: .aes128Gcm, inner: SRTPMasterKey(key: rng.bytes(16), salt: newKey.salt),
                                        outer: conference.keys.hops[0])
        #expect(throws: SRTPError.inner(.authenticationFailed(ssrc: ssrc))) { try receiver.unprotect(try stranger.protect(packet(11)) + [0x00]) }
    }

    /// A different key with an epoch not greater than the accepted one is refused (4.2).
    @Test func staleEpochWithADifferentKeyIsRefused() throws {
        let conference = try Conference()
        let sender = try conference.sender()
        let (receiver, _) = try conference.receiver()
        #expect(try receiver.unprotect(try sender.protect(packet(0))) == packet(0))
        var rng = SeededGenerator(seed: 5)
        let intruder = try conference.sender(key: SRTPMasterKey(key: rng.bytes(16), salt: conference.parameters.masterSalt))
        let stale = try intruder.protect(packet(1))
        #expect(try Self.fullField(Self.split(stale).field).epoch == 0)
        #expect(Self.isEKTError(#expect(throws: SRTPError.self) { try receiver.unprotect(stale) }))
        let batch = PacketBatch(maximumCount: 1)
        batch.append(stale)
        receiver.unprotect(batch)
        #expect(batch.result(at: 0) != .ok && batch.packet(at: 0) == stale)
        #expect(receiver.innerRolloverCounter(for: ssrc) == 0 && receiver.outerRolloverCounter(for: ssrc) == 0)
        #expect(try receiver.unprotect(try sender.protect(packet(1))) == packet(1))
        #expect(try receiver.unprotect(try sender.protect(packet(2))) == packet(2))
        #expect(try receiver.unprotect(try sender.protect(packet(3))) == packet(3), "Short field: the first key stays")
    }

    struct FieldCase: Sendable, CustomTestStringConvertible {
        let name: String
        let edit: @Sendable ([UInt8]) -> [UInt8]
        var testDescription: String { name }
    }

    static func setLength(_ field: [UInt8], _ length: Int) -> [UInt8] {
        var field = field
        field[field.count - 3] = UInt8(length >> 8)
        field[field.count - 2] = UInt8(length & 0xFF)
        return field
    }

    static let badFields: [FieldCase] = [
        FieldCase(name: "unknown SPI") { field in
            var field = field
            field[field.count - 6] ^= 0x01
            return field
        },
        FieldCase(name: "unwrap failure (ciphertext bit flipped)") { field in
            var field = field
            field[3] ^= 0x10
            return field
        },
        FieldCase(name: "EKTMsgLength longer than the packet") { setLength($0, 4000) },
        FieldCase(name: "EKTMsgLength 7 (no ciphertext)") { setLength($0, 7) },
        FieldCase(name: "EKTMsgLength one short") { setLength($0, 46) },
        FieldCase(name: "EKTMsgLength one long") { setLength($0, 48) },
        FieldCase(name: "reserved message type 1") { $0.dropLast() + [0x01] },
        FieldCase(name: "reserved message type 255") { $0.dropLast() + [0xFF] },
    ]

    /// Bad FullEKTFields on the rekey packet: refused, and the new key is not installed (the
    /// following Short-field packet under the new key fails), while the old key still works
    /// for a late packet; then the good field installs the key.
    @Test(arguments: badFields)
    func badFieldsAreRefusedWithoutATrace(testCase: FieldCase) throws {
        let conference = try Conference()
        let sender = try conference.sender()
        let (receiver, _) = try conference.receiver()
        let before = try (0..<5).map { try sender.protect(packet(UInt16($0))) }
        for n in 0..<4 { #expect(try receiver.unprotect(before[n]) == packet(UInt16(n))) }
        var rng = SeededGenerator(seed: 3)
        try sender.rekey(inner: SRTPMasterKey(key: rng.bytes(16), salt: conference.parameters.masterSalt))
        let rekeyed = try (5..<9).map { try sender.protect(packet(UInt16($0))) }   // Full, Full, Full, Short
        let (srtp, field) = Self.split(rekeyed[0])
        let bad = srtp + testCase.edit(field)
        #expect(throws: SRTPError.self) { try receiver.unprotect(bad) }
        let batch = PacketBatch(maximumCount: 1)
        batch.append(bad)
        receiver.unprotect(batch)
        #expect(batch.result(at: 0) != .ok && batch.packet(at: 0) == bad)
        #expect(receiver.innerRolloverCounter(for: ssrc) == 0 && receiver.outerRolloverCounter(for: ssrc) == 0)
        #expect(throws: SRTPError.self) { try receiver.unprotect(rekeyed[3]) }   // new key not installed
        #expect(try receiver.unprotect(before[4]) == packet(4), "old key still in place")
        #expect(try receiver.unprotect(rekeyed[0]) == packet(5))
        #expect(try receiver.unprotect(rekeyed[3]) == packet(8))
    }

    /// A rekey packet that fails authentication installs nothing (RFC 8870 4.3.2 with the
    /// key committed only once the packet passed).
    @Test func failedPacketInstallsNoKey() throws {
        let conference = try Conference()
        let sender = try conference.sender()
        let (receiver, _) = try conference.receiver()
        for n in 0..<4 { _ = try receiver.unprotect(try sender.protect(packet(UInt16(n)))) }
        var rng = SeededGenerator(seed: 4)
        try sender.rekey(inner: SRTPMasterKey(key: rng.bytes(16), salt: conference.parameters.masterSalt))
        let rekeyed = try (4..<8).map { try sender.protect(packet(UInt16($0))) }
        var (srtp, field) = Self.split(rekeyed[0])
        srtp[srtp.count - 1] ^= 0x01   // outer tag
        #expect(throws: SRTPError.authenticationFailed(ssrc: ssrc)) { try receiver.unprotect(srtp + field) }
        #expect(throws: SRTPError.self) { try receiver.unprotect(rekeyed[3]) }
        #expect(try receiver.unprotect(rekeyed[1]) == packet(5))
        #expect(try receiver.unprotect(rekeyed[3]) == packet(7))
        #expect(try receiver.unprotect(rekeyed[0]) == packet(4), "packet 4 was never recorded")
    }

    /// A FullEKTField whose plaintext names another SSRC is ignored; the packet itself is
    /// still processed with the key already installed (RFC 8870 4.3.2 step 5).
    @Test func fieldForAnotherSSRCIsIgnored() throws {
        let conference = try Conference()
        let sender = try conference.sender()
        let (receiver, ekt) = try conference.receiver()
        for n in 0..<3 { _ = try receiver.unprotect(try sender.protect(packet(UInt16(n)))) }
        var rng = SeededGenerator(seed: 8)
        let otherKey = rng.bytes(16)
        let foreign = try #require(EKTSender(parameters: conference.parameters, masterKey: otherKey)
            .fullField(ssrc: 0x0BAD_F00D, roc: 0))
        #expect(try ekt.evaluate(foreign, packetSSRC: ssrc) == nil)
        let wire = Self.split(try sender.protect(packet(3))).srtp + foreign.bytes
        #expect(try receiver.unprotect(wire) == packet(3))
        #expect(try receiver.unprotect(try sender.protect(packet(4))) == packet(4), "our key was not replaced")
    }

    /// A new EKTKey (new SPI, new conference salt): the sender changes its key too and
    /// starts again at epoch 0 (RFC 8870 4.5), which is no rollback under the new SPI.
    @Test func newEKTKeyRestartsTheEpoch() throws {
        let conference = try Conference()
        let sender = try conference.sender()
        let (receiver, ekt) = try conference.receiver()
        for n in 0..<3 { #expect(try receiver.unprotect(try sender.protect(packet(UInt16(n)))) == packet(UInt16(n))) }
        try sender.rekey(inner: SRTPMasterKey(key: [UInt8](repeating: 0x0E, count: 16), salt: conference.parameters.masterSalt))
        for n in 3..<6 { #expect(try receiver.unprotect(try sender.protect(packet(UInt16(n)))) == packet(UInt16(n))) }
        #expect(sender.ekt?.epoch == 1)

        var rng = SeededGenerator(seed: 77)
        let next = try EKTParameterSet(spi: 0x0202, cipher: .aesKeyWrap128, key: rng.bytes(16), masterSalt: rng.bytes(12))
        ekt.install(next)
        let newKey = SRTPMasterKey(key: rng.bytes(16), salt: next.masterSalt)
        try sender.rekey(inner: newKey)                                 // the SRTP master key changes with the EKTKey,
        sender.ekt?.replaceParameters(next, masterKey: newKey.key)     // then the epoch restarts under the new SPI
        let wire = try sender.protect(packet(6))
        let field = try Self.fullField(Self.split(wire).field)
        #expect(field.spi == 0x0202 && field.epoch == 0)
        #expect(try receiver.unprotect(wire) == packet(6))
        for n in 7..<10 { #expect(try receiver.unprotect(try sender.protect(packet(UInt16(n)))) == packet(UInt16(n))) }
    }

    /// An EKTKey past its TTL is not used (RFC 8870 5.2).
    @Test func expiredEKTKeyIsNotUsed() throws {
        let conference = try Conference()
        let expired = try EKTParameterSet(spi: conference.parameters.spi, cipher: .aesKeyWrap128,
                                          key: conference.parameters.key.withUnsafeBytes { Array($0) },
                                          masterSalt: conference.parameters.masterSalt, ttl: 10,
                                          installedAt: .now - .seconds(11))
        let ekt = EKTReceiver(keyLength: 16, saltLength: 12)
        ekt.install(expired)
        let receiver = try DoubleReceiver(profile: .aes128Gcm, inner: nil, outer: conference.keys.hops[0], ekt: ekt)
        let wire = try conference.sender().protect(packet(0))
        #expect(Self.isEKTError(#expect(throws: SRTPError.self) { try receiver.unprotect(wire) }))
        ekt.install(conference.parameters)
        #expect(try receiver.unprotect(wire) == packet(0))
    }

    /// The relay strips the EKT field, relays, and puts it back unchanged (RFC 8723 5.2).
    @Test(arguments: DoubleProfile.allCases)
    func relayPassesTheFieldThroughUntouched(profile: DoubleProfile) throws {
        let conference = try Conference(profile)
        let sender = try conference.sender()
        let (inbound, outbound) = try conference.keys.relay(from: 0, carriesEKT: true)
        let (receiver, _) = try conference.receiver(hop: 1)
        for n in 0..<6 {
            let wire = try sender.protect(packet(UInt16(n)))
            let edits = HeaderEdits(payloadType: n % 2 == 0 ? 111 : nil, sequenceNumber: UInt16(40_000 + n), marker: true)
            let relayed = try inbound.forward(wire, to: RelayTarget(hop: outbound, edits: edits))
            let field = Self.split(wire).field
            #expect(Array(relayed.suffix(field.count)) == field, "packet \(n)")
            #expect(try receiver.unprotect(relayed) == packet(UInt16(n)))
        }
        // The same through fan-out.
        let wire = try sender.protect(packet(6))
        let output = PacketBatch(maximumCount: 2)
        try wire.withUnsafeBytes { try inbound.fanOut($0, to: [RelayTarget(hop: outbound)], into: output) }
        #expect(output.result(at: 0) == .ok)
        #expect(Array(output.packet(at: 0).suffix(Self.split(wire).field.count)) == Self.split(wire).field)
        #expect(try receiver.unprotect(output.packet(at: 0)) == packet(6))
    }
}
