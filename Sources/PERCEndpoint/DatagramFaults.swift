// SPDX-License-Identifier: Apache-2.0
// Copyright 2026 the swift-perc authors

/// Network faults injected where an endpoint reads its socket, for media datagrams once the
/// endpoint is keyed (SRTP/SRTCP; STUN and DTLS pass untouched so joining is not what is
/// tested, and every injected copy reaches the replay check): each one is
/// dropped with probability ``loss``; a kept one is delivered twice with probability
/// ``duplicate``; and with probability ``reorder`` it is held back and delivered after the
/// next media datagram (or after ``holdLimit``), so the two arrive swapped.
///
/// Seeded: the same seed and arrival order give the same faults. Counts what it did, so a
/// report can tell injected loss from loss elsewhere.
public struct DatagramFaults: Sendable, Equatable {
    /// Probability that a media datagram is dropped.
    public var loss: Double
    /// Probability that a media datagram is held back behind the next one.
    public var reorder: Double
    /// Probability that a media datagram is delivered twice.
    public var duplicate: Double
    /// Seed of the fault decisions.
    public var seed: UInt64
    /// Longest a held datagram waits for a successor.
    public var holdLimit: Duration

    /// Faults with the given probabilities (each clamped to 0...1).
    public init(loss: Double = 0, reorder: Double = 0, duplicate: Double = 0, seed: UInt64 = 1,
                holdLimit: Duration = .milliseconds(50)) {
        self.loss = min(max(loss, 0), 1)
        self.reorder = min(max(reorder, 0), 1)
        self.duplicate = min(max(duplicate, 0), 1)
        self.seed = seed
        self.holdLimit = holdLimit
    }

    /// Whether any fault is configured.
    public var isActive: Bool { loss > 0 || reorder > 0 || duplicate > 0 }
}

/// What ``DatagramFaults`` did at one endpoint.
public struct InjectedFaults: Sendable, Equatable {
    /// Media datagrams dropped.
    public var dropped = 0
    /// Extra copies delivered.
    public var duplicated = 0
    /// Datagrams delivered after a later one (held back, then released behind it).
    public var reordered = 0

    public init() {}
}

/// The fault decisions of one endpoint: a SplitMix64 stream and the datagram held back.
struct FaultInjector {
    let faults: DatagramFaults
    private var state: UInt64
    private var held: (datagram: [UInt8], since: ContinuousClock.Instant)?
    private(set) var injected = InjectedFaults()

    init(faults: DatagramFaults) {
        self.faults = faults
        state = faults.seed
    }

    private mutating func uniform() -> Double {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return Double((z ^ (z >> 31)) >> 11) / Double(1 << 53)
    }

    /// The datagrams to deliver, in order, for one that arrived.
    mutating func arrived(_ datagram: [UInt8], now: ContinuousClock.Instant) -> [[UInt8]] {
        if uniform() < faults.loss {
            injected.dropped += 1
            return []
        }
        var out: [[UInt8]] = [datagram]
        if uniform() < faults.duplicate {
            injected.duplicated += 1
            out.append(datagram)
        }
        if let held {
            self.held = nil
            injected.reordered += 1
            return out + [held.datagram]
        }
        if out.count == 1, uniform() < faults.reorder {
            held = (datagram, now)
            return []
        }
        return out
    }

    /// A held datagram whose wait is over (nil otherwise).
    mutating func expired(now: ContinuousClock.Instant) -> [UInt8]? {
        guard let held, now - held.since >= faults.holdLimit else { return nil }
        self.held = nil
        return held.datagram
    }
}
