// SPDX-License-Identifier: Apache-2.0
// Copyright 2026 the swift-perc authors

import DTLS
import Foundation
import KeyDistributor
import MediaDistributor
import NIOPosix
import PERCEndpoint
import PERCTunnel

/// A Key Distributor (tunnel server + conference service) and a Media Distributor running
/// inside this process on loopback, on ephemeral ports, for `perc-load --embedded` and the
/// tests: what `perc-kmf` and `perc-mdd` do as separate processes, without the set-up.
///
/// The KMF runs on its own one-thread event loop group (its thread's name, `NIO-ELT-G-#0`,
/// is unique in the process), the MDD on its worker threads (`md-worker-N`), so their CPU
/// time can be read per thread (``kmfCPU`` and ``mddCPU``). Certificates come from `certificates` when given, otherwise
/// from a temporary folder removed by ``stop()``.
///
/// ```swift
/// let services = try await EmbeddedServices.start()
/// let configuration = LoadConfiguration(conferenceService: services.conferenceService,
///                                       mediaDistributor: services.mediaAddress, conferences: 3, participants: 4, duration: 15)
/// ...
/// await services.stop()
/// ```
public final class EmbeddedServices: Sendable {
    /// The Key Distributor server.
    public let keyDistributor: KeyDistributorServer
    /// The Media Distributor.
    public let mediaDistributor: MediaDistributor
    /// The certificate folder in use.
    public let certificatesDirectory: String
    private let temporaryDirectory: String?
    private let group: MultiThreadedEventLoopGroup
    /// The name of the KMF's event loop thread.
    public let kmfThreadName: String
    /// Thread-name prefix of the MDD's workers.
    public static let mddThreadPrefix = "md-worker-"

    private init(keyDistributor: KeyDistributorServer, mediaDistributor: MediaDistributor, certificatesDirectory: String,
                 temporaryDirectory: String?, group: MultiThreadedEventLoopGroup, kmfThreadName: String) {
        self.kmfThreadName = kmfThreadName
        self.keyDistributor = keyDistributor
        self.mediaDistributor = mediaDistributor
        self.certificatesDirectory = certificatesDirectory
        self.temporaryDirectory = temporaryDirectory
        self.group = group
    }

    /// Starts both on `host` (a loopback literal), with the MDD's tunnel connected to the KMF.
    /// - Parameters:
    ///   - certificates: a development-certificate folder (made when missing); nil: a temporary one.
    ///   - policy: the KMF's rekey policy.
    ///   - workers: MDD worker threads.
    ///   - idleTimeout: the MDD's idle disconnect.
    /// - Throws: certificate, socket or TLS errors.
    public static func start(host: String = "127.0.0.1", certificates: String? = nil,
                             policy: RekeyPolicy = RekeyPolicy(), workers: Int = 1,
                             idleTimeout: Duration = .seconds(10)) async throws -> EmbeddedServices {
        let temporary = certificates == nil
            ? NSTemporaryDirectory() + "perc-load-certs-\(UInt64.random(in: 0...UInt64.max))" : nil
        let directory = certificates ?? temporary!
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        do {
            let certificates = try DevelopmentCertificates.loadOrCreate(in: directory)
            let sessionID = "perc-load-kmf-" + (0..<8).map { _ in String(UInt8.random(in: 0...255), radix: 16) }.joined()
            let kd = try await KeyDistributorServer.start(configuration: .init(
                tunnelHost: host, tunnelPort: 0, httpHost: host, httpPort: 0,
                credentials: certificates.keyDistributorCredentials(),
                keyDistributor: .init(identity: try DTLSIdentity.selfSigned(commonName: "perc-load-kmf"),
                                      sessionID: Array(sessionID.utf8), policy: policy)),
                group: group)
            let md: MediaDistributor
            do {
                md = try MediaDistributor(configuration: .init(
                    mediaHost: host, workers: workers, pinWorkers: false, idleTimeout: idleTimeout,
                    keyDistributor: .init(host: host, port: kd.tunnelPort, credentials: certificates.mediaDistributorCredentials())))
            } catch {
                await kd.stop()
                throw error
            }
            md.start()
            // Other event loop groups in this process (tests run several) share the
            // `NIO-ELT-` prefix; the KMF's one thread has its own full name.
            let threadName = try await group.next().submit { Self.currentThreadName() }.get()
            let services = EmbeddedServices(keyDistributor: kd, mediaDistributor: md, certificatesDirectory: directory,
                                            temporaryDirectory: temporary, group: group, kmfThreadName: threadName)
            // The MDD connects its tunnel in the background; endpoints need it for DTLS.
            let deadline = ContinuousClock.now + .seconds(10)
            while await kd.snapshot().tunnels == 0, ContinuousClock.now < deadline {
                try await Task.sleep(for: .milliseconds(10))
            }
            return services
        } catch {
            try? await group.shutdownGracefully()
            if let temporary { try? FileManager.default.removeItem(atPath: temporary) }
            throw error
        }
    }

    /// The conference service's address (`http://HOST:PORT`).
    public var conferenceService: HostPort {
        HostPort(host: mediaDistributor.configuration.mediaHost, port: UInt16(keyDistributor.httpPort))
    }

    /// The MDD's media address.
    public var mediaAddress: HostPort {
        HostPort(host: mediaDistributor.configuration.mediaHost, port: UInt16(mediaDistributor.mediaPort))
    }

    /// Points `configuration`'s CPU probes (``kmfCPU``, ``mddCPU``) and MDD counters at these
    /// services.
    public func measure(_ configuration: inout LoadConfiguration) {
        configuration.mddCPU = mddCPU
        configuration.kmfCPU = kmfCPU
        let md = mediaDistributor
        configuration.mddCounters = {
            let statistics = md.statistics
            return MDDCounters(rtpReceived: statistics.rtpReceived, rtpForwarded: statistics.rtpForwarded,
                               authenticationFailures: statistics.authenticationFailures)
        }
    }

    /// Reads the KMF's CPU time (its event loop thread).
    public var kmfCPU: CPUProbe { .threads(prefix: kmfThreadName) }

    /// The calling thread's name (`/proc/thread-self/comm`, at most 15 characters).
    private static func currentThreadName() -> String {
        let name = (try? String(contentsOfFile: "/proc/thread-self/comm", encoding: .utf8)) ?? ""
        let trimmed = name.trimmingCharacters(in: .whitespacesAndNewlines)
        return trimmed.isEmpty ? "NIO-ELT-" : trimmed
    }
    /// Reads the MDD's CPU time (its worker threads).
    public var mddCPU: CPUProbe { .threads(prefix: Self.mddThreadPrefix) }

    /// Stops the MDD and the KMF and removes a temporary certificate folder.
    public func stop() async {
        await mediaDistributor.stop()
        await keyDistributor.stop()
        try? await group.shutdownGracefully()
        if let temporaryDirectory { try? FileManager.default.removeItem(atPath: temporaryDirectory) }
    }
}

/// Where a distributor's CPU time is read.
public enum CPUProbe: Sendable, Equatable {
    /// Threads of this process whose names start with the prefix (embedded mode).
    case threads(prefix: String)
    /// Another process on this machine.
    case process(Int32)

    /// CPU seconds so far, nil when unreadable.
    public func seconds() -> Double? {
        switch self {
        case .threads(let prefix): CPUTime.threads(named: prefix)
        case .process(let pid): CPUTime.process(pid)
        }
    }
}
