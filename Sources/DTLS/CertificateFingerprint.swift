// SPDX-License-Identifier: Apache-2.0
// Copyright 2026 the swift-perc authors

import Crypto

/// A SHA-256 certificate fingerprint (RFC 8122 5): the hash of the DER certificate.
public struct CertificateFingerprint: Sendable, Hashable, CustomStringConvertible {
    /// The 32 hash bytes.
    public let bytes: [UInt8]

    /// Hashes a DER certificate.
    public init(certificateDER: [UInt8]) {
        bytes = Array(SHA256.hash(data: certificateDER))
    }

    /// Parses 64 hex digits, with or without colons between bytes (`AB:CD:...` as SDP writes it).
    public init?(hex: String) {
        let digits = hex.filter { $0 != ":" }
        guard digits.count == 64 else { return nil }
        var bytes: [UInt8] = []
        var index = digits.startIndex
        while index < digits.endIndex {
            let next = digits.index(index, offsetBy: 2)
            guard let byte = UInt8(digits[index..<next], radix: 16) else { return nil }
            bytes.append(byte)
            index = next
        }
        self.bytes = bytes
    }

    /// Lower-case hex without separators.
    public var hex: String { bytes.map { byte in String(byte >> 4, radix: 16) + String(byte & 0x0F, radix: 16) }.joined() }

    /// The SDP form: `sha-256 AB:CD:...` without the prefix, upper-case with colons.
    public var sdpForm: String { bytes.map { byte in String(byte >> 4, radix: 16) + String(byte & 0x0F, radix: 16) }.joined(separator: ":").uppercased() }

    public var description: String { sdpForm }
}
