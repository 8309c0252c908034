// SPDX-License-Identifier: Apache-2.0
// Copyright 2026 the swift-perc authors

import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// The endpoint's side of the conference service (`KeyDistributor.ConferenceService`): a
/// tiny blocking HTTP/1.1 client (one request per connection) that registers a participant
/// before it joins the media plane.
///
/// ```swift
/// let client = ConferenceServiceClient(address: HostPort("http://127.0.0.1:8080")!)
/// try client.register(conference: "standup", participant: "alice",
///                     fingerprint: identity.fingerprint.hex, tlsID: tlsID)
/// ```
public struct ConferenceServiceClient: Sendable {
    /// The service's address.
    public let address: HostPort
    /// Longest wait for connect, send and the whole answer.
    public let timeout: Duration

    /// A client for the service at `address`.
    public init(address: HostPort, timeout: Duration = .seconds(5)) {
        self.address = address
        self.timeout = timeout
    }

    /// `POST /conferences/{conference}/participants` with participant, fingerprint and tls_id.
    /// - Returns: the service's JSON answer (`conference`, `participant`, `key_distributor_tls_id`).
    /// - Throws: ``EndpointError/registration(_:)`` for any status but 201, with the service's
    ///   error text; ``EndpointError/socket(_:)`` when the service cannot be reached.
    @discardableResult
    public func register(conference: String, participant: String, fingerprint: String,
                         tlsID: String) throws(EndpointError) -> [String: String] {
        let body: [String: String] = ["participant": participant, "fingerprint": fingerprint, "tls_id": tlsID]
        let json: Data
        do { json = try JSONSerialization.data(withJSONObject: body, options: [.sortedKeys]) } catch {
            throw .registration("cannot encode the request")
        }
        let path = "/conferences/\(conference.addingPercentEncoding(withAllowedCharacters: .urlPathAllowed) ?? conference)/participants"
        let (status, answer) = try request(method: "POST", path: path, body: Array(json))
        let object = (try? JSONSerialization.jsonObject(with: Data(answer))) as? [String: Any] ?? [:]
        guard status == 201 else {
            throw .registration("HTTP \(status): \(object["error"] as? String ?? String(decoding: answer, as: UTF8.self))")
        }
        return object.compactMapValues { $0 as? String }
    }

    /// Sends one request with `Connection: close` and reads the whole answer.
    /// - Returns: the status code and the body.
    func request(method: String, path: String, body: [UInt8]) throws(EndpointError) -> (status: Int, body: [UInt8]) {
        let resolved = try ResolvedAddress(host: address.host, port: address.port, socketType: Int32(SOCK_STREAM.rawValue))
        let descriptor = try resolved.connectedSocket(type: Int32(SOCK_STREAM.rawValue))
        defer { close(descriptor) }
        let (seconds, attoseconds) = timeout.components
        var time = timeval(tv_sec: Int(seconds), tv_usec: Int(attoseconds / 1_000_000_000_000))
        _ = setsockopt(descriptor, SOL_SOCKET, SO_RCVTIMEO, &time, socklen_t(MemoryLayout<timeval>.size))
        _ = setsockopt(descriptor, SOL_SOCKET, SO_SNDTIMEO, &time, socklen_t(MemoryLayout<timeval>.size))
        let head = "\(method) \(path) HTTP/1.1\r\nHost: \(address)\r\nContent-Type: application/json\r\n"
            + "Content-Length: \(body.count)\r\nConnection: close\r\n\r\n"
        let message = Array(head.utf8) + body
        var offset = 0
        while offset < message.count {
            let sent = message[offset...].withUnsafeBytes { Glibc.send(descriptor, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            guard sent > 0 else { throw .socket("send to \(address): \(String(cString: strerror(errno)))") }
            offset += sent
        }
        var answer: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 4096)
        while answer.count < 1 << 20 {
            let count = chunk.withUnsafeMutableBytes { recv(descriptor, $0.baseAddress, $0.count, 0) }
            if count == 0 { break }
            guard count > 0 else { throw .socket("receive from \(address): \(String(cString: strerror(errno)))") }
            answer += chunk[0..<count]
        }
        return try Self.parse(answer)
    }

    /// Splits an HTTP/1.1 answer into status and body (Content-Length or read to close).
    static func parse(_ answer: [UInt8]) throws(EndpointError) -> (status: Int, body: [UInt8]) {
        let separator: [UInt8] = [13, 10, 13, 10]
        guard let end = (0..<max(answer.count - 3, 0)).first(where: { Array(answer[$0..<($0 + 4)]) == separator }) else {
            throw .registration("no HTTP answer")
        }
        let head = String(decoding: answer[..<end], as: UTF8.self)
        let statusLine = head.split(separator: "\r\n").first ?? ""
        let parts = statusLine.split(separator: " ")
        guard parts.count >= 2, parts[0].hasPrefix("HTTP/1."), let status = Int(parts[1]) else {
            throw .registration("bad status line '\(statusLine)'")
        }
        var body = Array(answer[(end + 4)...])
        for line in head.split(separator: "\r\n").dropFirst() {
            let field = line.split(separator: ":", maxSplits: 1)
            if field.count == 2, field[0].lowercased() == "content-length",
               let length = Int(field[1].trimmingCharacters(in: .whitespaces)), length <= body.count {
                body = Array(body[..<length])
            }
        }
        return (status, body)
    }
}
