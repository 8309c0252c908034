// SPDX-License-Identifier: Apache-2.0
// Copyright 2026 the swift-perc authors

/// A `HOST:PORT` pair as written on a command line: `127.0.0.1:5004`, `[::1]:5004`,
/// `localhost:5004`, or with a scheme (`http://127.0.0.1:8080`), which is dropped.
public struct HostPort: Sendable, Equatable, CustomStringConvertible {
    /// The host, without brackets (`::1`, `127.0.0.1`, a name).
    public let host: String
    /// The port.
    public let port: UInt16

    /// A pair from its parts.
    public init(host: String, port: UInt16) {
        self.host = host
        self.port = port
    }

    /// Parses `HOST:PORT`, `[IPv6]:PORT`, optionally after `scheme://` and before a `/path`.
    /// Nil when there is no port or it is not 1...65535.
    public init?(_ text: String) {
        var rest = Substring(text)
        if let scheme = rest.range(of: "://") { rest = rest[scheme.upperBound...] }
        if let slash = rest.firstIndex(of: "/") { rest = rest[..<slash] }
        let host: Substring, portText: Substring
        if rest.hasPrefix("[") {
            guard let close = rest.firstIndex(of: "]"), rest[rest.index(after: close)...].hasPrefix(":") else { return nil }
            host = rest[rest.index(after: rest.startIndex)..<close]
            portText = rest[rest.index(close, offsetBy: 2)...]
        } else {
            guard let colon = rest.lastIndex(of: ":"), !rest[..<colon].contains(":") else { return nil }
            host = rest[..<colon]
            portText = rest[rest.index(after: colon)...]
        }
        guard !host.isEmpty, let port = UInt16(portText), port > 0 else { return nil }
        self.init(host: String(host), port: port)
    }

    /// `host:port`, with brackets around an IPv6 host.
    public var description: String { host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)" }
}
