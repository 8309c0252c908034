// SPDX-License-Identifier: Apache-2.0
// Copyright 2026 the swift-perc authors

import NIOCore
import NIOPosix
import NIOSSL
import Synchronization

/// The Media Distributor's end of the RFC 9185 tunnel: a TLS 1.3 client with its own
/// certificate that connects to the KD, sends SupportedProfiles first on every (re)connect,
/// and reconnects with exponential backoff whenever the connection fails or closes.
///
/// After an UnsupportedVersion the client remembers the KD's highest version and uses it on
/// the next connection (RFC 9185 5). While disconnected, ``send(_:)`` drops messages and
/// returns false; the MD keeps forwarding media with the hop keys it has.
///
/// ```swift
/// let client = TunnelClient(configuration: .init(host: "127.0.0.1", port: 4443, credentials: md,
///                                                protectionProfiles: [0x0009, 0x000A])) { event in ... }
/// client.start()
/// client.send(.tunneledDtls(.init(associationID: id, dtlsMessage: datagram)))
/// ```
public final class TunnelClient: Sendable {
    /// What the client reports, in order, on its event loop. Handlers must not block.
    public enum Event: Sendable {
        /// TLS is up and SupportedProfiles was sent.
        case connected
        /// A message from the KD.
        case message(TunnelMessage)
        /// The connection (or an attempt) ended; a reconnect is scheduled unless stopped.
        case disconnected((any Error)?)
    }

    /// Where to connect and with what identity.
    public struct Configuration: Sendable {
        /// The KD's host: an IPv4 or IPv6 literal (`"::1"`) or a name.
        public var host: String
        /// The KD's tunnel port.
        public var port: Int
        /// The MD's certificate and key, and the CA the KD's certificate must chain to.
        public var credentials: TunnelCredentials
        /// The profiles sent in SupportedProfiles (fixed for the client's lifetime).
        public var protectionProfiles: [UInt16]
        /// The protocol version to offer first (RFC 9185 defines 0).
        public var version: UInt8
        /// Name checked against the KD's certificate; nil: `host` when it is a name, and the
        /// connected IP address (against the certificate's IP SANs) when it is a literal.
        public var serverHostname: String?
        /// Delay before the first reconnect; doubled per failure up to ``maximumBackoff``.
        public var initialBackoff: TimeAmount
        /// Longest delay between attempts.
        public var maximumBackoff: TimeAmount
        /// TCP connect timeout.
        public var connectTimeout: TimeAmount

        /// A configuration; see the properties for each value.
        public init(host: String, port: Int, credentials: TunnelCredentials, protectionProfiles: [UInt16],
                    version: UInt8 = 0, serverHostname: String? = nil, initialBackoff: TimeAmount = .milliseconds(100),
                    maximumBackoff: TimeAmount = .seconds(5), connectTimeout: TimeAmount = .seconds(5)) {
            self.host = host
            self.port = port
            self.credentials = credentials
            self.protectionProfiles = protectionProfiles
            self.version = version
            self.serverHostname = serverHostname
            self.initialBackoff = initialBackoff
            self.maximumBackoff = maximumBackoff
            self.connectTimeout = connectTimeout
        }
    }

    private struct State {
        var running = false
        var channel: (any Channel)?
        var connected = false
        var version: UInt8
        var failures = 0
        var connections = 0
        var reconnect: Scheduled<Void>?
    }

    /// The configuration.
    public let configuration: Configuration
    private let eventLoop: any EventLoop
    private let sslContext: NIOSSLContext
    private let onEvent: @Sendable (Event) -> Void
    private let state: Mutex<State>

    /// - Throws: a TLS configuration error (for example a key that does not match).
    public init(configuration: Configuration, group: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton,
                onEvent: @escaping @Sendable (Event) -> Void) throws {
        self.configuration = configuration
        eventLoop = group.next()
        sslContext = try NIOSSLContext(configuration: configuration.credentials.configuration(server: false))
        self.onEvent = onEvent
        state = Mutex(State(version: configuration.version))
    }

