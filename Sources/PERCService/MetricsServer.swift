// SPDX-License-Identifier: Apache-2.0
// Copyright 2026 the swift-perc authors

import ArgumentParser
import Metrics
import NIOCore
import NIOHTTP1
import NIOPosix
import Prometheus

/// Prometheus text exposition of the process's swift-metrics on `GET /metrics`.
public enum MetricsServer {
    /// Bootstraps swift-metrics with a Prometheus registry (once per process) and returns it.
    public static func bootstrap() -> PrometheusCollectorRegistry {
        let registry = PrometheusCollectorRegistry()
        MetricsSystem.bootstrap(PrometheusMetricsFactory(registry: registry))
        return registry
    }

    /// What a binary's `--metrics HOST:PORT` option asks for: bootstraps the registry and
    /// serves it there until the returned channel closes; nil (and nothing bootstrapped)
    /// without the option.
    /// - Throws: `ValidationError` for a malformed address; the bind's error.
    public static func serve(option text: String?) async throws -> (any Channel)? {
        guard let text else { return nil }
        guard let address = HostPort(text) else { throw ValidationError("--metrics must be HOST:PORT") }
        return try await start(bootstrap(), on: address)
    }

    /// Serves `registry` on `address` until the returned channel closes.
    public static func start(_ registry: PrometheusCollectorRegistry, on address: HostPort,
                             group: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton) async throws -> any Channel {
        try await ServerBootstrap(group: group)
            .serverChannelOption(ChannelOptions.socketOption(.so_reuseaddr), value: 1)
            .childChannelInitializer { channel in
                channel.pipeline.configureHTTPServerPipeline().flatMap {
                    channel.pipeline.addHandler(MetricsHandler(registry: registry))
                }
            }
            .bind(host: address.host, port: address.port).get()
    }
}

private final class MetricsHandler: ChannelInboundHandler, @unchecked Sendable {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundOut = HTTPServerResponsePart
    private let registry: PrometheusCollectorRegistry
    private var uri = ""

    init(registry: PrometheusCollectorRegistry) { self.registry = registry }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let head): uri = head.uri
        case .body: break
        case .end:
            let found = uri == "/metrics" || uri.hasPrefix("/metrics?")
            let body = found ? registry.emitToBuffer() : Array("not found\n".utf8)
            let headers = HTTPHeaders([("content-type", found ? "text/plain; version=0.0.4" : "text/plain"),
                                       ("content-length", String(body.count)), ("connection", "close")])
            context.write(wrapOutboundOut(.head(HTTPResponseHead(version: .http1_1, status: found ? .ok : .notFound,
                                                                 headers: headers))), promise: nil)
            var buffer = context.channel.allocator.buffer(capacity: body.count)
            buffer.writeBytes(body)
            context.write(wrapOutboundOut(.body(.byteBuffer(buffer))), promise: nil)
            context.writeAndFlush(wrapOutboundOut(.end(nil))).whenComplete { _ in context.close(promise: nil) }
        }
    }
}
