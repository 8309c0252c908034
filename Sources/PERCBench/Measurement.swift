// SPDX-License-Identifier: Apache-2.0
// Copyright 2026 the swift-perc authors

import CBenchPeers

/// The figures of one implementation on one scenario.
public struct Measurement: Sendable {
    public let scenario: BenchScenario
    public let implementation: String
    public let backend: String
    public let batch: Int
    /// Nanoseconds of thread CPU time per delivered packet, one sample per repetition.
    public let samples: [Double]
    /// Set when a run delivered fewer copies than expected; then there are no figures.
    public let failure: String?

    public var median: Double { Self.median(samples) }
    public var minimum: Double { samples.min() ?? .nan }
    public var maximum: Double { samples.max() ?? .nan }
    /// Delivered packets per second on one core, from the median.
    public var packetsPerSecond: Double { 1e9 / median }

    static func median(_ values: [Double]) -> Double {
        guard !values.isEmpty else { return .nan }
        let sorted = values.sorted()
        let mid = sorted.count / 2
        return sorted.count % 2 == 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2
    }
}

/// Runs a prepared runner: `warmup` untimed repetitions, then `repetitions` timed ones, each
/// preceded by an untimed reset. Time is the thread's CPU time (CLOCK_THREAD_CPUTIME_ID), so
/// other processes on a shared machine do not inflate the figures.
public func measure(_ runner: BenchRunner, scenario: BenchScenario, warmup: Int, repetitions: Int) -> Measurement {
    var samples: [Double] = []
    var failure: String? = nil
    for repetition in 0..<(warmup + repetitions) {
        runner.reset()
        let start = bench_thread_cpu_ns()
        let delivered = runner.run()
        let elapsed = bench_thread_cpu_ns() - start
        if delivered != runner.expectedCopies {
            failure = "delivered \(delivered) of \(runner.expectedCopies) packets"
            break
        }
        if repetition >= warmup { samples.append(Double(elapsed) / Double(delivered)) }
    }
    return Measurement(scenario: scenario, implementation: runner.implementation, backend: runner.backend,
                       batch: runner.batch, samples: failure == nil ? samples : [], failure: failure)
}
