// SPDX-License-Identifier: Apache-2.0
// Copyright 2026 the swift-perc authors

/// UnsupportedVersion (type 2, KD to MD): the KD does not speak the version the MD's
/// SupportedProfiles named; it names its highest version and closes the connection.
///
/// Body: `highest_version(1)`, so the message is always `02 00 01 vv` (RFC 9185 5).
public struct UnsupportedVersion: Equatable, Sendable {
    /// The highest tunnel protocol version the KD supports.
    public var highestVersion: UInt8

    /// The reply naming the KD's `highestVersion`.
    public init(highestVersion: UInt8) { self.highestVersion = highestVersion }

    init(body: ArraySlice<UInt8>) throws(TunnelError) {
        var reader = WireReader(body, type: .unsupportedVersion)
        highestVersion = try reader.uint8("highest_version")
        try reader.expectEnd()
    }

    func encodeBody(into buffer: inout [UInt8]) { buffer.append(highestVersion) }
}
