// SPDX-License-Identifier: Apache-2.0
// Copyright 2026 the swift-perc authors

import DTLS

/// A reproducible pseudo-random generator (SplitMix64) for the simulated network.
struct SplitMix64: RandomNumberGenerator {
    private var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

/// Carries datagrams between a client and a server on a virtual clock, losing, duplicating
/// and reordering them (random delays) as told. Time only moves when nothing is in flight
/// and a timer is due, so retransmission backoff costs no real time.
struct InMemoryNetwork {
    var lossRate = 0.0
    var duplicateRate = 0.0
    /// Each datagram is delayed by a random 0...this many milliseconds (reordering them).
    var maximumDelayMilliseconds = 0
    var random: SplitMix64
    private(set) var now = ContinuousClock.now
    private var inFlight: [(at: ContinuousClock.Instant, toServer: Bool, bytes: [UInt8])] = []
    private(set) var delivered = 0
    private(set) var dropped = 0

    init(seed: UInt64) { random = SplitMix64(seed: seed) }

    private mutating func post(_ datagrams: [[UInt8]], toServer: Bool) {
        for datagram in datagrams {
            var copies = 1
            if Double.random(in: 0..<1, using: &random) < duplicateRate { copies = 2 }
            for _ in 0..<copies {
                if Double.random(in: 0..<1, using: &random) < lossRate {
                    dropped += 1
                    continue
                }
                let delay = Int.random(in: 0...maximumDelayMilliseconds, using: &random)
                inFlight.append((now + .milliseconds(delay), toServer, datagram))
            }
        }
    }

    /// Runs until `done` (given the virtual time) says so, nothing is left to do, or `maximumSteps` deliveries and
    /// timer ticks. `onEvent` sees every event with the side it came from (true: server).
    /// Returns whether `done` was reached.
    mutating func run(client: DTLSConnection, server: DTLSConnection, maximumSteps: Int = 10_000,
                      onEvent: (DTLSEvent, Bool) -> Void = { _, _ in },
                      done: (ContinuousClock.Instant) -> Bool) -> Bool {
        for _ in 0..<maximumSteps {
            post(client.takeOutgoingDatagrams(), toServer: true)
            post(server.takeOutgoingDatagrams(), toServer: false)
            if done(now) { return true }
            let nextDelivery = inFlight.indices.min(by: { inFlight[$0].at < inFlight[$1].at })
            let timers = [client.nextDeadline, server.nextDeadline].compactMap { $0 }
            let nextTimer = timers.min()
            if let index = nextDelivery, nextTimer == nil || inFlight[index].at <= nextTimer! {
                let item = inFlight.remove(at: index)
                now = max(now, item.at)
                delivered += 1
                let target = item.toServer ? server : client
                for event in target.receive(datagram: item.bytes, now: now) { onEvent(event, item.toServer) }
            } else if let nextTimer {
                now = max(now, nextTimer)
                for event in client.handleTimer(now: now) { onEvent(event, false) }
                for event in server.handleTimer(now: now) { onEvent(event, true) }
            } else {
                return done(now)
            }
        }
        return done(now)
    }
}
