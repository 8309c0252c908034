// SPDX-License-Identifier: Apache-2.0
// Copyright 2026 the swift-perc authors

import SRTP

/// The EKTPlaintext (RFC 8870 4.1), never sent in clear:
/// `SRTPMasterKeyLength(1) | SRTPMasterKey | SSRC(4) | ROC(4)`.
public struct EKTPlaintext: Sendable {
    /// The sender's SRTP master key (with double: the inner half only).
    public let masterKey: SecretBytes
    /// The SSRC the key belongs to; must equal the packet's SSRC.
    public let ssrc: UInt32
    /// The sender's ROC for that SSRC.
    public let roc: UInt32

    /// - Throws: ``SRTPError/invalidKeyLength(expected:actual:)`` for a key outside 1...242
    ///   bytes (the RFC 8870 ABNF limit).
    public init(masterKey: [UInt8], ssrc: UInt32, roc: UInt32) throws(SRTPError) {
        guard (1...242).contains(masterKey.count) else { throw .invalidKeyLength(expected: 16, actual: masterKey.count) }
        self.masterKey = SecretBytes(masterKey)
        self.ssrc = ssrc
        self.roc = roc
    }

    /// Parses a decrypted plaintext.
    /// - Throws: ``SRTPError/invalidEKTField(_:)`` when the length byte does not match.
    public init(decoding bytes: [UInt8]) throws(SRTPError) {
        guard bytes.count >= 10 else { throw .invalidEKTField("plaintext of \(bytes.count) bytes is too short") }
        let keyLength = Int(bytes[0])
        guard keyLength >= 1, 1 + keyLength + 8 == bytes.count else {
            throw .invalidEKTField("plaintext key length \(keyLength) does not match its \(bytes.count) bytes")
        }
        masterKey = SecretBytes(bytes[1...keyLength])
        let tail = bytes[(1 + keyLength)...]
        ssrc = tail.prefix(4).reduce(0) { $0 << 8 | UInt32($1) }
        roc = tail.suffix(4).reduce(0) { $0 << 8 | UInt32($1) }
    }

    /// The encoded plaintext.
    public var bytes: [UInt8] {
        var out: [UInt8] = [UInt8(masterKey.count)]
        masterKey.withUnsafeBytes { out.append(contentsOf: $0) }
        for shift in stride(from: 24, through: 0, by: -8) { out.append(UInt8(truncatingIfNeeded: ssrc >> UInt32(shift))) }
        for shift in stride(from: 24, through: 0, by: -8) { out.append(UInt8(truncatingIfNeeded: roc >> UInt32(shift))) }
        return out
    }
}
