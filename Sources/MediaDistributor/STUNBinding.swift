// SPDX-License-Identifier: Apache-2.0
// Copyright 2026 the swift-perc authors

import SRTP

/// The STUN (RFC 5389) subset the media distributor speaks: Binding Requests in, Binding
/// Success Responses with XOR-MAPPED-ADDRESS out.
///
/// **Joining the media plane.** As in ICE-lite SFUs, an endpoint joins by sending a STUN
/// Binding Request from its media 5-tuple whose USERNAME is `conference:participant`
/// (UTF-8, for example `standup:alice`). The distributor answers it and binds that 5-tuple
/// to the conference and participant; the endpoint's DTLS (to the Key Distributor, through
/// the tunnel) and SRTP/SRTCP then use the same 5-tuple. MESSAGE-INTEGRITY and FINGERPRINT
/// are neither required nor checked: the binding gives no keys, it only says where an
/// endpoint's media goes once the KD has sent its hop keys.
public enum STUNBinding {
    /// The magic cookie, 0x2112A442.
    public static let magicCookie: UInt32 = 0x2112_A442
    static let bindingRequest: UInt16 = 0x0001
    static let bindingSuccess: UInt16 = 0x0101
    static let usernameAttribute: UInt16 = 0x0006
    static let xorMappedAddressAttribute: UInt16 = 0x0020

    /// A parsed Binding Request.
    public struct Request: Equatable, Sendable {
        /// The 96-bit transaction ID.
        public let transactionID: [UInt8]
        /// The USERNAME attribute, if any.
        public let username: String?

        /// The `(conference, participant)` the USERNAME names, split at the first ':'.
        public var membership: (conference: String, participant: String)? {
            guard let username, let colon = username.firstIndex(of: ":") else { return nil }
            let conference = String(username[..<colon]), participant = String(username[username.index(after: colon)...])
            guard !conference.isEmpty, !participant.isEmpty else { return nil }
            return (conference, participant)
        }
    }

    /// Parses `datagram` as a Binding Request; nil when it is any other STUN message or malformed.
    public static func parseRequest(_ datagram: UnsafeRawBufferPointer) -> Request? {
        guard datagram.count >= 20, datagram.count <= 1500 else { return nil }
        let type = UInt16(datagram[0]) << 8 | UInt16(datagram[1])
        let length = Int(datagram[2]) << 8 | Int(datagram[3])
        guard type == bindingRequest, length % 4 == 0, 20 + length == datagram.count,
              datagram.loadBigEndianUInt32(at: 4) == magicCookie
        else { return nil }
        var username: String?
        var offset = 20
        while offset + 4 <= datagram.count {
            let attribute = UInt16(datagram[offset]) << 8 | UInt16(datagram[offset + 1])
            let valueLength = Int(datagram[offset + 2]) << 8 | Int(datagram[offset + 3])
            let valueStart = offset + 4
            guard valueStart + valueLength <= datagram.count else { return nil }
            if attribute == usernameAttribute, valueLength <= 513 {
                username = String(decoding: datagram[valueStart..<(valueStart + valueLength)], as: UTF8.self)
            }
            offset = valueStart + (valueLength + 3) & ~3
        }
        return Request(transactionID: Array(datagram[8..<20]), username: username)
    }

    /// A Binding Request with USERNAME `username` (for example `"standup:alice"`), as an
    /// endpoint sends it to join.
    /// - Precondition: `transactionID` is 12 bytes, `username` at most 513 UTF-8 bytes.
    public static func request(username: String, transactionID: [UInt8]) -> [UInt8] {
        precondition(transactionID.count == 12, "a STUN transaction ID is 12 bytes")
        let name = Array(username.utf8)
        precondition(name.count <= 513, "USERNAME is at most 513 bytes")
        let padded = (name.count + 3) & ~3
        var message: [UInt8] = [0x00, 0x01, UInt8((4 + padded) >> 8), UInt8(truncatingIfNeeded: 4 + padded),
                                0x21, 0x12, 0xA4, 0x42] + transactionID
        message += [0x00, 0x06, UInt8(name.count >> 8), UInt8(truncatingIfNeeded: name.count)] + name
        message += [UInt8](repeating: 0, count: padded - name.count)
        return message
    }

