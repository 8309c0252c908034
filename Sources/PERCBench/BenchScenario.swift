// SPDX-License-Identifier: Apache-2.0
// Copyright 2026 the swift-perc authors

import PERC
import SRTP

/// What one measurement does: an operation on packets of one profile and size, spread over
/// a number of SSRC contexts.
public struct BenchScenario: Sendable, Hashable {
    /// The operations perc-bench knows.
    public enum Operation: Sendable, Hashable {
        case protect, unprotect, srtcpProtect, doubleProtect, doubleUnprotect, forward
        /// One open, `n` seals; reported per delivered copy.
        case fanout(Int)

        /// The name in tables and JSON.
        public var name: String {
            switch self {
            case .protect: return "protect"
            case .unprotect: return "unprotect"
            case .srtcpProtect: return "srtcp-protect"
            case .doubleProtect: return "double-protect"
            case .doubleUnprotect: return "double-unprotect"
            case .forward: return "forward"
            case .fanout(let n): return "fanout-\(n)"
            }
        }

        /// Whether the operation runs a double profile (else a single one).
        public var isDouble: Bool {
            switch self {
            case .protect, .unprotect, .srtcpProtect: return false
            default: return true
            }
        }

        /// Copies delivered per input packet.
        public var copiesPerPacket: Int {
            if case .fanout(let n) = self { return n }
            return 1
        }
    }

    public let operation: Operation
    /// The profile: a single one for protect/unprotect/srtcp-protect, a double one otherwise.
    public let profile: BenchProfile
    /// Payload bytes (after the RTP header, or after the first 8 RTCP bytes).
    public let payloadSize: Int
    /// Whether packets carry a 12-byte one-byte-form header extension.
    public let headerExtension: Bool
    /// Number of SSRC contexts the packets are spread over.
    public let contexts: Int
    /// Packets per call of our batch API.
    public let batch: Int

    public init(operation: Operation, profile: BenchProfile, payloadSize: Int, headerExtension: Bool = false,
                contexts: Int = 1, batch: Int = 32) {
        self.operation = operation
        self.profile = profile
        self.payloadSize = payloadSize
        self.headerExtension = headerExtension
        self.contexts = contexts
        self.batch = batch
    }
}

/// A single or a double profile, as perc-bench names it.
public enum BenchProfile: Sendable, Hashable, CustomStringConvertible {
    case single(ProtectionProfile)
    case double(DoubleProfile)

    public var description: String {
        switch self {
        case .single(let p): return p.name
        case .double(let p): return p.name
        }
    }

    /// The single profile of one layer (the profile itself, or a double profile's half).
    public var layerProfile: ProtectionProfile {
        switch self {
        case .single(let p): return p
        case .double(let p): return p.halfProfile
        }
    }

    /// Parses a name of either kind.
    public init?(name: String) {
        if let single = ProtectionProfile(name: name) {
            self = .single(single)
        } else if let double = DoubleProfile(name: name) {
            self = .double(double)
        } else {
            return nil
        }
    }
}
