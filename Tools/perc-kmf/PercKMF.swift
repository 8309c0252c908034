// SPDX-License-Identifier: Apache-2.0
// Copyright 2026 the swift-perc authors

import ArgumentParser
import DTLS
import Foundation
import KeyDistributor
import Logging
import Metrics
import PERC
import PERCService
import NIOCore
import PERCTunnel

/// `perc-kmf`: the Key Distributor. Media distributors connect to its tunnel port (mutual
/// TLS 1.3 with certificates from `--certs`); participants register on its HTTP port.
@main
struct PercKMF: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "perc-kmf",
        abstract: "The PERC Key Distributor: RFC 9185 tunnel server, DTLS-SRTP with EKT, conference service.",
        discussion: """
            Example: perc-kmf --tunnel-listen 127.0.0.1:4443 --http-listen 127.0.0.1:8080 --rekey-on-leave
            Participants register with POST /conferences/{conference}/participants \
            {"participant", "fingerprint", "tls_id"} before joining through a media distributor.

            With --state DIR the KMF saves registrations, the SPI counter and each conference's \
            current EKTKey (file DIR/kmf-state, mode 0600, written atomically) and resumes from them \
            when restarted: endpoints joining after a restart share the EKTKey of those joined \
            before. It cannot rekey the members from before a restart (their DTLS sessions are \
            gone), so their conference's rekeys wait until they have left (or the EKTKey's TTL \
            runs out). Without --state everything is in memory only.
            """
    )

    @Option(name: .customLong("tunnel-listen"), help: "Where media distributors connect (HOST:PORT, [::1]:PORT).")
    var tunnelListen: String

    @Option(name: .customLong("http-listen"), help: "The conference service (HOST:PORT).")
    var httpListen: String

    @Option(help: "Development CA and certificates, made on first use when missing.")
    var certs: String = DevelopmentCertificates.defaultDirectory

    @Flag(name: .customLong("rekey-on-join"), help: "Give a conference a new EKTKey when someone joins.")
    var rekeyOnJoin = false

    @Flag(name: .customLong("rekey-on-leave"), help: "Give a conference a new EKTKey when someone leaves.")
    var rekeyOnLeave = false

    @Option(name: .customLong("rekey-holdoff"), help: "Seconds within which membership changes make one rekey.")
    var rekeyHoldoff: Double = 0

    @Option(name: .customLong("ekt-cipher"), help: "aeskw128 or aeskw256.")
    var ektCipher: String = "aeskw128"

    @Option(name: .customLong("ekt-ttl"), help: "EKTKey lifetime in seconds (renewed at half of it).")
    var ektTTL: UInt32 = 86_400

    @Option(help: ArgumentHelp("Keep registrations and EKTKeys in DIR/kmf-state across restarts (default: memory only).",
                               valueName: "DIR"))
    var state: String?

    @Option(help: "Serve Prometheus metrics on HOST:PORT (GET /metrics).")
    var metrics: String?

    @Option(name: .customLong("log-level"), help: "trace, debug, info, notice, warning, error.")
    var logLevel: String = "info"

    static func main() async { await CommandRunner.main(Self.self) }

    func run() async throws {
        guard let tunnel = HostPort(tunnelListen) else { throw ValidationError("--tunnel-listen must be HOST:PORT") }
        guard let http = HostPort(httpListen) else { throw ValidationError("--http-listen must be HOST:PORT") }
        let metricsListener = try await MetricsServer.serve(option: metrics)
        guard let cipher = EKTCipher(name: ektCipher) else { throw ValidationError("--ekt-cipher must be aeskw128 or aeskw256") }
        var logger = Logger(label: "perc-kmf")
        logger.logLevel = Logger.Level(rawValue: logLevel) ?? .info
        let certificates = try DevelopmentCertificates.loadOrCreate(in: certs)
        let identity = try DTLSIdentity.selfSigned(commonName: "perc-kmf")
        let sessionID = "perc-kmf-" + (0..<12).map { _ in String(UInt8.random(in: 0...255), radix: 16) }.joined()
        let server = try await KeyDistributorServer.start(configuration: .init(
            tunnelHost: tunnel.host, tunnelPort: tunnel.port, httpHost: http.host, httpPort: http.port,
            credentials: try certificates.keyDistributorCredentials(),
            keyDistributor: .init(identity: identity, sessionID: Array(sessionID.utf8),
                                  policy: RekeyPolicy(rekeyOnJoin: rekeyOnJoin, rekeyOnLeave: rekeyOnLeave, holdoff: rekeyHoldoff),
                                  ektCipher: cipher, ektTTL: ektTTL),
            stateDirectory: state))
        logger.info("perc-kmf listening", metadata: [
            "tunnel": "\(HostPort(host: tunnel.host, port: server.tunnelPort))",
            "http": "\(HostPort(host: http.host, port: server.httpPort))",
            "certs": "\(certificates.directory)", "dtls-fingerprint": "\(identity.fingerprint.hex)",
            "state": "\(state ?? "memory only")"])
        let poller = Task {
            let tunnels = Gauge(label: "perc_kmf_tunnels_total"), keys = Gauge(label: "perc_kmf_media_keys_sent_total")
            let disconnects = Gauge(label: "perc_kmf_endpoint_disconnects_total")
            while !Task.isCancelled {
                let counters = await server.snapshot()
                tunnels.record(counters.tunnels)
                keys.record(counters.mediaKeysSent)
                disconnects.record(counters.disconnectsSent)
                try? await Task.sleep(for: .seconds(1))
            }
        }
        let finalLogger = logger
        try await LifecycleService.runUntilSignalled([LifecycleService(start: {}, stop: {
            poller.cancel()
            try? await metricsListener?.close()
            await server.stop()
            finalLogger.info("perc-kmf stopped")
        })], logger: logger)
    }
}
