// SPDX-License-Identifier: Apache-2.0
// Copyright 2026 the swift-perc authors

import Histogram

/// Durations (latencies, join times) in an HdrHistogram: nanoseconds from 1 µs to 60 s
/// (longer ones count as 60 s) at a fixed relative precision (3 significant digits, 0.1%,
/// or 2 for the per-interval series), so percentiles cost constant memory however long a
/// run is.
public struct LatencyHistogram: Sendable {
    /// The largest duration recorded as itself, in nanoseconds.
    public static let highest: UInt64 = 60_000_000_000
    private(set) var histogram: Histogram<UInt64>

    /// An empty histogram at `digits` significant digits (2 or 3).
    public init(digits: Int = 3) {
        histogram = Histogram(lowestDiscernibleValue: 1_000, highestTrackableValue: Self.highest,
                              numberOfSignificantValueDigits: digits <= 2 ? .two : .three)
    }

    /// Records one duration.
    public mutating func record(nanoseconds: UInt64) {
        _ = histogram.record(Swift.min(Swift.max(nanoseconds, 1), Self.highest))
    }

    /// Adds every value of `other` (which must have the same precision or less).
    public mutating func add(_ other: LatencyHistogram) {
        histogram.add(other.histogram)
    }

    /// Values recorded.
    public var count: Int { Int(histogram.totalCount) }

    /// The summary in milliseconds (all zero when empty).
    public var summary: LoadReport.Percentiles {
        guard histogram.totalCount > 0 else { return LoadReport.Percentiles() }
        func ms(_ nanoseconds: UInt64) -> Double { Double(nanoseconds) / 1e6 }
        return LoadReport.Percentiles(
            p50: ms(histogram.valueAtPercentile(50)), p90: ms(histogram.valueAtPercentile(90)),
            p99: ms(histogram.valueAtPercentile(99)), p999: ms(histogram.valueAtPercentile(99.9)),
            max: ms(histogram.max), mean: histogram.mean / 1e6, count: Int(histogram.totalCount))
    }
}
