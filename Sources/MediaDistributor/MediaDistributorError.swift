// SPDX-License-Identifier: Apache-2.0
// Copyright 2026 the swift-perc authors

/// Every way the media distributor's set-up and control operations fail. The data plane
/// never throws: bad packets are dropped and counted (see ``MediaDistributorStatistics``).
public enum MediaDistributorError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The media address is not a numeric IPv4/IPv6 address with a port in range.
    case invalidAddress(String)
    /// A socket call failed (`call` names it, `errno` is the system error).
    case socket(call: String, errno: Int32)
    /// MediaKeys named a profile the distributor did not offer in SupportedProfiles.
    case unsupportedProfile(UInt16)
    /// MediaKeys carried an MKI; hop-by-hop contexts here use none.
    case mkiNotSupported
    /// A MediaKeys key or salt is not the length of one outer half of the profile: the
    /// distributor only ever accepts hop-by-hop halves.
    case notAnOuterHalf(field: String, expected: Int, actual: Int)
    /// A message names an association the distributor does not know.
    case unknownAssociation(String)
    /// The hop keys did not make SRTP contexts.
    case keySetup(String)

    public var description: String {
        switch self {
        case .invalidAddress(let address): return "invalid media address \(address)"
        case .socket(let call, let errno): return "\(call) failed: errno \(errno)"
        case .unsupportedProfile(let profile): return "MediaKeys profile 0x\(String(profile, radix: 16)) was not offered"
        case .mkiNotSupported: return "MediaKeys with an MKI are not supported"
        case .notAnOuterHalf(let field, let expected, let actual):
            return "\(field) is \(actual) bytes; an outer half is \(expected)"
        case .unknownAssociation(let id): return "unknown association \(id)"
        case .keySetup(let reason): return "hop key set-up failed: \(reason)"
        }
    }
}
