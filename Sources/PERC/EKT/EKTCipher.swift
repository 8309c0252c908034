// SPDX-License-Identifier: Apache-2.0
// Copyright 2026 the swift-perc authors

import SRTP

/// An EKT cipher (RFC 8870 4.4): AES key wrap with padding (RFC 5649) under a 128- or 256-bit
/// EKTKey. The raw values are the TLS `EKTCipherType` wire values (aeskw_128 = 1, aeskw_256 = 2).
public enum EKTCipher: UInt8, CaseIterable, Sendable {
    case aesKeyWrap128 = 1
    case aesKeyWrap256 = 2

    /// EKTKey length in bytes.
    public var keyLength: Int { self == .aesKeyWrap128 ? 16 : 32 }

    /// The `perc` tool's name: `aeskw128` or `aeskw256`.
    public var name: String { self == .aesKeyWrap128 ? "aeskw128" : "aeskw256" }

    /// Finds a cipher by name (`aeskw128`, `AESKW128`, ...).
    public init?(name: String) {
        guard let found = Self.allCases.first(where: { $0.name == name.lowercased() }) else { return nil }
        self = found
    }

    /// Length of the ciphertext for an `m`-byte plaintext: 8*ceil(m/8) + 8 (RFC 5649; the
    /// formula printed in RFC 8870 4.4 is wrong whenever m mod 8 is not 0 or 4).
    public static func ciphertextLength(plaintextLength m: Int) -> Int { 8 * ((m + 7) / 8) + 8 }
}
