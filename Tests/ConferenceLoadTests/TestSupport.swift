// SPDX-License-Identifier: Apache-2.0
// Copyright 2026 the swift-perc authors

import DTLS
import Foundation
import KeyDistributor
import MediaDistributor
import PERCEndpoint
import PERCTunnel

/// A Key Distributor server (tunnel + conference service) and a Media Distributor on loopback.
///
/// ``restartKeyDistributor()`` replaces a stopped Key Distributor by a new one on the same
/// ports (and state directory); ``kd`` is then the new one. ``restartMediaDistributor()``
/// stops the Media Distributor and starts a fresh one (no state) on the same media port.
/// Only the test's task uses it.
final class LoopbackConference: @unchecked Sendable {
    private(set) var kd: KeyDistributorServer
    private(set) var md: MediaDistributor
    let idleTimeout: Duration
    let reconnectBackoff: Duration
    let directory: String
    let host: String
    let policy: RekeyPolicy
    let stateDirectory: String?
    /// The Key Distributor's ports, kept for a restart.
    let tunnelPort: Int, httpPort: Int

    private init(kd: KeyDistributorServer, md: MediaDistributor, directory: String, host: String, policy: RekeyPolicy,
                 stateDirectory: String?, idleTimeout: Duration, reconnectBackoff: Duration) {
        self.kd = kd
        self.md = md
        self.idleTimeout = idleTimeout
        self.reconnectBackoff = reconnectBackoff
        self.directory = directory
        self.host = host
        self.policy = policy
        self.stateDirectory = stateDirectory
        tunnelPort = kd.tunnelPort
        httpPort = kd.httpPort
    }

    static func start(host: String = "127.0.0.1", policy: RekeyPolicy = RekeyPolicy(),
                      idleTimeout: Duration = .seconds(5), stateDirectory: String? = nil,
                      reconnectBackoff: Duration = .milliseconds(100)) async throws -> LoopbackConference {
        let directory = NSTemporaryDirectory() + "perc-load-\(UInt64.random(in: 0...UInt64.max))"
        let certificates = try DevelopmentCertificates.loadOrCreate(in: directory)
        let kd = try await startKeyDistributor(host: host, tunnelPort: 0, httpPort: 0, certificates: certificates,
                                               policy: policy, stateDirectory: stateDirectory)
        let md = try startMediaDistributor(host: host, port: 0, tunnelPort: kd.tunnelPort, certificates: certificates,
                                           idleTimeout: idleTimeout, reconnectBackoff: reconnectBackoff)
        return LoopbackConference(kd: kd, md: md, directory: directory, host: host, policy: policy,
                                  stateDirectory: stateDirectory, idleTimeout: idleTimeout,
                                  reconnectBackoff: reconnectBackoff)
    }

    private static func startMediaDistributor(host: String, port: Int, tunnelPort: Int,
                                              certificates: DevelopmentCertificates, idleTimeout: Duration,
                                              reconnectBackoff: Duration) throws -> MediaDistributor {
        let md = try MediaDistributor(configuration: .init(
            mediaHost: host, mediaPort: port, workers: 1, pinWorkers: false, idleTimeout: idleTimeout,
            keyDistributor: .init(host: host, port: tunnelPort, credentials: certificates.mediaDistributorCredentials(),
                                  initialBackoff: reconnectBackoff)))
        md.start()
        return md
    }

    /// Stops ``md`` (its associations and hop keys die with it) and starts a new Media
    /// Distributor on the same media port, which connects to ``kd``; ``md`` is then the new one.
    func restartMediaDistributor() async throws -> MediaDistributor {
        let port = md.mediaPort
        await md.stop()
        md = try Self.startMediaDistributor(host: host, port: port, tunnelPort: kd.tunnelPort,
                                            certificates: DevelopmentCertificates.loadOrCreate(in: directory),
                                            idleTimeout: idleTimeout, reconnectBackoff: reconnectBackoff)
        return md
    }

    private static func startKeyDistributor(host: String, tunnelPort: Int, httpPort: Int,
                                            certificates: DevelopmentCertificates, policy: RekeyPolicy,
                                            stateDirectory: String?) async throws -> KeyDistributorServer {
        try await KeyDistributorServer.start(configuration: .init(
            tunnelHost: host, tunnelPort: tunnelPort, httpHost: host, httpPort: httpPort,
            credentials: certificates.keyDistributorCredentials(),
            keyDistributor: .init(identity: try DTLSIdentity.selfSigned(), sessionID: Array("kd-session-id-0123456789".utf8),
                                  policy: policy),
            stateDirectory: stateDirectory))
    }

    /// Starts a new Key Distributor (a fresh DTLS identity, the same certificates, ports and
    /// state directory) in place of ``kd``, which must have been stopped.
    func restartKeyDistributor() async throws -> KeyDistributorServer {
        kd = try await Self.startKeyDistributor(host: host, tunnelPort: tunnelPort, httpPort: httpPort,
                                                certificates: DevelopmentCertificates.loadOrCreate(in: directory),
                                                policy: policy, stateDirectory: stateDirectory)
        return kd
    }

    func stop() async {
        await md.stop()
        await kd.stop()
        try? FileManager.default.removeItem(atPath: directory)
        if let stateDirectory { try? FileManager.default.removeItem(atPath: stateDirectory) }
    }
}

extension LoopbackConference {
    /// Endpoints of conference `room` named `names` (sender numbers in that order) on these
    /// services, with a FullEKTField in every packet (so that a late joiner opens each
    /// sender's next packet), each recording whom it hears in `heard`; `adjust` changes their
    /// configuration. They have not registered yet.
    func endpoints(_ names: [String], heard: KeyDistributorRestartTests.Heard,
                   adjust: (inout ConferenceEndpoint.Configuration) -> Void = { _ in }) throws -> [ConferenceEndpoint] {
        let service = HostPort(host: host, port: UInt16(kd.httpPort))
        let media = HostPort(host: host, port: UInt16(md.mediaPort))
        return try names.enumerated().map { index, name in
            var configuration = ConferenceEndpoint.Configuration(
                conference: "room", participant: name, sender: UInt32(index), mediaDistributor: media,
                conferenceService: service, ektFullFieldInterval: 1)
            adjust(&configuration)
            let endpoint = try ConferenceEndpoint(configuration: configuration)
            endpoint.onMedia = { payload, _ in heard.record(receiver: UInt32(index), sender: payload.sender) }
            return endpoint
        }
    }
}

/// Media rounds for ``ConferenceEndpointTests/drive(_:timeout:every:until:)``: each call sends
/// one packet of `payloadLength` bytes from every endpoint given, the sequence going up by
/// one per call.
final class MediaRounds {
    let payloadLength: Int
    private var sequence: UInt32 = 0

    init(payloadLength: Int = 120) { self.payloadLength = payloadLength }

    func send(_ endpoints: [ConferenceEndpoint]) {
        for endpoint in endpoints { endpoint.sendMedia(stream: 0, sequence: sequence, payloadLength: payloadLength) }
        sequence += 1
    }
}

/// Polls `condition` until it holds or `timeout` passes.
func eventually(timeout: Duration = .seconds(5), _ condition: () -> Bool) async -> Bool {
    let deadline = ContinuousClock.now + timeout
    while ContinuousClock.now < deadline {
        if condition() { return true }
        try? await Task.sleep(for: .milliseconds(5))
    }
    return condition()
}
