// SPDX-License-Identifier: Apache-2.0
// Copyright 2026 the swift-perc authors

/// Consent checks on the media path, in the manner of RFC 7675: once the media distributor
/// answered the first STUN Binding Request, the endpoint sends another every ``interval``
/// and counts the path as lost when the requests sent over ``timeout`` all went unanswered.
/// Time counts from the first unanswered request, so an endpoint that was itself held up
/// (sending no requests) does not mistake that for a lost path. A media distributor
/// that died or restarted (and so forgot the endpoint's binding and keys) shows as a lost
/// path; the endpoint then joins again.
///
/// Only answers to the latest few requests count (their transaction IDs are kept), so a
/// stray or stale Binding success does not renew consent.
struct ConsentFreshness {
    /// Time between consent requests.
    let interval: Duration
    /// Time from the first unanswered request after which the path is lost.
    let timeout: Duration

    private var lastSent: ContinuousClock.Instant
    /// When the oldest request not followed by an answer went out.
    private var unansweredSince: ContinuousClock.Instant?
    private var outstanding: [[UInt8]] = []
    private static let outstandingLimit = 8

    /// Consent that was just given (the first Binding success) at `now`.
    init(interval: Duration, timeout: Duration, now: ContinuousClock.Instant) {
        self.interval = interval
        self.timeout = timeout
        lastSent = now
    }

    /// The transaction ID of a consent request to send now, if one is due.
    mutating func requestDue(now: ContinuousClock.Instant) -> [UInt8]? {
        guard now - lastSent >= interval else { return nil }
        lastSent = now
        if unansweredSince == nil { unansweredSince = now }
        var rng = SystemRandomNumberGenerator()
        let transaction = (0..<12).map { _ in UInt8.random(in: 0...255, using: &rng) }
        outstanding.append(transaction)
        if outstanding.count > Self.outstandingLimit { outstanding.removeFirst() }
        return transaction
    }

    /// Takes a Binding success: consent holds again when it answers an outstanding request.
    mutating func answered(transactionID: [UInt8]) {
        guard let index = outstanding.firstIndex(of: transactionID) else { return }
        outstanding.removeSubrange(...index)
        unansweredSince = nil
    }

    /// Whether the requests of the last ``timeout`` went unanswered.
    func isLost(now: ContinuousClock.Instant) -> Bool { unansweredSince.map { now - $0 >= timeout } ?? false }
}
