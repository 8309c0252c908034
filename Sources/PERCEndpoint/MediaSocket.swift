// SPDX-License-Identifier: Apache-2.0
// Copyright 2026 the swift-perc authors

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// An endpoint's media 5-tuple: a non-blocking UDP socket connected to the media
/// distributor (IPv4 or IPv6). STUN, DTLS and SRTP all use it (RFC 7983 multiplexing).
///
/// Many endpoints can share one thread: wait on ``descriptor`` with `poll`, then drain
/// with ``receive(into:)`` until it returns nil.
public final class MediaSocket {
    /// The file descriptor, for `poll`; -1 once closed.
    public private(set) var descriptor: Int32

    /// Opens a socket connected to `host:port`.
    /// - Throws: ``EndpointError`` when the host does not resolve or a socket call fails.
    public init(host: String, port: UInt16) throws(EndpointError) {
        let address = try ResolvedAddress(host: host, port: port, socketType: Int32(SOCK_DGRAM.rawValue))
        descriptor = try address.connectedSocket(type: Int32(SOCK_DGRAM.rawValue))
        let flags = fcntl(descriptor, F_GETFL, 0)
        _ = fcntl(descriptor, F_SETFL, flags | O_NONBLOCK)
        var size: Int32 = 1 << 20
        _ = setsockopt(descriptor, SOL_SOCKET, SO_RCVBUF, &size, socklen_t(MemoryLayout<Int32>.size))
    }

    deinit { close() }

    /// Sends one datagram; false when it was not sent (socket closed, buffer full, error).
    @discardableResult
    public func send(_ datagram: [UInt8]) -> Bool {
        guard descriptor >= 0 else { return false }
        let sent = datagram.withUnsafeBytes { Glibc.send(descriptor, $0.baseAddress, $0.count, 0) }
        return sent == datagram.count
    }

    /// Receives one datagram into `buffer`; its length, or nil when none is waiting (or the
    /// socket is closed). ICMP errors (peer port not open yet) read as nothing.
    public func receive(into buffer: UnsafeMutableRawBufferPointer) -> Int? {
        guard descriptor >= 0 else { return nil }
        while true {
            let count = recv(descriptor, buffer.baseAddress, buffer.count, 0)
            if count >= 0 { return count }
            if errno == EINTR { continue }
            if errno == ECONNREFUSED { continue }   // a queued ICMP error; try the next datagram
            return nil
        }
    }

    /// Closes the socket (the endpoint has left); later sends and receives do nothing.
    public func close() {
        guard descriptor >= 0 else { return }
        _ = Glibc.close(descriptor)
        descriptor = -1
    }
}
