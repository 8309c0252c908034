// SPDX-License-Identifier: Apache-2.0
// Copyright 2026 the swift-perc authors

import DTLS
import NIOCore
import NIOPosix
import PERCTunnel
import SRTP

/// The Key Distributor on the network: the RFC 9185 tunnel server (mutual TLS 1.3) feeding
/// the ``KeyDistributor`` state machine, and the HTTP ``ConferenceService``.
///
/// Every tunnel event hops to one event loop, which owns the state machine; a timer on the
/// same loop drives DTLS retransmissions, rekeys and EKTKey renewals.
public final class KeyDistributorServer: @unchecked Sendable {
    /// Where to listen and how to key.
    public struct Configuration: Sendable {
        public var tunnelHost: String
        public var tunnelPort: Int
        public var httpHost: String
        public var httpPort: Int
        public var credentials: TunnelCredentials
        public var keyDistributor: KeyDistributor.Configuration
        /// Where the Key Distributor keeps its state across restarts (see
        /// ``KeyDistributorStateFile`` and ``KeyDistributor``); nil keeps it in memory only.
        public var stateDirectory: String?

        public init(tunnelHost: String, tunnelPort: Int, httpHost: String, httpPort: Int,
                    credentials: TunnelCredentials, keyDistributor: KeyDistributor.Configuration,
                    stateDirectory: String? = nil) {
            self.tunnelHost = tunnelHost
            self.tunnelPort = tunnelPort
            self.httpHost = httpHost
            self.httpPort = httpPort
            self.credentials = credentials
            self.keyDistributor = keyDistributor
            self.stateDirectory = stateDirectory
        }
    }

    /// Counters for logs and metrics (read through ``snapshot()``).
    public struct Counters: Sendable {
        public var tunnels = 0
        public var associations = 0
        public var mediaKeysSent = 0
        public var disconnectsSent = 0
    }

    public let keyDistributor: KeyDistributor
    public let registry: ConferenceRegistry
    private let loop: any EventLoop
    private var tunnel: TunnelServer?
    private var http: (any Channel)?
    private var timer: RepeatedTask?
    private var connections: [Int: TunnelConnection] = [:]
    private var counters = Counters()

    private init(keyDistributor: KeyDistributor, registry: ConferenceRegistry, loop: any EventLoop) {
        self.keyDistributor = keyDistributor
        self.registry = registry
        self.loop = loop
    }

    /// Starts the tunnel server, the conference service and the timer (after loading the
    /// saved state, when ``Configuration/stateDirectory`` is set).
    /// - Throws: ``KeyDistributorStateError`` for a state that cannot be read; bind and TLS
    ///   configuration errors.
    public static func start(configuration: Configuration, registry: ConferenceRegistry = ConferenceRegistry(),
                             group: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton) async throws
        -> KeyDistributorServer
    {
        let keyDistributor = try configuration.stateDirectory.map { directory in
            try KeyDistributor(configuration: configuration.keyDistributor, registry: registry,
                               stateFile: KeyDistributorStateFile(directory: directory))
        } ?? KeyDistributor(configuration: configuration.keyDistributor, registry: registry)
        let server = KeyDistributorServer(keyDistributor: keyDistributor, registry: registry, loop: group.next())
        server.tunnel = try await TunnelServer.start(
            configuration: .init(host: configuration.tunnelHost, port: configuration.tunnelPort,
                                 credentials: configuration.credentials),
            group: group
        ) { [server] event in server.loop.execute { server.handle(event) } }
        let service = ConferenceService(registry: registry,
                                        keyDistributorTLSID: String(decoding: configuration.keyDistributor.sessionID, as: UTF8.self))
        server.http = try await service.start(host: configuration.httpHost, port: configuration.httpPort, group: group)
        server.timer = server.loop.scheduleRepeatedTask(initialDelay: .milliseconds(20), delay: .milliseconds(20)) { _ in
            server.perform(server.keyDistributor.tick(now: .now))
        }
        return server
    }

    /// The bound tunnel port.
    public var tunnelPort: Int { tunnel?.port ?? 0 }
    /// The bound HTTP port.
    public var httpPort: Int { http?.localAddress?.port ?? 0 }

    /// A snapshot of the counters.
    public func snapshot() async -> Counters {
        (try? await loop.submit { self.counters }.get()) ?? Counters()
    }

    /// Stops accepting, saves the state a last time and forgets the keys
    /// (``KeyDistributor/shutDown()``), then closes every tunnel and the HTTP listener.
    public func stop() async {
        timer?.cancel()
        try? await loop.submit { self.keyDistributor.shutDown() }.get()
        try? await http?.close()
        await tunnel?.close()
    }

    private func handle(_ event: TunnelServer.Event) {
        let now = ContinuousClock.now
        switch event {
        case .connected(let connection, let profiles):
            connections[connection.id] = connection
            counters.tunnels += 1
            keyDistributor.tunnelOpened(connection.id, profiles: profiles.protectionProfiles)
        case .message(let connection, .tunneledDtls(let dtls)):
            perform(keyDistributor.receiveDTLS(tunnel: connection.id, association: dtls.associationID,
                                               datagram: dtls.dtlsMessage, now: now))
        case .message(_, .endpointDisconnect(let disconnect)):
            perform(keyDistributor.endpointDisconnected(association: disconnect.associationID, now: now))
        case .message:
            break   // SupportedProfiles again, or messages only a KD sends
        case .disconnected(let connection, _):
            connections[connection.id] = nil
            perform(keyDistributor.tunnelClosed(connection.id, now: now))
        }
    }

    private func perform(_ actions: [KeyDistributor.Action]) {
        for action in actions {
            switch action {
            case .sendDTLS(let tunnel, let association, let datagram):
                _ = connections[tunnel]?.send(.tunneledDtls(TunneledDtls(associationID: association, dtlsMessage: datagram)))
            case .sendMediaKeys(let tunnel, let association, let keys):
                counters.mediaKeysSent += 1
                counters.associations += 1
                _ = connections[tunnel]?.send(.mediaKeys(MediaKeys(
                    associationID: association, protectionProfile: keys.profile,
                    clientWriteMasterKey: SecretBytes(keys.clientKey), serverWriteMasterKey: SecretBytes(keys.serverKey),
                    clientWriteMasterSalt: keys.clientSalt, serverWriteMasterSalt: keys.serverSalt)))
            case .disconnect(let tunnel, let association):
                counters.disconnectsSent += 1
                _ = connections[tunnel]?.send(.endpointDisconnect(EndpointDisconnect(associationID: association)))
            }
        }
    }
}
