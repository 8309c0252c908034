// SPDX-License-Identifier: Apache-2.0
// Copyright 2026 the swift-perc authors

import SRTP

/// MediaKeys (type 3, KD to MD): the hop-by-hop keys of one association, sent right after
/// the endpoint's DTLS handshake (and again after a DTLS rekey, replacing the first).
///
/// Body: `association_id(16) | protection_profile(2) | mki<0..255> |
/// client_write_SRTP_master_key<1..255> | server_write_SRTP_master_key<1..255> |
/// client_write_SRTP_master_salt<1..255> | server_write_SRTP_master_salt<1..255>`
/// (1-byte lengths). For the double profiles the keys and salts are the outer halves only.
/// "client" is the endpoint (the DTLS client): the MD opens with `clientWrite` and seals
/// with `serverWrite`. Keys are held in SecretBytes and never printed.
public struct MediaKeys: Equatable, Sendable, CustomStringConvertible {
    /// The association the keys belong to.
    public var associationID: AssociationID
    /// The DTLS-SRTP profile the KD selected (0x0009 or 0x000A for PERC).
    public var protectionProfile: UInt16
    /// The MKI the endpoint uses, empty when none.
    public var mki: [UInt8]
    /// Endpoint to MD master key (hop-by-hop half).
    public var clientWriteMasterKey: SecretBytes
    /// MD to endpoint master key (hop-by-hop half).
    public var serverWriteMasterKey: SecretBytes
    /// Endpoint to MD master salt (hop-by-hop half).
    public var clientWriteMasterSalt: [UInt8]
    /// MD to endpoint master salt (hop-by-hop half).
    public var serverWriteMasterSalt: [UInt8]

    /// The message with these fields; `mki` empty means no MKI.
    public init(associationID: AssociationID, protectionProfile: UInt16, mki: [UInt8] = [],
                clientWriteMasterKey: SecretBytes, serverWriteMasterKey: SecretBytes,
                clientWriteMasterSalt: [UInt8], serverWriteMasterSalt: [UInt8]) {
        self.associationID = associationID
        self.protectionProfile = protectionProfile
        self.mki = mki
        self.clientWriteMasterKey = clientWriteMasterKey
        self.serverWriteMasterKey = serverWriteMasterKey
        self.clientWriteMasterSalt = clientWriteMasterSalt
        self.serverWriteMasterSalt = serverWriteMasterSalt
    }

    /// The endpoint-to-MD key and salt (what the MD opens with).
    public var clientWrite: SRTPMasterKey {
        SRTPMasterKey(key: clientWriteMasterKey.withUnsafeBytes { Array($0) }, salt: clientWriteMasterSalt)
    }

    /// The MD-to-endpoint key and salt (what the MD seals with).
    public var serverWrite: SRTPMasterKey {
        SRTPMasterKey(key: serverWriteMasterKey.withUnsafeBytes { Array($0) }, salt: serverWriteMasterSalt)
    }

    public var description: String {
        "MediaKeys(\(associationID), profile 0x\(String(protectionProfile, radix: 16)), "
            + "\(clientWriteMasterKey.count)-byte keys, \(clientWriteMasterSalt.count)-byte salts)"
    }

    init(body: ArraySlice<UInt8>) throws(TunnelError) {
        var reader = WireReader(body, type: .mediaKeys)
        associationID = AssociationID(bytes: try reader.bytes(16, "association_id"))
        protectionProfile = try reader.uint16("protection_profile")
        mki = Array(try reader.vector(lengthBytes: 1, allowed: 0...255, "mki"))
        clientWriteMasterKey = SecretBytes(try reader.vector(lengthBytes: 1, allowed: 1...255, "client_write_SRTP_master_key"))
        serverWriteMasterKey = SecretBytes(try reader.vector(lengthBytes: 1, allowed: 1...255, "server_write_SRTP_master_key"))
        clientWriteMasterSalt = Array(try reader.vector(lengthBytes: 1, allowed: 1...255, "client_write_SRTP_master_salt"))
        serverWriteMasterSalt = Array(try reader.vector(lengthBytes: 1, allowed: 1...255, "server_write_SRTP_master_salt"))
        try reader.expectEnd()
    }

    func encodeBody(into buffer: inout [UInt8]) throws(TunnelError) {
        associationID.write(to: &buffer)
        buffer.appendUInt16(protectionProfile)
        try buffer.appendVector(mki, lengthBytes: 1, allowed: 0...255, "mki")
        try clientWriteMasterKey.withUnsafeBytes { key throws(TunnelError) in
            try buffer.appendVector(key, lengthBytes: 1, allowed: 1...255, "client_write_SRTP_master_key")
        }
        try serverWriteMasterKey.withUnsafeBytes { key throws(TunnelError) in
            try buffer.appendVector(key, lengthBytes: 1, allowed: 1...255, "server_write_SRTP_master_key")
        }
        try buffer.appendVector(clientWriteMasterSalt, lengthBytes: 1, allowed: 1...255, "client_write_SRTP_master_salt")
        try buffer.appendVector(serverWriteMasterSalt, lengthBytes: 1, allowed: 1...255, "server_write_SRTP_master_salt")
    }
}
