// SPDX-License-Identifier: Apache-2.0
// Copyright 2026 the swift-perc authors

import PERC
import SRTP

/// Which scenarios a perc-bench run measures, and how hard.
public struct BenchPlan: Sendable {
    public var sizes: [Int] = [160, 500, 1200]
    public var contexts: [Int] = [1, 10_000]
    public var fanouts: [Int] = [1, 4, 8, 16]
    /// Packets per timed run (more for the many-context case: every context gets primed).
    public var packetsPerRun = 1000
    public var warmup = 1
    public var repetitions = 9
    /// Our batch size.
    public var batch = 32
    /// Only these operations (names as in the table), or all when empty.
    public var operations: Set<String> = []
    /// Only these profiles (perc names), or all when empty.
    public var profiles: Set<String> = []

    public init() {}

    /// `--quick`: every operation at 1200 B, fewer repetitions.
    public static var quick: BenchPlan {
        var plan = BenchPlan()
        plan.sizes = [1200]
        plan.packetsPerRun = 300
        plan.repetitions = 5
        return plan
    }

    /// The scenarios, in report order.
    public func scenarios() -> [BenchScenario] {
        var result: [BenchScenario] = []
        let singleOperations: [BenchScenario.Operation] = [.protect, .unprotect, .srtcpProtect]
        let doubleOperations: [BenchScenario.Operation] = [.doubleProtect, .doubleUnprotect, .forward]
            + fanouts.map { .fanout($0) }
        for size in sizes {
            for operation in singleOperations {
                for profile in ProtectionProfile.allCases {
                    result.append(BenchScenario(operation: operation, profile: .single(profile), payloadSize: size, batch: batch))
                }
            }
            for operation in doubleOperations {
                for profile in DoubleProfile.allCases {
                    result.append(BenchScenario(operation: operation, profile: .double(profile), payloadSize: size, batch: batch))
                }
            }
        }
        // The header-extension case and the many-context case, at the largest size.
        let size = sizes.max() ?? 1200
        let featured: [(BenchScenario.Operation, BenchProfile)] = [
            (.protect, .single(.aeadAes128Gcm)), (.unprotect, .single(.aeadAes128Gcm)),
            (.protect, .single(.aes128CmSha1_80)), (.forward, .double(.aes128Gcm)),
        ]
        for (operation, profile) in featured {
            result.append(BenchScenario(operation: operation, profile: profile, payloadSize: size, headerExtension: true,
                                        batch: batch))
            for contextCount in contexts where contextCount > 1 {
                result.append(BenchScenario(operation: operation, profile: profile, payloadSize: size,
                                            contexts: contextCount, batch: batch))
            }
        }
        return result.filter { scenario in
            (operations.isEmpty || operations.contains(scenario.operation.name))
                && (profiles.isEmpty || profiles.contains(scenario.profile.description))
        }
    }
}

/// Every implementation this machine can run: our core on each available backend, then the peers.
public func availableImplementations() -> [BenchImplementation] {
    var result: [BenchImplementation] = CryptoBackend.available.map { SwiftPERCImplementation(backend: $0) }
    result.append(LibSRTPImplementation())
    result.append(RawPeerImplementation(.opensslEVP))
    let ipsec = RawPeerImplementation(.ipsecMB)
    if ipsec.isAvailable { result.append(ipsec) }
    result.append(MemcpyImplementation())
    return result
}

/// Runs `plan` over `implementations`, calling `progress` after each scenario.
public func runBench(_ plan: BenchPlan, implementations: [BenchImplementation],
                     progress: (BenchScenario, [Measurement], Duration) -> Void = { _, _, _ in }) -> [Measurement] {
    var all: [Measurement] = []
    let clock = ContinuousClock()
    for scenario in plan.scenarios() {
        let started = clock.now
        let count = max(plan.packetsPerRun, scenario.contexts > 1 ? scenario.contexts / 10 : 0)
        let packets = BenchPackets(scenario: scenario, count: count)
        var measured: [Measurement] = []
        for implementation in implementations {
            guard let runner = implementation.runner(for: packets) else { continue }
            measured.append(measure(runner, scenario: scenario, warmup: plan.warmup, repetitions: plan.repetitions))
        }
        progress(scenario, measured, clock.now - started)
        all += measured
    }
    return all
}
