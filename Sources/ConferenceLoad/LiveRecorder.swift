// SPDX-License-Identifier: Apache-2.0
// Copyright 2026 the swift-perc authors

import Synchronization

/// Per-interval counts one driver thread gathers between flushes.
struct IntervalCounts {
    var sent = 0
    var sentBytes = 0
    var received = 0
    var receivedBytes = 0
    var latency = LatencyHistogram(digits: 2)

    mutating func add(_ other: IntervalCounts) {
        sent += other.sent
        sentBytes += other.sentBytes
        received += other.received
        receivedBytes += other.receivedBytes
        latency.add(other.latency)
    }
}

/// The run's shared live state: driver threads flush their per-interval counts and their
/// sequence-gap loss into it a few times a second; the monitor thread reads it for the
/// progress line and records CPU samples; the report takes the series at the end.
final class LiveRecorder: Sendable {
    struct DriverLoss {
        var expected = 0
        var lost = 0
        var started = 0
        var joined = 0
    }

    struct State {
        var intervals: [IntervalCounts] = []
        var drivers: [DriverLoss]
        /// Per interval: CPU seconds of the MDD, the KMF and this process in it (nil: unknown).
        var cpu: [(mdd: Double?, kmf: Double?, load: Double?)] = []
    }

    private let state: Mutex<State>

    init(drivers: Int) {
        state = Mutex(State(drivers: Array(repeating: DriverLoss(), count: drivers)))
    }

    func flush(driver: Int, counts: [Int: IntervalCounts], loss: DriverLoss) {
        state.withLock { state in
            for (index, counts) in counts {
                while state.intervals.count <= index { state.intervals.append(IntervalCounts()) }
                state.intervals[index].add(counts)
            }
            state.drivers[driver] = loss
        }
    }

    func recordCPU(interval index: Int, mdd: Double?, kmf: Double?, load: Double?) {
        state.withLock { state in
            while state.cpu.count <= index { state.cpu.append((nil, nil, nil)) }
            state.cpu[index] = (mdd, kmf, load)
        }
    }

    /// The live view at `elapsed` seconds, the last complete interval being `complete`.
    func progress(elapsed: Double, complete: Int, interval: Double) -> LoadProgress {
        state.withLock { state in
            let last = complete >= 0 && complete < state.intervals.count ? state.intervals[complete] : IntervalCounts()
            let expected = state.drivers.reduce(0) { $0 + $1.expected }, lost = state.drivers.reduce(0) { $0 + $1.lost }
            return LoadProgress(elapsed: elapsed, started: state.drivers.reduce(0) { $0 + $1.started },
                                joined: state.drivers.reduce(0) { $0 + $1.joined },
                                receivedPerSecond: Double(last.received) / interval, p99LatencyMs: last.latency.summary.p99,
                                loss: expected == 0 ? 0 : Double(lost) / Double(expected))
        }
    }

    /// Everything recorded.
    func snapshot() -> State { state.withLock { $0 } }
}
