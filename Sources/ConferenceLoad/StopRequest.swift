// SPDX-License-Identifier: Apache-2.0
// Copyright 2026 the swift-perc authors

import Synchronization

/// Ends a load run before its duration: the endpoint threads see it within a few
/// milliseconds, every participant leaves, and the report covers the time actually run
/// (perc-load requests it on SIGINT/SIGTERM, so an interrupted run still reports).
public final class StopRequest: Sendable {
    private let requested = Atomic<Bool>(false)

    public init() {}

    /// Asks the run to end now.
    public func request() { requested.store(true, ordering: .releasing) }

    /// Whether ``request()`` was called.
    public var isRequested: Bool { requested.load(ordering: .acquiring) }
}
