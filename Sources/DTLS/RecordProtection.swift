// SPDX-License-Identifier: Apache-2.0
// Copyright 2026 the swift-perc authors

import Crypto

/// AES-128-GCM record protection for one direction of one epoch (RFC 5288 3, RFC 6347 4.1.2.1).
///
/// The nonce is the 4-byte implicit IV followed by the 8-byte explicit nonce, which is the
/// record's epoch and sequence number. The additional data is epoch, sequence number, type,
/// version and plaintext length. The record body is explicit nonce, ciphertext, 16-byte tag.
struct RecordProtection {
    /// Bytes a protected record adds to its plaintext: explicit nonce plus tag.
    static let overhead = 8 + 16

    private let key: SymmetricKey
    private let implicitIV: [UInt8]

    init(key: [UInt8], implicitIV: [UInt8]) {
        precondition(key.count == 16 && implicitIV.count == 4)
        self.key = SymmetricKey(data: key)
        self.implicitIV = implicitIV
    }

    private static func additionalData(type: UInt8, epoch: UInt16, sequence: UInt64, version: UInt16, length: Int) -> [UInt8] {
        var writer = ByteWriter()
        writer.append(epoch)
        writer.appendInteger(sequence, width: 6)
        writer.append(type)
        writer.append(version)
        writer.append(UInt16(length))
        return writer.bytes
    }

    /// Protects `plaintext`; returns the record body.
    func seal(_ plaintext: [UInt8], type: UInt8, epoch: UInt16, sequence: UInt64, version: UInt16) -> [UInt8] {
        var explicit = ByteWriter()
        explicit.append(epoch)
        explicit.appendInteger(sequence, width: 6)
        let aad = Self.additionalData(type: type, epoch: epoch, sequence: sequence, version: version, length: plaintext.count)
        // A 12-byte nonce is always valid and sealing cannot fail with a 16-byte key.
        let nonce = try! AES.GCM.Nonce(data: implicitIV + explicit.bytes)
        let box = try! AES.GCM.seal(plaintext, using: key, nonce: nonce, authenticating: aad)
        return explicit.bytes + box.ciphertext + box.tag
    }

    /// Opens a record body; returns nil when it is too short or does not authenticate.
    func open(_ body: ArraySlice<UInt8>, type: UInt8, epoch: UInt16, sequence: UInt64, version: UInt16) -> [UInt8]? {
        guard body.count >= Self.overhead else { return nil }
        let start = body.startIndex
        let explicit = body[start..<(start + 8)]
        let ciphertext = body[(start + 8)..<(body.endIndex - 16)]
        let tag = body[(body.endIndex - 16)...]
        let aad = Self.additionalData(type: type, epoch: epoch, sequence: sequence, version: version, length: ciphertext.count)
        guard let nonce = try? AES.GCM.Nonce(data: implicitIV + explicit),
              let box = try? AES.GCM.SealedBox(nonce: nonce, ciphertext: ciphertext, tag: tag),
              let plaintext = try? AES.GCM.open(box, using: key, authenticating: aad)
        else { return nil }
        return Array(plaintext)
    }
}