    /// Parses a Binding Success Response: its transaction ID and XOR-MAPPED-ADDRESS (the
    /// endpoint's address as the distributor sees it). Nil for anything else.
    public static func parseSuccess(_ datagram: UnsafeRawBufferPointer) -> (transactionID: [UInt8], mappedAddress: EndpointAddress)? {
        guard datagram.count >= 20, datagram.count <= 1500,
              UInt16(datagram[0]) << 8 | UInt16(datagram[1]) == bindingSuccess,
              20 + (Int(datagram[2]) << 8 | Int(datagram[3])) == datagram.count,
              datagram.loadBigEndianUInt32(at: 4) == magicCookie
        else { return nil }
        var offset = 20
        while offset + 4 <= datagram.count {
            let attribute = UInt16(datagram[offset]) << 8 | UInt16(datagram[offset + 1])
            let length = Int(datagram[offset + 2]) << 8 | Int(datagram[offset + 3])
            let value = offset + 4
            guard value + length <= datagram.count else { return nil }
            if attribute == xorMappedAddressAttribute, length == 8 || length == 20 {
                let addressLength = length - 4
                guard datagram[value + 1] == (addressLength == 16 ? 0x02 : 0x01) else { return nil }
                let port = (UInt16(datagram[value + 2]) << 8 | UInt16(datagram[value + 3])) ^ UInt16(magicCookie >> 16)
                let bytes = (0..<addressLength).map { datagram[value + 4 + $0] ^ datagram[4 + $0] }
                guard let address = EndpointAddress(port: port, bytes: bytes) else { return nil }
                return (Array(datagram[8..<20]), address)
            }
            offset = value + (length + 3) & ~3
        }
        return nil
    }

    /// Writes the Binding Success Response for `transactionID` (12 bytes) with the
    /// XOR-MAPPED-ADDRESS of `address` into `output`. Returns its length (32 for IPv4, 44 for
    /// IPv6), or 0 when `output` is too small or the family is not IP.
    public static func writeSuccess(transactionID: UnsafeRawBufferPointer, address: EndpointAddress,
                                    into output: UnsafeMutableRawBufferPointer) -> Int {
        let addressLength = address.isIPv6 ? 16 : 4
        let total = 20 + 4 + 4 + addressLength
        guard output.count >= total, transactionID.count == 12 else { return 0 }
        output.storeBigEndian(bindingSuccess, at: 0)
        output.storeBigEndian(UInt16(total - 20), at: 2)
        output.storeBigEndian(magicCookie, at: 4)
        for i in 0..<12 { output[8 + i] = transactionID[i] }
        output.storeBigEndian(xorMappedAddressAttribute, at: 20)
        output.storeBigEndian(UInt16(4 + addressLength), at: 22)
        output[24] = 0
        output[25] = address.isIPv6 ? 0x02 : 0x01
        output.storeBigEndian(address.port ^ UInt16(magicCookie >> 16), at: 26)
        for i in 0..<addressLength {
            // XOR with the magic cookie, then (IPv6) the transaction ID: together bytes 4..<20.
            output[28 + i] = address.addressByte(i) ^ output[4 + i]
        }
        return total
    }
}

extension UnsafeMutableRawBufferPointer {
    @inline(__always)
    func storeBigEndian(_ value: UInt16, at offset: Int) {
        self[offset] = UInt8(value >> 8)
        self[offset + 1] = UInt8(truncatingIfNeeded: value)
    }

    @inline(__always)
    func storeBigEndian(_ value: UInt32, at offset: Int) {
        storeBigEndian(UInt16(value >> 16), at: offset)
        storeBigEndian(UInt16(truncatingIfNeeded: value), at: offset + 2)
    }
}
