// SPDX-License-Identifier: Apache-2.0
// Copyright 2026 the swift-perc authors

/// EndpointDisconnect (type 5, both directions): the endpoint of this association has gone
/// (left, timed out, or its DTLS association ended); its keys are to be dropped.
///
/// Body: `association_id(16)`.
public struct EndpointDisconnect: Equatable, Sendable {
    /// The association that ended.
    public var associationID: AssociationID

    /// The message for `associationID`.
    public init(associationID: AssociationID) { self.associationID = associationID }

    init(body: ArraySlice<UInt8>) throws(TunnelError) {
        var reader = WireReader(body, type: .endpointDisconnect)
        associationID = AssociationID(bytes: try reader.bytes(16, "association_id"))
        try reader.expectEnd()
    }

    func encodeBody(into buffer: inout [UInt8]) { associationID.write(to: &buffer) }
}
