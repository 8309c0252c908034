// SPDX-License-Identifier: Apache-2.0
// Copyright 2026 the swift-perc authors

import DTLS
import Foundation
import KeyDistributor
import MediaDistributor
import PERCTunnel

/// A Key Distributor server (tunnel + conference service) and a Media Distributor on loopback.
struct LoopbackConference {
    let kd: KeyDistributorServer
    let md: MediaDistributor
    let directory: String

    static func start(host: String = "127.0.0.1", policy: RekeyPolicy = RekeyPolicy(),
                      idleTimeout: Duration = .seconds(5)) async throws -> LoopbackConference {
        let directory = NSTemporaryDirectory() + "perc-load-\(UInt64.random(in: 0...UInt64.max))"
        let certificates = try DevelopmentCertificates.loadOrCreate(in: directory)
        let kd = try await KeyDistributorServer.start(configuration: .init(
            tunnelHost: host, tunnelPort: 0, httpHost: host, httpPort: 0,
            credentials: certificates.keyDistributorCredentials(),
            keyDistributor: .init(identity: try DTLSIdentity.selfSigned(), sessionID: Array("kd-session-id-0123456789".utf8),
                                  policy: policy)))
        let md = try MediaDistributor(configuration: .init(
            mediaHost: host, workers: 1, pinWorkers: false, idleTimeout: idleTimeout,
            keyDistributor: .init(host: host, port: kd.tunnelPort, credentials: certificates.mediaDistributorCredentials())))
        md.start()
        return LoopbackConference(kd: kd, md: md, directory: directory)
    }

    func stop() async {
        await md.stop()
        await kd.stop()
        try? FileManager.default.removeItem(atPath: directory)
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
