// SPDX-License-Identifier: Apache-2.0
// Copyright 2026 the swift-perc authors

import CNetShim
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// One non-connected UDP socket on the media port. With `reusePort` several sockets bind
/// the same address (SO_REUSEPORT) and the kernel spreads endpoints over them by 4-tuple
/// hash, so every datagram of one endpoint reaches the same socket (and worker).
final class UDPSocket: @unchecked Sendable {
    let fd: Int32
    let localAddress: EndpointAddress

    init(address: EndpointAddress, reusePort: Bool, receiveTimeoutMilliseconds: Int) throws(MediaDistributorError) {
        let family = address.isIPv6 ? AF_INET6 : AF_INET
        #if canImport(Glibc)
        let fd = socket(family, Int32(SOCK_DGRAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        #else
        let fd = socket(family, SOCK_DGRAM, 0)
        #endif
        guard fd >= 0 else { throw .socket(call: "socket", errno: errno) }
        do throws(MediaDistributorError) {
            if reusePort, CNetShim_setReusePort(fd) != 0 { throw .socket(call: "setsockopt(SO_REUSEPORT)", errno: errno) }
            var size: Int32 = 4 << 20
            _ = setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &size, socklen_t(MemoryLayout<Int32>.size))
            _ = setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &size, socklen_t(MemoryLayout<Int32>.size))
            if CNetShim_setReceiveTimeout(fd, Int32(receiveTimeoutMilliseconds)) != 0 {
                throw .socket(call: "setsockopt(SO_RCVTIMEO)", errno: errno)
            }
            var storage = sockaddr_storage()
            let length = address.write(to: &storage)
            let bound = withUnsafePointer(to: &storage) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) }
            }
            guard bound == 0 else { throw .socket(call: "bind \(address)", errno: errno) }
            var actual = sockaddr_storage()
            var actualLength = socklen_t(MemoryLayout<sockaddr_storage>.size)
            let named = withUnsafeMutablePointer(to: &actual) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &actualLength) }
            }
            guard named == 0, let local = EndpointAddress(&actual) else {
                throw .socket(call: "getsockname", errno: errno)
            }
            self.fd = fd
            localAddress = local
        } catch {
            Glibc.close(fd)
            throw error
        }
    }

    /// Whether the kernel takes UDP generic segmentation offload (UDP_SEGMENT) on this socket.
    var segmentationAvailable: Bool { CNetShim_udpSegmentationAvailable(fd) == 1 }

    /// Sends one datagram; false when the kernel refused it (the datagram is dropped).
    @discardableResult
    func send(_ bytes: UnsafeRawBufferPointer, to address: EndpointAddress) -> Bool {
        var storage = sockaddr_storage()
        let length = address.write(to: &storage)
        let sent = withUnsafePointer(to: &storage) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { sendto(fd, bytes.baseAddress, bytes.count, 0, $0, length) }
        }
        return sent == bytes.count
    }

    func close() { _ = Glibc.close(fd) }
}