    /// Whether a TLS connection is up (SupportedProfiles sent).
    public var isConnected: Bool { state.withLock { $0.connected } }

    /// The version offered on the next connection: the configured one, or the KD's highest
    /// after an UnsupportedVersion.
    public var protocolVersion: UInt8 { state.withLock { $0.version } }

    /// Handshakes completed so far (1 after the first connect, 2 after one reconnect, ...).
    public var connectionCount: Int { state.withLock { $0.connections } }

    /// Starts connecting (and reconnecting until ``stop()``).
    public func start() {
        let start = state.withLock { state -> Bool in
            defer { state.running = true }
            return !state.running
        }
        if start { eventLoop.execute { self.connect() } }
    }

    /// Sends `message` if connected.
    /// - Returns: false when there is no connection (the message is dropped).
    @discardableResult
    public func send(_ message: TunnelMessage) -> Bool {
        guard let channel = state.withLock({ $0.connected ? $0.channel : nil }) else { return false }
        channel.writeAndFlush(message, promise: nil)
        return true
    }

    /// Closes the connection and stops reconnecting.
    public func stop() async {
        let channel = state.withLock { state -> (any Channel)? in
            state.running = false
            state.reconnect?.cancel()
            state.reconnect = nil
            return state.channel
        }
        try? await channel?.close()
    }

    private func connect() {
        guard state.withLock({ $0.running }) else { return }
        let hostname = configuration.serverHostname ?? (isIPLiteral(configuration.host) ? nil : configuration.host)
        let context = sslContext
        let bootstrap = ClientBootstrap(group: eventLoop)
            .connectTimeout(configuration.connectTimeout)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(
                        try NIOSSLClientHandler(context: context, serverHostname: hostname))
                    try channel.pipeline.syncOperations.addHandler(TunnelMessageHandler(
                        onActive: { context in self.handshakeCompleted(context.channel) },
                        onMessage: { message, context in self.received(message, on: context.channel) },
                        onInactive: { error in self.closed(channel, error: error) }))
                }
            }
        bootstrap.connect(host: configuration.host, port: configuration.port).whenComplete { result in
            switch result {
            case .success(let channel):
                let keep = self.state.withLock { state -> Bool in
                    if state.running { state.channel = channel }
                    return state.running
                }
                if !keep { channel.close(promise: nil) }
            case .failure(let error):
                self.onEvent(.disconnected(error))
                self.scheduleReconnect()
            }
        }
    }

    private func handshakeCompleted(_ channel: any Channel) {
        let version = state.withLock { $0.version }
        let hello = TunnelMessage.supportedProfiles(
            SupportedProfiles(version: version, protectionProfiles: configuration.protectionProfiles))
        channel.writeAndFlush(hello, promise: nil)
        state.withLock { state in
            state.connected = true
            state.failures = 0
            state.connections += 1
        }
        onEvent(.connected)
    }

    private func received(_ message: TunnelMessage, on channel: any Channel) {
        if case .unsupportedVersion(let reply) = message {
            state.withLock { $0.version = reply.highestVersion }
            channel.close(promise: nil)   // the KD closes too; discard whatever follows
        }
        onEvent(.message(message))
    }

    private func closed(_ channel: any Channel, error: (any Error)?) {
        state.withLock { state in
            if state.channel === channel {
                state.channel = nil
                state.connected = false
            }
        }
        onEvent(.disconnected(error))
        scheduleReconnect()
    }

    private func scheduleReconnect() {
        state.withLock { state in
            guard state.running, state.reconnect == nil else { return }
            let shift = min(state.failures, 16)
            let delay = min(configuration.initialBackoff.nanoseconds << shift, configuration.maximumBackoff.nanoseconds)
            state.failures += 1
            state.reconnect?.cancel()
            state.reconnect = eventLoop.scheduleTask(in: .nanoseconds(delay)) {
                self.state.withLock { $0.reconnect = nil }
                self.connect()
            }
        }
    }
}

/// Whether `host` is an IPv4 or IPv6 address literal (no name lookup).
func isIPLiteral(_ host: String) -> Bool {
    (try? SocketAddress(ipAddress: host, port: 0)) != nil
}
