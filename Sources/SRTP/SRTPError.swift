// SPDX-License-Identifier: Apache-2.0
// Copyright 2026 the swift-perc authors

/// Why a packet could not be parsed. Carried by ``SRTPError/malformed(_:)``.
public enum MalformedReason: Equatable, Sendable, CustomStringConvertible {
    /// Fewer bytes than the smallest packet of this kind (`needed` bytes).
    case tooShort(length: Int, needed: Int)
    /// The RTP/RTCP version field is not 2.
    case badVersion(Int)
    /// The CSRC list runs past the end of the packet.
    case csrcPastEnd(count: Int, length: Int)
    /// The header extension (its 4-byte header or its data) runs past the end of the packet.
    case extensionPastEnd(length: Int)

    public var description: String {
        switch self {
        case .tooShort(let length, let needed):
            return "packet too short (\(length) bytes, need at least \(needed))"
        case .badVersion(let version):
            return "bad version \(version) (expected 2)"
        case .csrcPastEnd(let count, let length):
            return "CSRC list of \(count) runs past the end of a \(length)-byte packet"
        case .extensionPastEnd(let length):
            return "header extension runs past the end of a \(length)-byte packet"
        }
    }
}

/// Every way an SRTP/SRTCP operation can fail. A failed packet changes no state.
public enum SRTPError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The packet could not be parsed.
    case malformed(MalformedReason)
    /// The authentication tag did not verify.
    case authenticationFailed(ssrc: UInt32)
    /// The packet index was accepted before.
    case replayed(ssrc: UInt32, index: UInt64)
    /// The packet index is behind the replay window.
    case tooOld(ssrc: UInt32, index: UInt64)
    /// The key's packet limit (2^48 SRTP, 2^31 SRTCP) or the index space is used up.
    case keyExhausted(ssrc: UInt32)
    /// The output buffer cannot hold the result.
    case bufferTooSmall(needed: Int, capacity: Int)
    /// The packet's MKI names no master key of this context.
    case unknownMKI
    /// A master key of the wrong length for the profile.
    case invalidKeyLength(expected: Int, actual: Int)
    /// A master salt of the wrong length for the profile.
    case invalidSaltLength(expected: Int, actual: Int)
    /// A configuration value out of range (for example the replay window size).
    case invalidParameter(String)
    /// The crypto backend could not create a key.
    case cryptoFailure
    /// The inner (end-to-end) layer of a double-protected packet failed (RFC 8723).
    indirect case inner(SRTPError)
    /// The Original Header Block of a double-protected packet is invalid (RFC 8723 4).
    case invalidOriginalHeaderBlock(String)
    /// A relay was asked to re-encrypt with the key it decrypted with (RFC 8723 5.2).
    case relayKeyReuse
    /// The EKT field at the end of the packet is invalid or not acceptable (RFC 8870 4.3.2).
    case invalidEKTField(String)
    /// The EKT field names an SPI whose EKTKey this receiver does not hold (RFC 8870 4.3.2):
    /// sent under a key it was never given (before it joined a conference that rekeys on
    /// join) or has not received yet.
    case unknownEKTKey(spi: UInt16)

    public var description: String {
        switch self {
        case .malformed(let reason):
            return "malformed packet: \(reason)"
        case .authenticationFailed(let ssrc):
            return "authentication failed (SSRC \(hex32(ssrc)))"
        case .replayed(let ssrc, let index):
            return "replayed packet (SSRC \(hex32(ssrc)), index \(index))"
        case .tooOld(let ssrc, let index):
            return "packet too old for the replay window (SSRC \(hex32(ssrc)), index \(index))"
        case .keyExhausted(let ssrc):
            return "key exhausted: packet index limit reached (SSRC \(hex32(ssrc)))"
        case .bufferTooSmall(let needed, let capacity):
            return "output buffer too small (need \(needed) bytes, have \(capacity))"
        case .unknownMKI:
            return "unknown MKI"
        case .invalidKeyLength(let expected, let actual):
            return "master key must be \(expected) bytes, got \(actual)"
        case .invalidSaltLength(let expected, let actual):
            return "master salt must be \(expected) bytes, got \(actual)"
        case .invalidParameter(let what):
            return what
        case .cryptoFailure:
            return "crypto backend failure"
        case .inner(let error):
            return "end-to-end layer: \(error)"
        case .invalidOriginalHeaderBlock(let reason):
            return "invalid original header block: \(reason)"
        case .relayKeyReuse:
            return "refusing to re-encrypt with the key the packet was decrypted with"
        case .invalidEKTField(let reason):
            return "invalid EKT field: \(reason)"
        case .unknownEKTKey(let spi):
            return "no EKTKey for SPI \(spi)"
        }
    }
}

private func hex32(_ value: UInt32) -> String {
    let digits = String(value, radix: 16)
    return "0x" + String(repeating: "0", count: 8 - digits.count) + digits
}
