// SPDX-License-Identifier: Apache-2.0
// Copyright 2026 the swift-perc authors

import NIOCore
import NIOPosix
import NIOSSL
import Synchronization

/// The Key Distributor's end of the RFC 9185 tunnel: a TLS 1.3 server that accepts only
/// clients whose certificate chains to the configured CA, and hands each connection's
/// decoded messages to an event handler.
///
/// Per connection the first message must be SupportedProfiles: if its version is above
/// ``Configuration/highestVersion`` the server answers UnsupportedVersion and closes;
/// otherwise it reports ``Event/connected(_:_:)``. Any other first message, or bytes that do
/// not decode, close the connection.
///
/// ```swift
/// let server = try await TunnelServer.start(configuration: .init(host: "::1", port: 0, credentials: kd)) { event in
///     if case .message(let connection, .tunneledDtls(let dtls)) = event { ... connection.send(...) }
/// }
/// ```
public final class TunnelServer: Sendable {
    /// What the server reports, per connection in order, on that connection's event loop.
    /// Handlers must not block.
    public enum Event: Sendable {
        /// An authenticated MD sent an acceptable SupportedProfiles.
        case connected(TunnelConnection, SupportedProfiles)
        /// A message after SupportedProfiles.
        case message(TunnelConnection, TunnelMessage)
        /// A connection that had reported `connected` closed (`error` is why, when known).
        case disconnected(TunnelConnection, (any Error)?)
    }

    /// Where to listen and with what identity.
    public struct Configuration: Sendable {
        /// Address to bind: `"127.0.0.1"`, `"::1"`, `"::"`, a host name.
        public var host: String
        /// Port to bind; 0 picks a free one (see ``TunnelServer/port``).
        public var port: Int
        /// The KD's certificate and key, and the CA the MDs' certificates must chain to.
        public var credentials: TunnelCredentials
        /// The highest tunnel protocol version spoken (RFC 9185 defines 0).
        public var highestVersion: UInt8

        /// A configuration; see the properties for each value.
        public init(host: String, port: Int, credentials: TunnelCredentials, highestVersion: UInt8 = 0) {
            self.host = host
            self.port = port
            self.credentials = credentials
            self.highestVersion = highestVersion
        }
    }

    /// The bound address.
    public let localAddress: SocketAddress
    private let listener: any Channel
    private let registry: ConnectionRegistry

    /// The bound port.
    public var port: Int { localAddress.port ?? 0 }

    private init(listener: any Channel, registry: ConnectionRegistry) {
        self.listener = listener
        localAddress = listener.localAddress!
        self.registry = registry
    }

    /// Binds and starts accepting.
    /// - Parameters:
    ///   - group: the event loops to run on.
    ///   - onEvent: called for every ``Event``; see there.
    /// - Throws: a TLS configuration error or the bind error.
    public static func start(configuration: Configuration,
                             group: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton,
                             onEvent: @escaping @Sendable (Event) -> Void) async throws -> TunnelServer {
        let context = try NIOSSLContext(configuration: configuration.credentials.configuration(server: true))
        let highestVersion = configuration.highestVersion
        let registry = ConnectionRegistry()
        let listener = try await ServerBootstrap(group: group)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    let connection = registry.open(channel)
                    let key = ObjectIdentifier(channel)
                    var announced = false
                    let handler = TunnelMessageHandler(
                        onActive: { _ in },
                        onMessage: { message, context in
                            guard announced else {
                                guard case .supportedProfiles(let profiles) = message else {
                                    context.close(promise: nil)
                                    return
                                }
                                guard profiles.version <= highestVersion else {
                                    let reply = TunnelMessage.unsupportedVersion(.init(highestVersion: highestVersion))
                                    let channel = context.channel
                                    channel.writeAndFlush(reply).whenComplete { _ in channel.close(promise: nil) }
                                    return
                                }
                                announced = true
                                registry.announce(key)
                                onEvent(.connected(connection, profiles))
                                return
                            }
                            if case .supportedProfiles = message {   // only ever the first message
                                context.close(promise: nil)
                                return
                            }
                            onEvent(.message(connection, message))
                        },
                        onInactive: { error in
                            if registry.close(key) { onEvent(.disconnected(connection, error)) }
                        })
                    try channel.pipeline.syncOperations.addHandler(NIOSSLServerHandler(context: context))
                    try channel.pipeline.syncOperations.addHandler(handler)
                }
            }
            .bind(host: configuration.host, port: configuration.port)
            .get()
        return TunnelServer(listener: listener, registry: registry)
    }

    /// Stops accepting and closes every connection.
    public func close() async {
        try? await listener.close()
        for channel in registry.openChannels { try? await channel.close() }
    }
}

/// The server's open connections, and which of them reported `connected` (only those
/// report `disconnected`).
private final class ConnectionRegistry: Sendable {
    private struct State {
        var nextID = 0
        var channels: [ObjectIdentifier: any Channel] = [:]
        var announced: Set<ObjectIdentifier> = []
    }
    private let state = Mutex(State())

    func open(_ channel: any Channel) -> TunnelConnection {
        let id = state.withLock { state in
            state.nextID += 1
            state.channels[ObjectIdentifier(channel)] = channel
            return state.nextID
        }
        return TunnelConnection(id: id, channel: channel)
    }

    func announce(_ key: ObjectIdentifier) { state.withLock { _ = $0.announced.insert(key) } }

    /// Forgets the connection; true if it had been announced.
    func close(_ key: ObjectIdentifier) -> Bool {
        state.withLock { state in
            state.channels.removeValue(forKey: key)
            return state.announced.remove(key) != nil
        }
    }

    var openChannels: [any Channel] { state.withLock { Array($0.channels.values) } }
}
