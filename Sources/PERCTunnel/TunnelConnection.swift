// SPDX-License-Identifier: Apache-2.0
// Copyright 2026 the swift-perc authors

import NIOCore

/// One authenticated tunnel connection as the ``TunnelServer`` (the KD) sees it: an MD.
/// Safe to use from any thread.
public final class TunnelConnection: Sendable, Hashable, CustomStringConvertible {
    /// A number unique within the server.
    public let id: Int
    /// The MD's address.
    public let remoteAddress: SocketAddress?
    private let channel: any Channel

    init(id: Int, channel: any Channel) {
        self.id = id
        self.channel = channel
        remoteAddress = channel.remoteAddress
    }

    /// Sends `message` to the MD. Messages go out in call order.
    /// - Returns: a future that completes when the message was written (fails if the
    ///   connection is closed or the message does not encode).
    @discardableResult
    public func send(_ message: TunnelMessage) -> EventLoopFuture<Void> {
        channel.writeAndFlush(message)
    }

    /// Closes the connection.
    public func close() { channel.close(promise: nil) }

    /// Identity: the same connection object.
    public static func == (lhs: TunnelConnection, rhs: TunnelConnection) -> Bool { lhs === rhs }
    public func hash(into hasher: inout Hasher) { hasher.combine(ObjectIdentifier(self)) }
    public var description: String { "TunnelConnection(\(id), \(remoteAddress.map { "\($0)" } ?? "?"))" }
}
