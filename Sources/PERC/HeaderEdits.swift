// SPDX-License-Identifier: Apache-2.0
// Copyright 2026 the swift-perc authors

/// Changes a relay makes to a packet's header; nil leaves a field as received.
public struct HeaderEdits: Equatable, Sendable {
    /// The new payload type (7 bits; a higher bit is ignored).
    public var payloadType: UInt8?
    public var sequenceNumber: UInt16?
    public var marker: Bool?

    /// No change.
    public static let none = HeaderEdits()

    public init(payloadType: UInt8? = nil, sequenceNumber: UInt16? = nil, marker: Bool? = nil) {
        self.payloadType = payloadType
        self.sequenceNumber = sequenceNumber
        self.marker = marker
    }

    /// `fields` with these edits applied.
    public func applied(to fields: RTPHeaderFields) -> RTPHeaderFields {
        RTPHeaderFields(payloadType: payloadType.map { $0 & 0x7F } ?? fields.payloadType,
                        sequenceNumber: sequenceNumber ?? fields.sequenceNumber,
                        marker: marker ?? fields.marker)
    }
}
