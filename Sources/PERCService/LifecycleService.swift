// SPDX-License-Identifier: Apache-2.0
// Copyright 2026 the swift-perc authors

import Logging
import ServiceLifecycle

/// A service that starts, runs until graceful shutdown (SIGINT/SIGTERM through a
/// `ServiceGroup`), then stops.
public struct LifecycleService: Service {
    private let run: @Sendable () async throws -> Void
    private let stop: @Sendable () async -> Void

    public init(start: @escaping @Sendable () async throws -> Void, stop: @escaping @Sendable () async -> Void) {
        self.run = start
        self.stop = stop
    }

    public func run() async throws {
        try await run()
        try? await gracefulShutdown()
        await stop()
    }

    /// Runs `services` until SIGINT or SIGTERM, then shuts them down gracefully.
    public static func runUntilSignalled(_ services: [any Service], logger: Logger) async throws {
        let group = ServiceGroup(services: services, gracefulShutdownSignals: [.sigterm, .sigint], logger: logger)
        try await group.run()
    }
}
