// SPDX-License-Identifier: Apache-2.0
// Copyright 2026 the swift-perc authors

import PERC
import SRTP
import TestSupport
import Testing

/// EKT fields (RFC 8870 4.1) and the EKT cipher's length (4.4, with the length erratum):
/// ekt-selfgen.json built with ``EKTSender`` and parsed with ``EKTField/parse(endOf:)``.
@Suite struct EKTFieldTests {
    static var cases: [[String: Any]] { (try? Fixtures.json("ekt-selfgen.json").objects("cases")) ?? [] }

    @Test func fixtureHasCases() { #expect(Self.cases.count == 3) }

    @Test(arguments: 0..<3)
    func plaintextLayoutAndLength(index: Int) throws {
        let vector = Self.cases[index]
        let key = try vector.bytes("srtp_master_key")
        let ssrc = UInt32(try vector.bytes("ssrc").reduce(0) { $0 << 8 | Int($1) })
        let roc = UInt32(try vector.int("roc"))
        let plaintext = try EKTPlaintext(masterKey: key, ssrc: ssrc, roc: roc)
        let expected = try vector.bytes("ekt_plaintext")
        #expect(plaintext.bytes == expected)
        // len(1) | key | SSRC(4) | ROC(4): M = L + 9.
        #expect(expected.count == (try vector.int("ekt_plaintext_len_M")))
        #expect(expected.count == key.count + 9)
        #expect(expected[0] == UInt8(key.count))
        let decoded = try EKTPlaintext(decoding: expected)
        #expect(decoded.ssrc == ssrc && decoded.roc == roc)
        #expect(decoded.masterKey == SecretBytes(key))

        // N = 8*ceil(M/8) + 8, not the M + (M mod 8) + 8 printed in RFC 8870 4.4.
        let m = expected.count
        let n = EKTCipher.ciphertextLength(plaintextLength: m)
        #expect(n == (try vector.int("correct_len_8ceil(M/8)+8")))
        #expect(n == (try vector.bytes("ekt_ciphertext")).count)
        #expect(n == (try vector.int("ekt_ciphertext_len_N")))
        #expect(m + m % 8 + 8 == (try vector.int("rfc8870_formula_M_plus_Mmod8_plus_8")))
        #expect(m + m % 8 + 8 != n)
    }

    /// ``EKTSender/fullField(ssrc:roc:)`` builds the vector's field; the epoch is the number of
    /// keys introduced before (RFC 8870 4.2), so the sender is rekeyed `epoch` times.
    @Test(arguments: 0..<3)
    func fullFieldBuild(index: Int) throws {
        let vector = Self.cases[index]
        let ektKey = try vector.bytes("ekt_key")
        let parameters = try EKTParameterSet(spi: UInt16(try vector.bytes("spi").reduce(0) { $0 << 8 | Int($1) }),
                                             cipher: ektKey.count == 16 ? .aesKeyWrap128 : .aesKeyWrap256,
                                             key: ektKey, masterSalt: [UInt8](repeating: 0xA0, count: 12))
        let key = try vector.bytes("srtp_master_key")
        let sender = try EKTSender(parameters: parameters, masterKey: key)
        for _ in 0..<(try vector.int("epoch")) { sender.rekey(masterKey: key) }
        let ssrc = UInt32(try vector.bytes("ssrc").reduce(0) { $0 << 8 | Int($1) })
        let field = try #require(sender.fullField(ssrc: ssrc, roc: UInt32(try vector.int("roc"))))
        #expect(field.ciphertext == (try vector.bytes("ekt_ciphertext")))
        #expect(field.bytes == (try vector.bytes("full_ekt_field")))
        #expect(field.encodedLength == (try vector.int("full_ekt_field_len(EKTMsgLength value)")))
        #expect(sender.maximumFieldLength == field.encodedLength)
        // The ciphertext is the RFC 5649 wrap of the plaintext under the EKTKey.
        #expect(AESKeyWrap.unwrap(field.ciphertext, kek: ektKey, padded: true) == (try vector.bytes("ekt_plaintext")))
    }

    /// Parsed backwards from the end of a packet: SPI, epoch, EKTMsgLength (the whole field).
    @Test(arguments: 0..<3)
    func fullFieldParse(index: Int) throws {
        let vector = Self.cases[index]
        let fieldBytes = try vector.bytes("full_ekt_field")
        let length = try vector.int("full_ekt_field_len(EKTMsgLength value)")
        #expect(Int(fieldBytes[fieldBytes.count - 3]) << 8 | Int(fieldBytes[fieldBytes.count - 2]) == length)
        let packet = [UInt8](repeating: 0x55, count: 45) + fieldBytes   // some SRTP packet in front
        let parsed = try packet.withUnsafeBytes { bytes throws(SRTPError) in try EKTField.parse(endOf: bytes) }
        let expected = FullEKTField(spi: UInt16(try vector.bytes("spi").reduce(0) { $0 << 8 | Int($1) }),
                                    epoch: UInt16(try vector.int("epoch")), ciphertext: try vector.bytes("ekt_ciphertext"))
        #expect(parsed == .full(expected))
        #expect(parsed.length == length)
    }

    @Test func shortFieldParse() throws {
        let short = try Hex.decode(Fixtures.json("ekt-selfgen.json").string("short_ekt_field"))!
        #expect(short == [0x00])
        let packet: [UInt8] = [0x80, 0x60, 0, 1] + short
        let parsed = try packet.withUnsafeBytes { bytes in try EKTField.parse(endOf: bytes) }
        #expect(parsed == .short)
        #expect(EKTField.short.length == 1)
    }

    /// Unknown (unallocated) types are skipped by their length; reserved types and lengths
    /// that do not fit are errors.
    @Test func otherTypesAndBadLengths() throws {
        func parse(_ bytes: [UInt8]) throws -> EKTField {
            try bytes.withUnsafeBytes { raw in try EKTField.parse(endOf: raw) }
        }
        let unknown = try parse([9, 9, 1, 2, 3, 0x00, 0x06, 0x04])
        #expect(unknown == .unknown(type: 4, length: 6))
        #expect(throws: SRTPError.self) { try parse([9, 9, 9, 9, 0x00, 0x05, 0x01]) }        // type 1 reserved
        #expect(throws: SRTPError.self) { try parse([9, 9, 9, 9, 0x00, 0x05, 0xFF]) }        // type 255 reserved
        #expect(throws: SRTPError.self) { try parse([9, 9, 9, 9, 0x00, 0x30, 0x02]) }        // longer than packet
        #expect(throws: SRTPError.self) { try parse([9, 9, 9, 9, 9, 9, 9, 9, 0x00, 0x07, 0x02]) }  // empty ciphertext
        #expect(throws: SRTPError.self) { try parse([0x00, 0x02]) }                           // no room for length
        #expect(throws: SRTPError.self) { try parse([]) }
        var long = [UInt8](repeating: 1, count: 300)
        long += [0, 0, 0, 0, 0x01, 0x06, 0x02]   // 262 > 251 + 7
        #expect(throws: SRTPError.self) { try parse(long) }
    }
}
