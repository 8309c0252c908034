// SPDX-License-Identifier: Apache-2.0
// Copyright 2026 the swift-perc authors

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// An endpoint's transport address (IPv4 or IPv6 and UDP port): with the distributor's own
/// fixed address, the endpoint's 5-tuple. A value that hashes without allocating, so it can
/// key per-packet lookups.
public struct EndpointAddress: Hashable, Sendable, CustomStringConvertible {
    /// Whether the address is IPv6 (else IPv4).
    public let isIPv6: Bool
    /// The UDP port.
    public let port: UInt16
    /// Address bytes 0..<8 (IPv6) or 0 (IPv4), big-endian.
    let high: UInt64
    /// Address bytes 8..<16 (IPv6) or the 4 IPv4 bytes, big-endian.
    let low: UInt64

    /// Reads a `sockaddr_in`/`sockaddr_in6`; nil for any other family.
    public init?(_ storage: UnsafeRawPointer) {
        switch Int32(storage.load(fromByteOffset: 0, as: sockaddr.self).sa_family) {
        case AF_INET:
            let v4 = storage.load(as: sockaddr_in.self)
            isIPv6 = false
            port = UInt16(bigEndian: v4.sin_port)
            high = 0
            low = UInt64(UInt32(bigEndian: v4.sin_addr.s_addr))
        case AF_INET6:
            let v6 = storage.load(as: sockaddr_in6.self)
            isIPv6 = true
            port = UInt16(bigEndian: v6.sin6_port)
            var bytes = v6.sin6_addr
            (high, low) = withUnsafeBytes(of: &bytes) { raw in
                var h: UInt64 = 0, l: UInt64 = 0
                for i in 0..<8 { h = h << 8 | UInt64(raw[i]) }
                for i in 8..<16 { l = l << 8 | UInt64(raw[i]) }
                return (h, l)
            }
        default:
            return nil
        }
    }

    /// An address from its parts (`bytes` is 4 or 16 bytes, network order).
    init?(port: UInt16, bytes: some Collection<UInt8>) {
        guard bytes.count == 4 || bytes.count == 16 else { return nil }
        isIPv6 = bytes.count == 16
        self.port = port
        var high: UInt64 = 0, low: UInt64 = 0
        for (i, byte) in bytes.enumerated() {
            if isIPv6 && i < 8 { high = high << 8 | UInt64(byte) } else { low = low << 8 | UInt64(byte) }
        }
        self.high = high
        self.low = low
    }

    /// Parses a numeric host (`"127.0.0.1"`, `"::1"`) and a port; nil when not numeric.
    public init?(host: String, port: Int) {
        guard (0...65535).contains(port) else { return nil }
        var storage = sockaddr_storage()
        let parsed = withUnsafeMutableBytes(of: &storage) { raw -> Bool in
            var v4 = in_addr(), v6 = in6_addr()
            if inet_pton(AF_INET, host, &v4) == 1 {
                var address = sockaddr_in()
                address.sin_family = sa_family_t(AF_INET)
                address.sin_port = UInt16(port).bigEndian
                address.sin_addr = v4
                raw.storeBytes(of: address, as: sockaddr_in.self)
                return true
            }
            if inet_pton(AF_INET6, host, &v6) == 1 {
                var address = sockaddr_in6()
                address.sin6_family = sa_family_t(AF_INET6)
                address.sin6_port = UInt16(port).bigEndian
                address.sin6_addr = v6
                raw.storeBytes(of: address, as: sockaddr_in6.self)
                return true
            }
            return false
        }
        guard parsed else { return nil }
        self.init(&storage)
    }

    /// Byte `i` of the address (0..<4 for IPv4, 0..<16 for IPv6), network order.
    @inline(__always)
    func addressByte(_ i: Int) -> UInt8 {
        if !isIPv6 { return UInt8(truncatingIfNeeded: low >> (24 - 8 * i)) }
        return UInt8(truncatingIfNeeded: i < 8 ? high >> (56 - 8 * i) : low >> (56 - 8 * (i - 8)))
    }

    /// Writes the socket address into `storage`; returns its length.
    @discardableResult
    func write(to storage: UnsafeMutablePointer<sockaddr_storage>) -> socklen_t {
        storage.initialize(to: sockaddr_storage())
        let raw = UnsafeMutableRawPointer(storage)
        if isIPv6 {
            var address = sockaddr_in6()
            address.sin6_family = sa_family_t(AF_INET6)
            address.sin6_port = port.bigEndian
            withUnsafeMutableBytes(of: &address.sin6_addr) { bytes in
                for i in 0..<16 { bytes[i] = addressByte(i) }
            }
            raw.storeBytes(of: address, as: sockaddr_in6.self)
            return socklen_t(MemoryLayout<sockaddr_in6>.size)
        }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = port.bigEndian
        address.sin_addr.s_addr = UInt32(truncatingIfNeeded: low).bigEndian
        raw.storeBytes(of: address, as: sockaddr_in.self)
        return socklen_t(MemoryLayout<sockaddr_in>.size)
    }

    /// Calls `body` with the address as a `sockaddr` and its length (for `sendto`, `bind`).
    /// Do not let the pointer escape.
    public func withSocketAddress<R>(_ body: (UnsafePointer<sockaddr>, socklen_t) throws -> R) rethrows -> R {
        var storage = sockaddr_storage()
        let length = write(to: &storage)
        return try withUnsafePointer(to: &storage) {
            try $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { try body($0, length) }
        }
    }

    /// `1.2.3.4:5000` or `[::1]:5000`.
    public var description: String {
        if !isIPv6 { return (0..<4).map { String(addressByte($0)) }.joined(separator: ".") + ":\(port)" }
        var storage = sockaddr_storage()
        write(to: &storage)
        var text = [CChar](repeating: 0, count: Int(INET6_ADDRSTRLEN))
        let ok = withUnsafePointer(to: &storage) { pointer in
            pointer.withMemoryRebound(to: sockaddr_in6.self, capacity: 1) { v6 in
                var bytes = v6.pointee.sin6_addr
                return inet_ntop(AF_INET6, &bytes, &text, socklen_t(text.count)) != nil
            }
        }
        let name = text.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }
        return "[\(ok ? String(decoding: name, as: UTF8.self) : "?")]:\(port)"
    }
}
