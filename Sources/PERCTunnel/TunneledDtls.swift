// SPDX-License-Identifier: Apache-2.0
// Copyright 2026 the swift-perc authors

/// TunneledDtls (type 4, both directions): one UDP payload of DTLS records between an
/// endpoint and the KD, tagged with the endpoint's association.
///
/// Body: `association_id(16) | dtls_message<1..2^16-1>` (2-byte length). The body limit of
/// 65535 bytes caps the DTLS message at 65517 bytes.
public struct TunneledDtls: Equatable, Sendable {
    /// Longest DTLS message a TunneledDtls can carry.
    public static let maximumMessageLength = 65535 - 18

    /// The association the datagram belongs to.
    public var associationID: AssociationID
    /// The UDP payload: one or more complete DTLS records.
    public var dtlsMessage: [UInt8]

    /// The message carrying `dtlsMessage` (1...65517 bytes to encode) for `associationID`.
    public init(associationID: AssociationID, dtlsMessage: [UInt8]) {
        self.associationID = associationID
        self.dtlsMessage = dtlsMessage
    }

    init(body: ArraySlice<UInt8>) throws(TunnelError) {
        var reader = WireReader(body, type: .tunneledDtls)
        associationID = AssociationID(bytes: try reader.bytes(16, "association_id"))
        dtlsMessage = Array(try reader.vector(lengthBytes: 2, allowed: 1...Self.maximumMessageLength, "dtls_message"))
        try reader.expectEnd()
    }

    func encodeBody(into buffer: inout [UInt8]) throws(TunnelError) {
        associationID.write(to: &buffer)
        try buffer.appendVector(dtlsMessage, lengthBytes: 2, allowed: 1...Self.maximumMessageLength, "dtls_message")
    }
}
