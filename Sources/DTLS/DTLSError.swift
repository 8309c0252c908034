// SPDX-License-Identifier: Apache-2.0
// Copyright 2026 the swift-perc authors

/// Everything that can go wrong in the DTLS module.
public enum DTLSError: Error, Sendable, Equatable, CustomStringConvertible {
    /// We ended the association with this fatal alert; `reason` says why.
    case alertSent(DTLSAlert.Description, reason: String)
    /// The peer ended the association with this fatal alert.
    case alertReceived(DTLSAlert.Description)
    /// The handshake (or an EKTKey) was retransmitted the maximum number of times unanswered.
    case timeout(String)
    /// The operation needs a completed handshake (or one not yet failed or closed).
    case notConnected
    /// EKT was not negotiated, or this side cannot send or receive EKTKey.
    case ektNotNegotiated
    /// A configuration value is out of range.
    case invalidConfiguration(String)
    /// A certificate or key could not be made, read or used.
    case certificate(String)
    /// A socket call failed (`DatagramSocket`), with the call and `errno`'s text.
    case socket(String)

    public var description: String {
        switch self {
        case .alertSent(let alert, let reason): return "sent fatal alert \(alert): \(reason)"
        case .alertReceived(let alert): return "peer sent fatal alert \(alert)"
        case .timeout(let what): return "timed out: \(what)"
        case .notConnected: return "the DTLS association is not connected"
        case .ektNotNegotiated: return "EKT was not negotiated"
        case .invalidConfiguration(let what): return "invalid configuration: \(what)"
        case .certificate(let what): return "certificate: \(what)"
        case .socket(let what): return "socket: \(what)"
        }
    }
}
