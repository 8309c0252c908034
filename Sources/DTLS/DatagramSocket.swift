// SPDX-License-Identifier: Apache-2.0
// Copyright 2026 the swift-perc authors

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A blocking UDP socket with receive timeouts: the simplest carrier for a `DTLSConnection`
/// (tools and tests; the state machine itself does no I/O).
public final class DatagramSocket {
    private let descriptor: Int32

    private init(descriptor: Int32) { self.descriptor = descriptor }

    deinit { _ = Glibc.close(descriptor) }

    private static func failure(_ call: String) -> DTLSError {
        DTLSError.socket("\(call): \(String(cString: strerror(errno)))")
    }

    /// Resolves a numeric or named host (IPv6 literals without brackets) and port.
    private static func resolve(host: String, port: UInt16, passive: Bool) throws -> (family: Int32, address: [UInt8]) {
        var hints = addrinfo()
        hints.ai_socktype = Int32(SOCK_DGRAM.rawValue)
        hints.ai_flags = passive ? AI_PASSIVE : 0
        var result: UnsafeMutablePointer<addrinfo>?
        let status = getaddrinfo(host, String(port), &hints, &result)
        guard status == 0, let info = result else {
            throw DTLSError.socket("cannot resolve '\(host)': \(String(cString: gai_strerror(status)))")
        }
        defer { freeaddrinfo(result) }
        let bytes = UnsafeRawBufferPointer(start: info.pointee.ai_addr, count: Int(info.pointee.ai_addrlen))
        return (info.pointee.ai_family, Array(bytes))
    }

    private static func open(family: Int32) throws -> Int32 {
        let descriptor = socket(family, Int32(SOCK_DGRAM.rawValue), 0)
        guard descriptor >= 0 else { throw failure("socket") }
        return descriptor
    }

    /// A socket bound to `host:port` (port 0: any free port), for a server.
    /// - Throws: `DTLSError.socket` when the host does not resolve or the bind fails.
    public static func bound(host: String, port: UInt16) throws -> DatagramSocket {
        let (family, address) = try resolve(host: host, port: port, passive: true)
        let socket = DatagramSocket(descriptor: try open(family: family))
        var one: Int32 = 1
        _ = setsockopt(socket.descriptor, SOL_SOCKET, SO_REUSEADDR, &one, socklen_t(MemoryLayout<Int32>.size))
        let status = address.withUnsafeBytes { raw in
            bind(socket.descriptor, raw.baseAddress!.assumingMemoryBound(to: sockaddr.self), socklen_t(address.count))
        }
        guard status == 0 else { throw failure("bind \(host):\(port)") }
        return socket
    }

    /// A socket connected to `host:port`, for a client.
    /// - Throws: `DTLSError.socket` when the host does not resolve or connect fails.
    public static func connected(host: String, port: UInt16) throws -> DatagramSocket {
        let (family, address) = try resolve(host: host, port: port, passive: false)
        let socket = DatagramSocket(descriptor: try open(family: family))
        try socket.connect(address)
        return socket
    }

    private func connect(_ address: [UInt8]) throws {
        let status = address.withUnsafeBytes { raw in
            Glibc.connect(descriptor, raw.baseAddress!.assumingMemoryBound(to: sockaddr.self), socklen_t(address.count))
        }
        guard status == 0 else { throw Self.failure("connect") }
    }

    /// The local port (after bind or connect).
    public var localPort: UInt16 {
        var storage = sockaddr_storage()
        var length = socklen_t(MemoryLayout<sockaddr_storage>.size)
        let status = withUnsafeMutablePointer(to: &storage) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(descriptor, $0, &length) }
        }
        guard status == 0 else { return 0 }
        return withUnsafeBytes(of: storage) { raw in
            // sin_port and sin6_port sit at the same offset, in network order.
            UInt16(raw[2]) << 8 | UInt16(raw[3])
        }
    }

    /// Sends one datagram on a connected socket. A pending "connection refused" (the peer
    /// was not listening yet) is not an error: the datagram counts as lost, and
    /// retransmission covers it.
    /// - Throws: `DTLSError.socket` when send fails otherwise.
    public func send(_ datagram: [UInt8]) throws {
        for _ in 0..<2 {
            let sent = datagram.withUnsafeBytes { Glibc.send(descriptor, $0.baseAddress, $0.count, 0) }
            if sent == datagram.count { return }
            guard sent < 0, errno == ECONNREFUSED || errno == EINTR else { throw Self.failure("send") }
        }
    }

    /// Waits up to `timeout` for a datagram. On an unconnected socket the socket is connected
    /// to the first sender, so later datagrams come only from that peer.
    /// - Returns: the datagram, or nil when the timeout passed.
    /// - Throws: `DTLSError.socket` when poll or receive fails.
    public func receive(timeout: Duration) throws -> [UInt8]? {
        var descriptorSet = pollfd(fd: descriptor, events: Int16(POLLIN), revents: 0)
        let milliseconds = max(0, Int32(clamping: timeout.components.seconds * 1000 + timeout.components.attoseconds / 1_000_000_000_000_000))
        let ready = poll(&descriptorSet, 1, milliseconds)
        if ready < 0 {
            if errno == EINTR { return nil }
            throw Self.failure("poll")
        }
        guard ready > 0 else { return nil }
        var buffer = [UInt8](repeating: 0, count: 65536)
        var storage = sockaddr_storage()
        var length = socklen_t(MemoryLayout<sockaddr_storage>.size)
        let count = buffer.withUnsafeMutableBytes { raw in
            withUnsafeMutablePointer(to: &storage) { pointer in
                pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                    recvfrom(descriptor, raw.baseAddress, raw.count, 0, $0, &length)
                }
            }
        }
        if count < 0 {
            // A refused earlier send (ICMP port unreachable) shows up here; not fatal.
            if errno == ECONNREFUSED || errno == EINTR { return nil }
            throw Self.failure("recvfrom")
        }
        if !isConnected {
            let address = withUnsafeBytes(of: storage) { Array($0.prefix(Int(length))) }
            try connect(address)
            isConnected = true
        }
        return Array(buffer.prefix(count))
    }

    private lazy var isConnected: Bool = {
        var storage = sockaddr_storage()
        var length = socklen_t(MemoryLayout<sockaddr_storage>.size)
        return withUnsafeMutablePointer(to: &storage) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { getpeername(descriptor, $0, &length) == 0 }
        }
    }()
}
