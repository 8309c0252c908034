// SPDX-License-Identifier: Apache-2.0
// Copyright 2026 the swift-perc authors

import ConferenceLoad
import Foundation
@testable import PERCEndpoint
import Testing

/// The measurement parts against known inputs: HdrHistogram percentiles, RFC 3550 loss,
/// reordering, duplicates and jitter, and the fault injector's rates.
@Suite struct MeasurementTests {
    @Test func percentilesOfKnownInputsWithinTheHistogramsPrecision() {
        let p = LoadReport.Percentiles(nanoseconds: (1...100).map { UInt64($0) * 1_000_000 })
        func near(_ value: Double, _ expected: Double) -> Bool { abs(value - expected) <= expected * 0.001 }
        #expect(near(p.p50, 50) && near(p.p90, 90) && near(p.p99, 99) && near(p.max, 100), "\(p)")
        #expect(near(p.mean, 50.5) && p.count == 100, "\(p)")
        // 10,000 values of 1...10,000 µs: the 99.9th percentile is 9,990 µs.
        let fine = LoadReport.Percentiles(nanoseconds: (1...10_000).map { UInt64($0) * 1_000 })
        #expect(near(fine.p999, 9.99) && near(fine.p50, 5) && near(fine.max, 10), "\(fine)")
        // A skewed sample: 990 fast and 10 slow values.
        let skewed = LoadReport.Percentiles(nanoseconds: Array(repeating: 200_000, count: 990) + Array(repeating: 80_000_000, count: 10))
        #expect(near(skewed.p99, 0.2) && near(skewed.p999, 80) && near(skewed.max, 80), "\(skewed)")
        #expect(LoadReport.Percentiles(nanoseconds: []) == LoadReport.Percentiles())
        // Values past the histogram's top count as its top.
        #expect(LoadReport.Percentiles(nanoseconds: [UInt64.max / 2]).max >= 59_000)
    }

    @Test func receptionCountsLossReorderingAndDuplicatesAsRFC3550() {
        var reception = StreamReception()
        for (index, sequence) in [0, 1, 2, 4, 3, 5, 5, 7, 9].enumerated() {
            reception.record(sequence: UInt32(sequence), sendTime: UInt64(sequence) * 20_000_000,
                             arrival: UInt64(sequence) * 20_000_000 + 1_000_000 + UInt64(index))
        }
        #expect(reception.expected == 10)
        #expect(reception.received == 8)
        #expect(reception.lost == 2)       // 6 and 8
        #expect(reception.reordered == 1)  // 3 after 4
        #expect(reception.duplicates == 1) // 5 again
        // Across the sequence wrap.
        var wrap = StreamReception()
        for sequence in [UInt32.max - 1, .max, 0, 1] { wrap.record(sequence: sequence, sendTime: 0, arrival: 0) }
        #expect(wrap.expected == 4 && wrap.lost == 0 && wrap.reordered == 0)
    }

    @Test func jitterFollowsTheRFC3550Estimator() {
        var steady = StreamReception()
        for n in 0..<100 { steady.record(sequence: UInt32(n), sendTime: UInt64(n) * 20_000_000, arrival: UInt64(n) * 20_000_000 + 5_000_000) }
        #expect(steady.jitter == 0)
        // Transit alternating 1 ms and 3 ms: |D| = 2 ms each step, J = 2 ms * (1 - (15/16)^n).
        var alternating = StreamReception()
        for n in 0..<65 {
            let transit: UInt64 = n % 2 == 0 ? 1_000_000 : 3_000_000
            alternating.record(sequence: UInt32(n), sendTime: UInt64(n) * 20_000_000, arrival: UInt64(n) * 20_000_000 + transit)
        }
        let expected: Double = 2_000_000 * (1 - pow(Double(15) / 16, Double(64)))
        #expect(abs(alternating.jitter - expected) < 1, "\(alternating.jitter) vs \(expected)")
    }

    @Test func faultsDropDuplicateAndSwapAtTheirRates() {
        var injector = FaultInjector(faults: DatagramFaults(loss: 0.05, reorder: 0.05, duplicate: 0.05, seed: 9))
        let now = ContinuousClock.now
        var delivered: [UInt8] = []
        for n in 0..<10_000 {
            delivered += injector.arrived([0x80, UInt8(truncatingIfNeeded: n)], now: now).map { $0[1] }
        }
        let injected = injector.injected
        #expect(abs(Double(injected.dropped) - 500) < 100, "\(injected)")
        #expect(abs(Double(injected.duplicated) - 475) < 100, "\(injected)")
        #expect(abs(Double(injected.reordered) - 430) < 100, "\(injected)")
        let held = injector.expired(now: now + .seconds(1)) == nil ? 0 : 1
        #expect(delivered.count + held == 10_000 - injected.dropped + injected.duplicated)
        // The same seed decides the same way.
        var again = FaultInjector(faults: DatagramFaults(loss: 0.05, reorder: 0.05, duplicate: 0.05, seed: 9))
        var replay: [UInt8] = []
        for n in 0..<10_000 { replay += again.arrived([0x80, UInt8(truncatingIfNeeded: n)], now: now).map { $0[1] } }
        #expect(replay == delivered)
    }
}
