// SPDX-License-Identifier: Apache-2.0
// Copyright 2026 the swift-perc authors

import NIOCore
import NIOTLS

/// The channel handler under both tunnel ends: decodes the TLS plaintext stream into
/// ``TunnelMessage``s (reassembled across reads) and passes each to `onMessage`; encodes
/// outbound messages. A decoding error closes the connection.
final class TunnelMessageHandler: ChannelDuplexHandler {
    typealias InboundIn = ByteBuffer
    typealias InboundOut = Never
    typealias OutboundIn = TunnelMessage
    typealias OutboundOut = ByteBuffer

    private var decoder = TunnelMessageDecoder()
    private let onMessage: (TunnelMessage, ChannelHandlerContext) -> Void
    private let onActive: (ChannelHandlerContext) -> Void
    private let onInactive: ((any Error)?) -> Void
    private var closeReason: (any Error)?

    init(onActive: @escaping (ChannelHandlerContext) -> Void,
         onMessage: @escaping (TunnelMessage, ChannelHandlerContext) -> Void,
         onInactive: @escaping ((any Error)?) -> Void) {
        self.onActive = onActive
        self.onMessage = onMessage
        self.onInactive = onInactive
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if let tls = event as? TLSUserEvent, case .handshakeCompleted = tls { onActive(context) }
        context.fireUserInboundEventTriggered(event)
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let buffer = unwrapInboundIn(data)
        do {
            try decoder.feed(buffer.readableBytesView) { message in onMessage(message, context) }
        } catch {
            closeReason = error
            context.close(promise: nil)
        }
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        let message = unwrapOutboundIn(data)
        do {
            let bytes = try message.encoded()
            context.write(wrapOutboundOut(context.channel.allocator.buffer(bytes: bytes)), promise: promise)
        } catch {
            promise?.fail(error)
        }
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        if closeReason == nil { closeReason = error }
        context.close(promise: nil)
    }

    func channelInactive(context: ChannelHandlerContext) {
        onInactive(closeReason)
        context.fireChannelInactive()
    }
}
