// SPDX-License-Identifier: Apache-2.0
// Copyright 2026 the swift-perc authors
//
// The media distributor's first steps for every datagram: RFC 7983 demultiplexing
// (PacketClass) and, for STUN, the Binding Request parser and the answer a worker writes
// (STUNBinding), plus the endpoint's parser of that answer.
//
// Input: a family byte (bit 0: IPv6), 16 address bytes, 2 port bytes (the source address a
// worker would see), then the datagram.
// Invariants: the class agrees with RFC 7983 7 / RFC 5761 4 as written here independently; a
// parsed request is a well-formed Binding Request whose transaction ID is bytes 8..<20 and
// whose membership halves are non-empty with no ':' in the conference; the answer fits the
// worker's 2048-byte scratch, is refused (0) by a buffer one byte short (allocated to size, so
// a write past it is seen), and the endpoint's parser reads back the same transaction ID and
// source address.
import FuzzSupport
import MediaDistributor

/// RFC 7983 section 7 with RFC 5761 section 4, from the RFCs' tables.
func expectedClass(_ datagram: [UInt8]) -> PacketClass {
    guard let first = datagram.first else { return .other }
    switch first {
    case 0...3: return .stun
    case 20...63: return .dtls
    case 128...191:
        guard datagram.count >= 2 else { return .other }
        return (192...223).contains(datagram[1]) ? .rtcp : .rtp
    default: return .other
    }
}

fuzzMain { data, size in
    var input = FuzzReader(fuzzBytes(data, size))
    let ipv6 = input.byte() & 1 != 0
    let addressBytes = input.take(16)
    let port = input.uint16()
    let datagram = input.rest()
    let host = ipv6
        ? stride(from: 0, to: 16, by: 2).map { i in
            String(UInt16(i < addressBytes.count ? addressBytes[i] : 0) << 8
                   | UInt16(i + 1 < addressBytes.count ? addressBytes[i + 1] : 0), radix: 16)
        }.joined(separator: ":")
        : (0..<4).map { i in String(i < addressBytes.count ? addressBytes[i] : 0) }.joined(separator: ".")
    let address = EndpointAddress(host: host, port: Int(port))
    require(address != nil, "\(host) did not parse")

    let packetClass = datagram.withUnsafeBytes { PacketClass($0) }
    require(packetClass == expectedClass(datagram), "\(datagram.prefix(2)) classed as \(packetClass)")

    if let success = datagram.withUnsafeBytes({ STUNBinding.parseSuccess($0) }) {
        require(success.transactionID == Array(datagram[8..<20]), "an answer's transaction ID")
    }
    guard packetClass == .stun, let request = datagram.withUnsafeBytes({ STUNBinding.parseRequest($0) }) else { return 0 }
    require(datagram.count >= 20 && datagram.count <= 1500 && datagram[0] == 0 && datagram[1] == 1,
            "a \(datagram.count)-byte request")
    require(request.transactionID == Array(datagram[8..<20]), "a request's transaction ID")
    if let (conference, participant) = request.membership {
        require(!conference.isEmpty && !participant.isEmpty && !conference.contains(":"), "membership \(conference) / \(participant)")
        require(request.username == conference + ":" + participant, "membership does not rebuild the USERNAME")
    }

    let scratch = UnsafeMutableRawBufferPointer.allocate(byteCount: 2048, alignment: 16)
    defer { scratch.deallocate() }
    let length = request.transactionID.withUnsafeBytes {
        STUNBinding.writeSuccess(transactionID: $0, address: address!, into: scratch)
    }
    require(length == (ipv6 ? 44 : 32), "an answer of \(length) bytes")
    let short = UnsafeMutableRawBufferPointer.allocate(byteCount: length - 1, alignment: 1)
    defer { short.deallocate() }
    let refused = request.transactionID.withUnsafeBytes {
        STUNBinding.writeSuccess(transactionID: $0, address: address!, into: short)
    }
    require(refused == 0, "an answer written into \(length - 1) bytes")
    let answer = STUNBinding.parseSuccess(UnsafeRawBufferPointer(rebasing: scratch[0..<length]))
    require(answer?.transactionID == request.transactionID && answer?.mappedAddress == address,
            "the answer reads back as \(String(describing: answer))")
    return 0
}
