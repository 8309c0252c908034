// SPDX-License-Identifier: Apache-2.0
// Copyright 2026 the swift-perc authors

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A socket address from `getaddrinfo`: IPv4 or IPv6, numeric or by name.
struct ResolvedAddress {
    let family: Int32
    let bytes: [UInt8]

    /// Resolves `host` (IPv6 literals without brackets) and `port` for `socketType`
    /// (`SOCK_DGRAM` or `SOCK_STREAM`); the first answer wins.
    init(host: String, port: UInt16, socketType: Int32) throws(EndpointError) {
        var hints = addrinfo()
        hints.ai_socktype = socketType
        var result: UnsafeMutablePointer<addrinfo>?
        let status = getaddrinfo(host, String(port), &hints, &result)
        guard status == 0, let info = result else {
            throw .invalidAddress("\(host): \(String(cString: gai_strerror(status)))")
        }
        defer { freeaddrinfo(result) }
        family = info.pointee.ai_family
        bytes = Array(UnsafeRawBufferPointer(start: info.pointee.ai_addr, count: Int(info.pointee.ai_addrlen)))
    }

    /// Opens a socket of this family and connects it here.
    func connectedSocket(type: Int32) throws(EndpointError) -> Int32 {
        let descriptor = socket(family, type, 0)
        guard descriptor >= 0 else { throw .socket("socket: \(String(cString: strerror(errno)))") }
        let status = bytes.withUnsafeBytes { raw in
            connect(descriptor, raw.baseAddress!.assumingMemoryBound(to: sockaddr.self), socklen_t(raw.count))
        }
        guard status == 0 else {
            let text = String(cString: strerror(errno))
            close(descriptor)
            throw .socket("connect: \(text)")
        }
        return descriptor
    }
}
