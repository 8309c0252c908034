// SPDX-License-Identifier: Apache-2.0
// Copyright 2026 the swift-perc authors

import ArgumentParser
import Foundation
import Logging
import MediaDistributor
import Metrics
import PERC
import PERCService
import NIOCore
import PERCTunnel

/// `perc-mdd`: the Media Distributor. Endpoints send STUN, DTLS and SRTP to its media port;
/// it tunnels DTLS to the Key Distributor and forwards double-protected media holding only
/// hop-by-hop keys.
@main
struct PercMDD: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "perc-mdd",
        abstract: "The PERC Media Distributor: an SFU that never holds end-to-end keys.",
        discussion: """
            Example: perc-mdd --media-listen 127.0.0.1:5004 --kmf 127.0.0.1:4443 --workers 2
            An endpoint joins the media plane with a STUN Binding Request whose USERNAME is \
            'conference:participant', then runs DTLS-SRTP on the same 5-tuple.
            """
    )

    @Option(name: .customLong("media-listen"), help: "UDP media address (HOST:PORT, [::1]:PORT).")
    var mediaListen: String

    @Option(help: "The Key Distributor's tunnel address (HOST:PORT).")
    var kmf: String

    @Option(help: "Development CA and certificates, made on first use when missing.")
    var certs: String = DevelopmentCertificates.defaultDirectory

    @Option(help: "Worker threads, each with its own SO_REUSEPORT socket, pinned to a core.")
    var workers: Int = 1

    @Option(name: .customLong("idle-timeout"), help: "Seconds without RTP/RTCP after which an endpoint is disconnected.")
    var idleTimeout: Double = 30

    @Option(name: .customLong("max-endpoints"), help: "Most endpoints bound at once; further STUN joins are refused.")
    var maxEndpoints: Int = 10_000

    @Option(name: .customLong("handshake-timeout"), help: "Seconds a bound endpoint may stay without hop keys before it is dropped.")
    var handshakeTimeout: Double = 30

    @Option(name: .customLong("control-rate"), help: "STUN requests plus DTLS datagrams per second per source address (bursts of twice that).")
    var controlRate: Int = 50

    @Option(help: "Serve Prometheus metrics on HOST:PORT (GET /metrics).")
    var metrics: String?

    @Option(name: .customLong("log-level"), help: "trace, debug, info, notice, warning, error.")
    var logLevel: String = "info"

    static func main() async { await CommandRunner.main(Self.self) }

    func run() async throws {
        guard let media = HostPort(mediaListen) else { throw ValidationError("--media-listen must be HOST:PORT") }
        guard let keyDistributor = HostPort(kmf) else { throw ValidationError("--kmf must be HOST:PORT") }
        guard (1...64).contains(workers) else { throw ValidationError("--workers must be 1...64") }
        guard idleTimeout > 0 else { throw ValidationError("--idle-timeout must be positive") }
        guard maxEndpoints > 0 else { throw ValidationError("--max-endpoints must be positive") }
        guard handshakeTimeout > 0 else { throw ValidationError("--handshake-timeout must be positive") }
        guard controlRate > 0 else { throw ValidationError("--control-rate must be positive") }
        let metricsListener = try await MetricsServer.serve(option: metrics)
        var logger = Logger(label: "perc-mdd")
        logger.logLevel = Logger.Level(rawValue: logLevel) ?? .info
        let certificates = try DevelopmentCertificates.loadOrCreate(in: certs)
        let distributor = try MediaDistributor(configuration: .init(
            mediaHost: media.host, mediaPort: media.port, workers: workers,
            idleTimeout: .milliseconds(Int64(idleTimeout * 1000)),
            keyDistributor: .init(host: keyDistributor.host, port: keyDistributor.port,
                                  credentials: try certificates.mediaDistributorCredentials()),
            maximumAssociations: maxEndpoints, handshakeTimeout: .milliseconds(Int64(handshakeTimeout * 1000)),
            controlRatePerSource: controlRate, controlBurstPerSource: 2 * controlRate))
        distributor.start()
        logger.info("perc-mdd forwarding", metadata: [
            "media": "\(HostPort(host: media.host, port: distributor.mediaPort))", "kmf": "\(keyDistributor)",
            "workers": "\(workers)", "numa-nodes": "\(CPUTopology.machineNodeCount)",
            "placements": "\(distributor.workerPlacements.map { $0.map(String.init(describing:)) ?? "unpinned" })"])
        let tunnelLogger = logger
        let poller = Task {
            let received = Gauge(label: "perc_mdd_rtp_received_total")
            let forwarded = Gauge(label: "perc_mdd_rtp_forwarded_total")
            let refused = Gauge(label: "perc_mdd_rtp_copies_refused_total")
            let rtcp = Gauge(label: "perc_mdd_rtcp_forwarded_total")
            let failures = Gauge(label: "perc_mdd_hop_authentication_failures_total")
            let disconnects = Gauge(label: "perc_mdd_endpoint_disconnects_total")
            let connected = Gauge(label: "perc_mdd_tunnel_connected")
            let connections = Gauge(label: "perc_mdd_tunnel_connections_total")
            let hopKeys = Gauge(label: "perc_mdd_hop_keys_held")
            let endpoints = Gauge(label: "perc_mdd_endpoints_bound")
            let conferences = Gauge(label: "perc_mdd_conferences")
            let handshakesExpired = Gauge(label: "perc_mdd_handshakes_expired_total")
            let datagrams = Gauge(label: "perc_mdd_datagrams_received_total")
            // One series per drop reason: every datagram dropped on receipt is in exactly one.
            let drops: [(Gauge, KeyPath<MediaDistributorStatistics, Int>)] = [
                ("unclassified", \.unclassified), ("oversized", \.oversized), ("malformed_stun", \.malformedSTUN),
                ("joins_refused", \.joinsRefused), ("unbound_stun", \.unboundSTUN), ("rate_limited", \.rateLimited), ("unbound_dtls", \.unboundDTLS),
                ("unknown_source", \.unknownSource), ("ssrc_conflict", \.ssrcConflicts),
                ("authentication_failure", \.authenticationFailures), ("send_failure", \.dropped),
            ].map { (Gauge(label: "perc_mdd_datagrams_dropped_total", dimensions: [("reason", $0.0)]), $0.1) }
            var wasConnected = false
            while !Task.isCancelled {
                if let tunnel = distributor.tunnel {
                    let isConnected = tunnel.isConnected
                    if isConnected != wasConnected {
                        if isConnected {
                            tunnelLogger.info("tunnel to the key distributor up", metadata: ["connections": "\(tunnel.connectionCount)"])
                        } else {
                            tunnelLogger.warning("tunnel to the key distributor down; forwarding with the installed hop keys, reconnecting")
                        }
                        wasConnected = isConnected
                    }
                    connected.record(isConnected ? 1 : 0)
                    connections.record(tunnel.connectionCount)
                }
                hopKeys.record(distributor.heldKeyLengths.count)
                let statistics = distributor.statistics
                received.record(statistics.rtpReceived)
                forwarded.record(statistics.rtpForwarded)
                refused.record(statistics.copiesRefused)
                rtcp.record(statistics.rtcpForwarded)
                failures.record(statistics.authenticationFailures)
                datagrams.record(statistics.datagramsReceived)
                for (gauge, field) in drops { gauge.record(statistics[keyPath: field]) }
                endpoints.record(distributor.associationCount)
                conferences.record(distributor.conferenceCount)
                handshakesExpired.record(distributor.handshakesExpired)
                disconnects.record(distributor.disconnectsSent)
                try? await Task.sleep(for: .seconds(1))
            }
        }
        let finalLogger = logger
        try await LifecycleService.runUntilSignalled([LifecycleService(start: {}, stop: {
            poller.cancel()
            try? await metricsListener?.close()
            await distributor.stop()
            finalLogger.info("perc-mdd stopped", metadata: ["forwarded": "\(distributor.statistics.rtpForwarded)"])
        })], logger: logger)
    }
}
