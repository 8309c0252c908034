// SPDX-License-Identifier: Apache-2.0
// Copyright 2026 the swift-perc authors
//
// RTPHeaderView (fixed header, CSRCs, RFC 8285 header extensions, padding) and RTCPHeaderView
// over the raw input, which libFuzzer allocates to its exact size (AddressSanitizer sees any
// read past it).
//
// Invariants: a parsed RTP header fits the packet (12 + 4*CC <= headerLength <= count); the
// extension lies between the CSRC list and headerLength; every extension element lies inside
// the extension block and the elements with their headers fit it; the padding count fits in
// the payload; every accessor agrees with the bytes it reads.
import FuzzSupport
import SRTP

fuzzMain { data, size in
    let packet = UnsafeRawBufferPointer(start: size > 0 ? data : nil, count: size)
    if let rtp = try? RTPHeaderView(packet) {
        require(rtp.baseHeaderLength == 12 + 4 * rtp.csrcCount && rtp.baseHeaderLength <= rtp.headerLength
                && rtp.headerLength <= packet.count, "header length \(rtp.headerLength) for \(packet.count) bytes")
        require(rtp.sequenceNumber == UInt16(packet[2]) << 8 | UInt16(packet[3]), "sequence number")
        require(rtp.ssrc == packet[8..<12].reduce(0) { $0 << 8 | UInt32($1) }, "SSRC")
        for index in 0..<rtp.csrcCount {
            let at = 12 + 4 * index
            require(rtp.csrc(at: index) == packet[at..<(at + 4)].reduce(0) { $0 << 8 | UInt32($1) }, "CSRC \(index)")
        }
        if let padding = rtp.paddingLength {
            require(padding >= 1 && rtp.headerLength + padding <= packet.count, "padding \(padding)")
        }
        if let ext = rtp.headerExtension {
            require(rtp.hasExtension, "an extension with X=0")
            require(rtp.baseHeaderLength + 4 + ext.data.count == rtp.headerLength, "extension length")
            let words = Int(packet[rtp.baseHeaderLength + 2]) << 8 | Int(packet[rtp.baseHeaderLength + 3])
            require(ext.data.count == 4 * words, "extension of \(ext.data.count) bytes for \(words) words")
            if let elements = try? ext.elements() {
                let headerBytes = ext.isOneByte ? 1 : 2
                let used = elements.reduce(0) { $0 + headerBytes + $1.value.count }
                require(used <= ext.data.count, "elements use \(used) of \(ext.data.count) bytes")
                for element in elements {
                    require(element.id != 0 && (!ext.isOneByte || (element.id < 15 && element.value.count <= 16)),
                            "element id \(element.id) with \(element.value.count) bytes")
                }
            }
        } else {
            require(!rtp.hasExtension, "X=1 without an extension")
        }
    }
    if let rtcp = try? RTCPHeaderView(packet) {
        require(packet.count >= 8 && packet[0] >> 6 == 2, "an RTCP header from \(packet.count) bytes")
        require(rtcp.packetType == packet[1] && rtcp.count == Int(packet[0] & 0x1F)
                && rtcp.lengthField == UInt16(packet[2]) << 8 | UInt16(packet[3])
                && rtcp.ssrc == packet[4..<8].reduce(0) { $0 << 8 | UInt32($1) }, "RTCP fields")
    }
    return 0
}
