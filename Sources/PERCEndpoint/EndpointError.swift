// SPDX-License-Identifier: Apache-2.0
// Copyright 2026 the swift-perc authors

/// What can go wrong while an endpoint registers, joins and keys.
public enum EndpointError: Error, Equatable, CustomStringConvertible {
    /// A host or address that does not resolve or parse.
    case invalidAddress(String)
    /// A socket call failed (the call and errno text).
    case socket(String)
    /// The conference service answered with an error or not at all.
    case registration(String)
    /// No STUN Binding Success Response from the media distributor in time.
    case bindingTimeout
    /// The DTLS-SRTP handshake with the Key Distributor failed.
    case handshake(String)
    /// Keys could not be installed (profile, EKTKey).
    case keying(String)

    public var description: String {
        switch self {
        case .invalidAddress(let text): return "invalid address: \(text)"
        case .socket(let text): return "socket: \(text)"
        case .registration(let text): return "registration: \(text)"
        case .bindingTimeout: return "no STUN Binding Success from the media distributor"
        case .handshake(let text): return "DTLS-SRTP handshake: \(text)"
        case .keying(let text): return "keying: \(text)"
        }
    }
}
