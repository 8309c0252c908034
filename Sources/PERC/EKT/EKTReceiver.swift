// SPDX-License-Identifier: Apache-2.0
// Copyright 2026 the swift-perc authors

import SRTP

/// A key an EKT field offers for an SSRC, not installed until the packet carrying it passed.
public struct EKTKeyOffer: Sendable {
    public let spi: UInt16
    public let epoch: UInt16
    public let ssrc: UInt32
    public let roc: UInt32
    /// The sender's master key (with double: the inner half).
    public let masterKey: SecretBytes
    /// The master salt of the parameter set, truncated to the context's salt length.
    public let masterSalt: [UInt8]
    let ciphertext: [UInt8]
}

/// The receiving side of EKT (RFC 8870 4.3.2): the parameter sets by SPI, and per (SPI, SSRC)
/// the epoch and ciphertext last accepted.
///
/// ``evaluate(_:packetSSRC:)`` checks a FullEKTField without changing anything;
/// ``accept(_:)`` records it once the packet carrying it authenticated, so a packet that fails
/// leaves no trace. An identical resend is recognised from its ciphertext and costs no unwrap.
public final class EKTReceiver {
    /// Master key length of the contexts the keys are for (16 or 32).
    public let keyLength: Int
    /// Master salt length of those contexts (12 for AEAD).
    public let saltLength: Int
    private var parameterSets: [UInt16: EKTParameterSet] = [:]
    private var accepted: [Key: Record] = [:]

    private struct Key: Hashable { let spi: UInt16, ssrc: UInt32 }
    private struct Record { let epoch: UInt16, ciphertext: [UInt8], masterKey: SecretBytes }

    public init(keyLength: Int, saltLength: Int) {
        self.keyLength = keyLength
        self.saltLength = saltLength
    }

    /// Installs (or replaces) a parameter set from an EKTKey message. Sets are kept for every
    /// SPI seen, so a late packet under an older EKTKey still decrypts.
    public func install(_ parameters: EKTParameterSet) {
        parameterSets[parameters.spi] = parameters
    }

    /// The parameter set of `spi`, if installed.
    public func parameters(spi: UInt16) -> EKTParameterSet? { parameterSets[spi] }

    /// Checks a FullEKTField that arrived on a packet from `packetSSRC`.
    /// - Returns: the key to install once the packet passes, or nil when the field changes
    ///   nothing (an identical resend, the same key again, or a plaintext for another SSRC,
    ///   which RFC 8870 says to ignore while still processing the packet).
    /// - Throws: ``SRTPError/unknownEKTKey(spi:)`` for an SPI with no EKTKey installed;
    ///   ``SRTPError/invalidEKTField(_:)`` for an expired EKTKey, a
    ///   failed unwrap, a malformed plaintext, a wrong key length, or a different key under an
    ///   epoch not greater than the last accepted one (rollback).
    public func evaluate(_ field: FullEKTField, packetSSRC: UInt32,
                         now: ContinuousClock.Instant = .now) throws(SRTPError) -> EKTKeyOffer? {
        guard let parameters = parameterSets[field.spi] else { throw .unknownEKTKey(spi: field.spi) }
        guard now < parameters.expiry else { throw .invalidEKTField("EKTKey of SPI \(field.spi) expired") }
        let previous = accepted[Key(spi: field.spi, ssrc: packetSSRC)]
        if let previous, previous.ciphertext == field.ciphertext { return nil }
        guard let decrypted = parameters.unwrap(field.ciphertext) else { throw .invalidEKTField("unwrap failed") }
        let plaintext = try EKTPlaintext(decoding: decrypted)
        guard plaintext.ssrc == packetSSRC else { return nil }
        guard plaintext.masterKey.count == keyLength else {
            throw .invalidEKTField("key of \(plaintext.masterKey.count) bytes, expected \(keyLength)")
        }
        guard let salt = parameters.salt(length: saltLength) else { throw .invalidEKTField("master salt too short") }
        if let previous {
            if previous.masterKey == plaintext.masterKey { return nil }
            guard field.epoch > previous.epoch else {
                throw .invalidEKTField("epoch \(field.epoch) not greater than \(previous.epoch) for a new key")
            }
        }
        return EKTKeyOffer(spi: field.spi, epoch: field.epoch, ssrc: packetSSRC, roc: plaintext.roc,
                           masterKey: plaintext.masterKey, masterSalt: salt, ciphertext: field.ciphertext)
    }

    /// Records an offer whose packet authenticated.
    public func accept(_ offer: EKTKeyOffer) {
        accepted[Key(spi: offer.spi, ssrc: offer.ssrc)] = Record(epoch: offer.epoch, ciphertext: offer.ciphertext,
                                                                  masterKey: offer.masterKey)
    }
}
