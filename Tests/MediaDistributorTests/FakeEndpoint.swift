// SPDX-License-Identifier: Apache-2.0
// Copyright 2026 the swift-perc authors

import MediaDistributor
import PERC
import SRTP
#if canImport(Glibc)
import Glibc
#endif

/// A test endpoint on loopback UDP: it joins with a STUN Binding, double-protects its RTP
/// with its own inner key (announced by EKT) and the outer half it shares with the
/// distributor, and opens what it receives with its inbound outer half and the other
/// endpoints' inner keys learnt from their EKT fields.
final class FakeEndpoint {
    let name: String
    let ssrc: UInt32
    let fd: Int32
    let address: EndpointAddress
    /// The outer halves the KD would give the distributor for this endpoint.
    private(set) var toDistributor: SRTPMasterKey
    let fromDistributor: SRTPMasterKey
    /// The endpoint's own end-to-end master key (the distributor never sees it).
    let innerKey: [UInt8]
    private(set) var sender: DoubleSender
    private let ekt: EKTParameterSet
    private let profile: DoubleProfile
    let receiver: DoubleReceiver
    private var sequence: UInt16 = 1000

    init(name: String, host: String, ssrc: UInt32, ekt: EKTParameterSet, profile: DoubleProfile = .aes128Gcm) throws {
        self.name = name
        self.ssrc = ssrc
        self.ekt = ekt
        self.profile = profile
        let isIPv6 = host.contains(":")
        let fd = socket(isIPv6 ? AF_INET6 : AF_INET, Int32(SOCK_DGRAM.rawValue), 0)
        self.fd = fd
        precondition(fd >= 0)
        var timeout = timeval(tv_sec: 0, tv_usec: 100_000)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        let bound = EndpointAddress(host: host, port: 0)!.withSocketAddress { bind(fd, $0, $1) }
        precondition(bound == 0)
        var actual = sockaddr_storage()
        var actualLength = socklen_t(MemoryLayout<sockaddr_storage>.size)
        _ = withUnsafeMutablePointer(to: &actual) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &actualLength) }
        }
        address = EndpointAddress(&actual)!

        func random(_ count: Int) -> [UInt8] { (0..<count).map { _ in UInt8.random(in: 0...255) } }
        toDistributor = SRTPMasterKey(key: random(profile.halfKeyLength), salt: random(12))
        fromDistributor = SRTPMasterKey(key: random(profile.halfKeyLength), salt: random(12))
        innerKey = random(profile.halfKeyLength)
        let innerSalt = ekt.salt(length: profile.halfSaltLength)!
        sender = try DoubleSender(profile: profile, inner: SRTPMasterKey(key: innerKey, salt: innerSalt), outer: toDistributor,
                                  ekt: EKTSender(parameters: ekt, masterKey: innerKey))
        let ektReceiver = EKTReceiver(keyLength: profile.halfKeyLength, saltLength: profile.halfSaltLength)
        ektReceiver.install(ekt)
        receiver = try DoubleReceiver(profile: profile, inner: nil, outer: fromDistributor, ekt: ektReceiver)
    }

    deinit { close(fd) }

    /// A DTLS rekey as the endpoint sees it: a new endpoint-to-distributor outer half (the
    /// end-to-end key stays). Returns the sender that used the old half.
    @discardableResult
    func replaceOuterKey() throws -> DoubleSender {
        let old = sender
        toDistributor = SRTPMasterKey(key: (0..<profile.halfKeyLength).map { _ in UInt8.random(in: 0...255) },
                                      salt: (0..<12).map { _ in UInt8.random(in: 0...255) })
        sender = try DoubleSender(profile: profile,
                                  inner: SRTPMasterKey(key: innerKey, salt: ekt.salt(length: profile.halfSaltLength)!),
                                  outer: toDistributor, ekt: EKTSender(parameters: ekt, masterKey: innerKey))
        return old
    }

    func send(_ bytes: [UInt8], to destination: EndpointAddress) {
        let sent = bytes.withUnsafeBytes { raw in
            destination.withSocketAddress { sendto(fd, raw.baseAddress, raw.count, 0, $0, $1) }
        }
        precondition(sent == bytes.count)
    }

    /// One datagram, or nil after the 100 ms receive timeout.
    func receive() -> [UInt8]? {
        var buffer = [UInt8](repeating: 0, count: 2048)
        let count = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
        return count > 0 ? Array(buffer[0..<count]) : nil
    }

    /// Joins `conference` through the distributor at `distributor`; returns the
    /// XOR-MAPPED-ADDRESS port and whether the response matched the request.
    func join(conference: String, at distributor: EndpointAddress) -> (port: UInt16, ok: Bool)? {
        let transaction: [UInt8] = (0..<12).map { _ in UInt8.random(in: 0...255) }
        for _ in 0..<20 {
            send(STUNBinding.request(username: "\(conference):\(name)", transactionID: transaction), to: distributor)
            while let response = receive() {
                guard let success = response.withUnsafeBytes({ STUNBinding.parseSuccess($0) }),
                      success.transactionID == transaction else { continue }
                return (success.mappedAddress.port, success.mappedAddress == address)
            }
        }
        return nil
    }

    /// An RTP packet (PT 96) with `payload`, double-protected with an EKT field (by `sender`,
    /// or the endpoint's current sender).
    func protectedRTP(payload: [UInt8], using sender: DoubleSender? = nil) throws -> [UInt8] {
        let sender = sender ?? self.sender
        sequence &+= 1
        let header: [UInt8] = [0x80, 96, UInt8(sequence >> 8), UInt8(truncatingIfNeeded: sequence),
                               0, 0, 0x10, 0, UInt8(ssrc >> 24), UInt8(truncatingIfNeeded: ssrc >> 16),
                               UInt8(truncatingIfNeeded: ssrc >> 8), UInt8(truncatingIfNeeded: ssrc)]
        return try sender.protect(header + payload)
    }

    /// An RTCP receiver report (PT 201, no blocks) plus an APP-like marker, hop-by-hop protected.
    func protectedRTCP(marker: UInt8) throws -> [UInt8] {
        let report: [UInt8] = [0x80, 201, 0x00, 0x01, UInt8(ssrc >> 24), UInt8(truncatingIfNeeded: ssrc >> 16),
                               UInt8(truncatingIfNeeded: ssrc >> 8), UInt8(truncatingIfNeeded: ssrc)]
        let sdes: [UInt8] = [0x81, 202, 0x00, 0x02, UInt8(ssrc >> 24), UInt8(truncatingIfNeeded: ssrc >> 16),
                             UInt8(truncatingIfNeeded: ssrc >> 8), UInt8(truncatingIfNeeded: ssrc), 0x01, 0x01, marker, 0x00]
        return try sender.hopByHop.protectRTCP(report + sdes)
    }
}
