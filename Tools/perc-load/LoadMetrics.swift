// SPDX-License-Identifier: Apache-2.0
// Copyright 2026 the swift-perc authors

import ConferenceLoad
import Metrics
import NIOCore
import PERCService

/// perc-load's Prometheus metrics (`--metrics HOST:PORT`, `GET /metrics`): the run's live
/// figures, updated about twice a second.
final class LoadMetrics: @unchecked Sendable {
    private let channel: any Channel
    private let elapsed = Gauge(label: "perc_load_elapsed_seconds")
    private let started = Gauge(label: "perc_load_participants_started")
    private let joined = Gauge(label: "perc_load_participants_joined")
    private let received = Gauge(label: "perc_load_received_packets_per_second")
    private let latency = Gauge(label: "perc_load_latency_p99_milliseconds")
    private let loss = Gauge(label: "perc_load_loss_ratio")

    private init(channel: any Channel) { self.channel = channel }

    /// Serves the metrics for a `--metrics HOST:PORT` option; nil without one.
    static func serve(option address: String?) async throws -> LoadMetrics? {
        try await MetricsServer.serve(option: address).map(LoadMetrics.init(channel:))
    }

    func record(_ progress: LoadProgress) {
        elapsed.record(progress.elapsed)
        started.record(progress.started)
        joined.record(progress.joined)
        received.record(progress.receivedPerSecond)
        latency.record(progress.p99LatencyMs)
        loss.record(progress.loss)
    }

    func stop() async { try? await channel.close() }
}
