// SPDX-License-Identifier: Apache-2.0
// Copyright 2026 the swift-perc authors
//
// EKT (RFC 8870): the field parser at the end of a packet, the key unwrap (RFC 5649 AES key
// wrap with padding, and RFC 3394) and the plaintext decoder, through EKTReceiver.evaluate.
//
// Input: a selector byte (bits 0-1: the key-encryption key), then the packet tail.
// Invariants: a parsed field fits the packet and a FullEKTField encodes back to exactly the
// bytes it was parsed from; whatever unwraps wraps back to the same ciphertext (wrap is
// deterministic, so a lax unwrap would show here); a decoded EKTPlaintext encodes back to its
// bytes; an offer from evaluate names the packet's SSRC and has the receiver's key length,
// and once accepted the identical field is a no-op, never an error.
// Keys: Tests/Fixtures/ekt-selfgen.json (SPI 1, AESKW128; SPI 2, AESKW256) and the
// RFC 3394 / 5649 KEKs of Tests/Fixtures/rfc3394-keywrap.json and rfc5649-keywrap.json.
import FuzzSupport
import PERC
import SRTP

nonisolated(unsafe) let keks: [[UInt8]] = [
    hex("000102030405060708090a0b0c0d0e0f"),
    hex("000102030405060708090a0b0c0d0e0f1011121314151617"),
    hex("5840df6e29b02af1ab493b705bf16ea1ae8338f4dcc176a8"),
    hex("000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f"),
]
nonisolated(unsafe) let ektSalt = hex("a0a1a2a3a4a5a6a7a8a9aaab")
nonisolated(unsafe) let parameterSets = [
    try! EKTParameterSet(spi: 1, cipher: .aesKeyWrap128, key: keks[0], masterSalt: ektSalt),
    try! EKTParameterSet(spi: 2, cipher: .aesKeyWrap256, key: keks[3], masterSalt: ektSalt),
]
let packetSSRC: UInt32 = 0xCAFE_BABE

fuzzMain { data, size in
    var input = FuzzReader(fuzzBytes(data, size))
    let kek = keks[Int(input.byte() & 3)]
    let tail = input.rest()

    for padded in [true, false] {
        if let plaintext = AESKeyWrap.unwrap(tail, kek: kek, padded: padded) {
            require(AESKeyWrap.wrap(plaintext, kek: kek, padded: padded) == tail,
                    "unwrap accepted a ciphertext that wrap would not produce (padded: \(padded))")
        }
    }
    if let plaintext = try? EKTPlaintext(decoding: tail) {
        require(plaintext.bytes == tail, "an EKT plaintext does not encode back to its bytes")
    }

    let parsed: Result<EKTField, SRTPError> = tail.withUnsafeBytes { raw in
        Result { () throws(SRTPError) in try EKTField.parse(endOf: raw) }
    }
    guard case .success(let field) = parsed else { return 0 }
    require(field.length >= 1 && field.length <= tail.count, "a field of \(field.length) bytes in \(tail.count)")
    guard case .full(let full) = field else { return 0 }
    require(full.bytes == Array(tail.suffix(full.encodedLength)), "a FullEKTField does not encode back to its bytes")

    let receiver = EKTReceiver(keyLength: 16, saltLength: 12)
    parameterSets.forEach(receiver.install)
    do throws(SRTPError) {
        if let offer = try receiver.evaluate(full, packetSSRC: packetSSRC) {
            require(offer.ssrc == packetSSRC && offer.masterKey.count == 16 && offer.spi == full.spi,
                    "an offer for another SSRC, key length or SPI")
            receiver.accept(offer)
            let again = Result { () throws(SRTPError) in try receiver.evaluate(full, packetSSRC: packetSSRC) }
            guard case .success(nil) = again else {
                require(false, "an accepted field was evaluated again as \(again)")
                return 0
            }
        }
    } catch {
        switch error {
        case .invalidEKTField, .unknownEKTKey: break
        default: require(false, "unexpected error \(error)")
        }
    }
    return 0
}
