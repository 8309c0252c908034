// SPDX-License-Identifier: Apache-2.0
// Copyright 2026 the swift-perc authors

#if canImport(Glibc)
import Glibc
#endif

/// The load generator's random numbers: SplitMix64, so a run's traffic, mix, churn and
/// faults follow from `--seed` alone (given the same arrival order).
public struct SeededRandom: RandomNumberGenerator, Sendable {
    private var state: UInt64

    /// A stream seeded with `seed`; `stream` picks an independent stream of the same seed.
    public init(seed: UInt64, stream: UInt64 = 0) {
        state = seed ^ (stream &* 0xD1B5_4A32_D192_ED03)
        _ = next()
    }

    /// The next 64 random bits.
    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// Uniform in [0, 1).
    public mutating func uniform() -> Double { Double(next() >> 11) / Double(UInt64(1) << 53) }

    /// Exponentially distributed with the given mean.
    public mutating func exponential(mean: Double) -> Double { -mean * log(1 - uniform()) }

    /// Normally distributed (Box-Muller).
    public mutating func normal(mean: Double, deviation: Double) -> Double {
        let u = max(uniform(), 1e-12), v = uniform()
        return mean + deviation * (-2 * log(u)).squareRoot() * cos(2 * Double.pi * v)
    }
}
