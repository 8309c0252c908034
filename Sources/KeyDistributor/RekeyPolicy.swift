// SPDX-License-Identifier: Apache-2.0
// Copyright 2026 the swift-perc authors

/// When the Key Distributor replaces a conference's EKTKey (RFC 8871 4.5.2, 6.3).
///
/// Rekeying on join gives backward secrecy (a newcomer cannot read what was sent before it
/// joined); on leave, forward secrecy (a leaver cannot read what is sent after). Membership
/// changes within ``holdoff`` of the first pending one are coalesced into a single rekey,
/// which keeps a join storm from causing a rekey storm.
public struct RekeyPolicy: Sendable, Equatable {
    public var rekeyOnJoin: Bool
    public var rekeyOnLeave: Bool
    /// Seconds a pending rekey waits for further changes before it is carried out.
    public var holdoff: Double

    public init(rekeyOnJoin: Bool = false, rekeyOnLeave: Bool = false, holdoff: Double = 0) {
        self.rekeyOnJoin = rekeyOnJoin
        self.rekeyOnLeave = rekeyOnLeave
        self.holdoff = max(holdoff, 0)
    }
}

/// The rekey decisions of one conference: membership events in, "rekey now" out.
///
/// Time is passed in (seconds on any monotonic clock), so the schedule is deterministic
/// and testable; the Key Distributor calls ``due(at:)`` from its timer.
public struct RekeySchedule: Sendable {
    public let policy: RekeyPolicy
    /// When the pending rekey falls due, if one is pending.
    public private(set) var pendingSince: Double?
    /// Rekeys carried out so far.
    public private(set) var rekeys = 0

    public init(policy: RekeyPolicy) { self.policy = policy }

    /// A schedule with a rekey already pending since `pendingSince` (restored from a saved
    /// state).
    public init(policy: RekeyPolicy, pendingSince: Double?) {
        self.policy = policy
        self.pendingSince = pendingSince
    }

    /// A participant finished joining at `now`.
    public mutating func joined(at now: Double) {
        if policy.rekeyOnJoin { schedule(at: now) }
    }

    /// A participant left at `now`.
    public mutating func left(at now: Double) {
        if policy.rekeyOnLeave { schedule(at: now) }
    }

    /// The time the pending rekey is due, if any.
    public var dueTime: Double? { pendingSince.map { $0 + policy.holdoff } }

    /// Whether a rekey is due at `now`; if so, it counts as carried out.
    public mutating func due(at now: Double) -> Bool {
        guard let dueTime, now >= dueTime else { return false }
        pendingSince = nil
        rekeys += 1
        return true
    }

    private mutating func schedule(at now: Double) {
        if pendingSince == nil { pendingSince = now }
    }
}
