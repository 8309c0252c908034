// SPDX-License-Identifier: Apache-2.0
// Copyright 2026 the swift-perc authors

import Foundation
import NIOCore
import NIOHTTP1
import NIOPosix

/// The minimal conference service over HTTP/JSON through which a participant registers
/// before joining (RFC 8871 leaves this out of scope; the Key Distributor needs it to map a
/// DTLS association to a conference).
///
/// - `POST /conferences/{conference}/participants` with
///   `{"participant": "...", "fingerprint": "<sha-256 hex>", "tls_id": "<20..255 chars>"}`:
///   registers; answers 201 with `{"conference", "participant", "key_distributor_tls_id"}`.
/// - `DELETE /conferences/{conference}/participants/{fingerprint}`: unregisters (204).
/// - `GET /conferences/{conference}`: `{"conference", "registered": N}`.
/// - `GET /health`: `{"status": "ok"}`.
///
/// Errors answer 400/404/405/413 with `{"error": "..."}`. Bodies are limited to 16 KiB.
public final class ConferenceService: Sendable {
    public let registry: ConferenceRegistry
    /// The Key Distributor's own `external_session_id`, which endpoints must see returned.
    public let keyDistributorTLSID: String

    public init(registry: ConferenceRegistry, keyDistributorTLSID: String) {
        self.registry = registry
        self.keyDistributorTLSID = keyDistributorTLSID
    }

    /// Binds `host:port` and serves until the channel closes.
    public func start(host: String, port: Int, group: EventLoopGroup) async throws -> Channel {
        try await ServerBootstrap(group: group)
            .serverChannelOption(ChannelOptions.socketOption(.so_reuseaddr), value: 1)
            .childChannelInitializer { channel in
                channel.pipeline.configureHTTPServerPipeline().flatMap {
                    channel.pipeline.addHandler(HTTPHandler(service: self))
                }
            }
            .bind(host: host, port: port).get()
    }

    /// A response: status and JSON body.
    public struct Response: Sendable, Equatable {
        public let status: HTTPResponseStatus
        public let json: [String: String]
    }

    /// Answers one request (also used directly by tests).
    public func respond(method: HTTPMethod, path: String, body: [UInt8]) -> Response {
        let parts = path.split(separator: "/").map(String.init)
        switch (method, parts.count) {
        case (.GET, 1) where parts[0] == "health":
            return Response(status: .ok, json: ["status": "ok"])
        case (.POST, 3) where parts[0] == "conferences" && parts[2] == "participants":
            return register(conference: parts[1], body: body)
        case (.DELETE, 4) where parts[0] == "conferences" && parts[2] == "participants":
            registry.unregister(fingerprint: parts[3])
            return Response(status: .noContent, json: [:])
        case (.GET, 2) where parts[0] == "conferences":
            return Response(status: .ok, json: ["conference": parts[1],
                                                "registered": String(registry.registrations(conference: parts[1]).count)])
        case (_, 1...4) where parts.first == "conferences" || parts.first == "health":
            return Response(status: .methodNotAllowed, json: ["error": "method not allowed"])
        default:
            return Response(status: .notFound, json: ["error": "not found"])
        }
    }

    private func register(conference: String, body: [UInt8]) -> Response {
        guard let object = try? JSONSerialization.jsonObject(with: Data(body)) as? [String: Any],
              let fingerprint = object["fingerprint"] as? String, let tlsID = object["tls_id"] as? String
        else {
            return Response(status: .badRequest, json: ["error": "expected JSON with fingerprint and tls_id"])
        }
        let participant = object["participant"] as? String ?? String(fingerprint.prefix(8))
        let registration = Registration(conference: conference.removingPercentEncoding ?? conference,
                                        participant: participant, fingerprint: fingerprint, tlsID: tlsID)
        do {
            try registry.register(registration)
        } catch {
            return Response(status: .badRequest, json: ["error": String(describing: error)])
        }
        return Response(status: .created, json: ["conference": registration.conference, "participant": participant,
                                                 "key_distributor_tls_id": keyDistributorTLSID])
    }
}

/// One HTTP/1.1 connection: collects a request, answers it through the service.
private final class HTTPHandler: ChannelInboundHandler, @unchecked Sendable {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundOut = HTTPServerResponsePart

    private let service: ConferenceService
    private var head: HTTPRequestHead?
    private var body: [UInt8] = []
    private var tooLarge = false
    static let maximumBody = 16 * 1024

    init(service: ConferenceService) { self.service = service }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let head):
            self.head = head
            body = []
            tooLarge = false
        case .body(var buffer):
            if body.count + buffer.readableBytes > Self.maximumBody {
                tooLarge = true
            } else if let bytes = buffer.readBytes(length: buffer.readableBytes) {
                body += bytes
            }
        case .end:
            guard let head else { return }
            let response = tooLarge
                ? ConferenceService.Response(status: .payloadTooLarge, json: ["error": "body over 16 KiB"])
                : service.respond(method: head.method, path: head.uri.split(separator: "?").first.map(String.init) ?? "/",
                                  body: body)
            write(response, keepAlive: head.isKeepAlive, context: context)
            self.head = nil
        }
    }

    private func write(_ response: ConferenceService.Response, keepAlive: Bool, context: ChannelHandlerContext) {
        let data = response.json.isEmpty ? Data() : (try? JSONSerialization.data(withJSONObject: response.json,
                                                                                   options: [.sortedKeys])) ?? Data()
        var headers = HTTPHeaders([("content-type", "application/json"), ("content-length", String(data.count))])
        if !keepAlive { headers.add(name: "connection", value: "close") }
        context.write(wrapOutboundOut(.head(HTTPResponseHead(version: .http1_1, status: response.status, headers: headers))),
                      promise: nil)
        var buffer = context.channel.allocator.buffer(capacity: data.count)
        buffer.writeBytes(data)
        context.write(wrapOutboundOut(.body(.byteBuffer(buffer))), promise: nil)
        let done = context.writeAndFlush(wrapOutboundOut(.end(nil)))
        if !keepAlive { done.whenComplete { _ in context.close(promise: nil) } }
    }
}
