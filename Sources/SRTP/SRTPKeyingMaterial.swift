// SPDX-License-Identifier: Apache-2.0
// Copyright 2026 the swift-perc authors

/// One direction's SRTP master key and master salt.
public struct SRTPMasterKey: Sendable {
    /// The master key.
    public let key: [UInt8]
    /// The master salt.
    public let salt: [UInt8]

    public init(key: [UInt8], salt: [UInt8]) {
        self.key = key
        self.salt = salt
    }
}

/// The DTLS-SRTP keying material (RFC 5764 4.2): the exporter output with label
/// `EXTRACTOR-dtls_srtp` split into the two directions.
///
/// The layout is `client_key | server_key | client_salt | server_salt`; "client" is the DTLS
/// client role. The client protects with ``client`` and unprotects with ``server``.
public struct SRTPKeyingMaterial: Sendable {
    /// The client's write key and salt.
    public let client: SRTPMasterKey
    /// The server's write key and salt.
    public let server: SRTPMasterKey

    /// Splits `exported` (exactly `2 * (keyLength + saltLength)` bytes).
    /// - Throws: ``SRTPError/invalidParameter(_:)`` on a wrong length.
    public init(exported: [UInt8], keyLength: Int, saltLength: Int) throws(SRTPError) {
        let needed = 2 * (keyLength + saltLength)
        guard exported.count == needed else {
            throw .invalidParameter("keying material must be \(needed) bytes, got \(exported.count)")
        }
        let k = keyLength, s = saltLength
        client = SRTPMasterKey(key: Array(exported[0..<k]), salt: Array(exported[(2 * k)..<(2 * k + s)]))
        server = SRTPMasterKey(key: Array(exported[k..<(2 * k)]), salt: Array(exported[(2 * k + s)..<(2 * k + 2 * s)]))
    }
}
