// SPDX-License-Identifier: Apache-2.0
// Copyright 2026 the swift-perc authors

/// A per-source rate limit for the datagrams that cost control-plane work (STUN requests,
/// DTLS): a token bucket per source address, kept as the generic cell rate algorithm's
/// "theoretical arrival time" (one integer per bucket).
///
/// The table is bounded: a fixed number of buckets indexed by the address's hash (Swift's
/// per-process random seed, so a sender cannot aim at another's bucket). Two addresses that
/// land in one bucket share its rate; memory does not grow with the number of sources.
/// Owned by one worker thread.
struct SourceRateLimiter {
    private var arrivals: [UInt64]
    private let interval: UInt64
    private let tolerance: UInt64

    /// `rate` datagrams per second per source, bursts of up to `burst`, over `buckets` buckets.
    init(rate: Int, burst: Int, buckets: Int) {
        arrivals = Array(repeating: 0, count: max(buckets, 1))
        interval = 1_000_000_000 / UInt64(max(rate, 1))
        tolerance = interval * UInt64(max(burst, 1) - 1)
    }

    /// Whether `source` may send one more datagram at `now` (nanoseconds); takes a token if so.
    @inline(__always)
    mutating func admit(_ source: EndpointAddress, now: UInt64) -> Bool {
        let index = Int(UInt(bitPattern: source.hashValue) % UInt(arrivals.count))
        let start = max(arrivals[index], now)
        guard start - now <= tolerance else { return false }
        arrivals[index] = start + interval
        return true
    }
}
