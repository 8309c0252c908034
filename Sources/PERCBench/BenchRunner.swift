// SPDX-License-Identifier: Apache-2.0
// Copyright 2026 the swift-perc authors

/// One implementation prepared for one scenario.
///
/// `reset` (untimed) brings the implementation to a fresh state with every context primed;
/// `run` (timed) processes every timed packet once and returns how many copies were
/// delivered correctly, which the harness checks against ``expectedCopies``: a measurement of
/// failing packets is reported as invalid, never as a figure.
public struct BenchRunner {
    public let implementation: String
    public let backend: String
    /// Packets per call (1 for the peers, the burst size for ipsec-mb CTR+HMAC).
    public let batch: Int
    public let expectedCopies: Int
    public let reset: () -> Void
    public let run: () -> Int

    public init(implementation: String, backend: String, batch: Int, expectedCopies: Int,
                reset: @escaping () -> Void, run: @escaping () -> Int) {
        self.implementation = implementation
        self.backend = backend
        self.batch = batch
        self.expectedCopies = expectedCopies
        self.reset = reset
        self.run = run
    }
}

/// Something perc-bench measures: our core on one backend, or a peer.
public protocol BenchImplementation {
    /// The name in tables and JSON (`swift-perc/vaes512`, `libsrtp2`, ...).
    var name: String { get }
    /// Prepares a runner, or nil when the implementation cannot do the scenario.
    func runner(for packets: BenchPackets) -> BenchRunner?
}
