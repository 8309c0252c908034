// SPDX-License-Identifier: Apache-2.0
// Copyright 2026 the swift-perc authors

/// SupportedProfiles (type 1, MD to KD): the first message on every (re)connection. It names
/// the tunnel protocol version and the DTLS-SRTP profiles the MD can do hop-by-hop for.
///
/// Body: `version(1) | protection_profiles<2..2^16-1>` (2-byte length, 2 bytes per profile).
public struct SupportedProfiles: Equatable, Sendable {
    /// The tunnel protocol version; RFC 9185 defines 0.
    public var version: UInt8
    /// DTLS-SRTP protection profile identifiers, for example 0x0009 and 0x000A.
    public var protectionProfiles: [UInt16]

    /// The message offering `protectionProfiles` under tunnel protocol `version`.
    public init(version: UInt8 = 0, protectionProfiles: [UInt16]) {
        self.version = version
        self.protectionProfiles = protectionProfiles
    }

    init(body: ArraySlice<UInt8>) throws(TunnelError) {
        var reader = WireReader(body, type: .supportedProfiles)
        version = try reader.uint8("version")
        let list = try reader.vector(lengthBytes: 2, allowed: 2...65532, "protection_profiles")
        guard list.count % 2 == 0 else {
            throw .malformedBody(type: .supportedProfiles, reason: "odd protection_profiles length \(list.count)")
        }
        protectionProfiles = stride(from: list.startIndex, to: list.endIndex, by: 2).map {
            UInt16(list[$0]) << 8 | UInt16(list[$0 + 1])
        }
        try reader.expectEnd()
    }

    func encodeBody(into buffer: inout [UInt8]) throws(TunnelError) {
        buffer.append(version)
        var list: [UInt8] = []
        for profile in protectionProfiles { list.appendUInt16(profile) }
        try buffer.appendVector(list, lengthBytes: 2, allowed: 2...65532, "protection_profiles")
    }
}
