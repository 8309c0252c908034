// SPDX-License-Identifier: Apache-2.0
// Copyright 2026 the swift-perc authors

import CNetShim
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Turns a queue of datagrams into UDP GSO sends (UDP_SEGMENT): the datagrams for one
/// destination, in queue order, are chained, and each chain's runs of equal-sized datagrams
/// (the last one of a run may be shorter) become one message whose iovecs the kernel cuts
/// back into datagrams. A video frame fanned out to a receiver thus leaves as one send per
/// receiver instead of one per packet. Order per destination is kept; datagrams for
/// different destinations are independent anyway.
///
/// Everything is allocated once, for at most `capacity` datagrams.
final class SegmentCoalescer {
    /// Most datagrams one segmented send may carry (the kernel's UDP_MAX_SEGMENTS).
    static let maximumSegments = 64
    /// Most payload bytes of one segmented send (under the 64 KiB of one IP datagram).
    static let maximumBytes = 60_000

    let capacity: Int
    /// The coalesced messages of the last ``coalesce(headers:iovecs:count:)``.
    let messages: UnsafeMutablePointer<CNetShim_mmsghdr>
    /// How many queued datagrams each coalesced message carries.
    let datagramsPerMessage: UnsafeMutablePointer<Int>
    private let iovecs: UnsafeMutablePointer<iovec>
    private let controls: UnsafeMutableRawPointer
    private let controlSize: Int
    private let nextSameDestination: UnsafeMutablePointer<Int32>
    private let taken: UnsafeMutablePointer<Bool>
    // Open addressing from destination address (the msg_name pointer) to its latest index.
    private let tableMask: Int
    private let tableKeys: UnsafeMutablePointer<UInt>
    private let tableValues: UnsafeMutablePointer<Int32>
    private let tableStamps: UnsafeMutablePointer<UInt32>
    private var stamp: UInt32 = 0

    init(capacity: Int) {
        self.capacity = capacity
        messages = .allocate(capacity: capacity)
        messages.initialize(repeating: CNetShim_mmsghdr(), count: capacity)
        datagramsPerMessage = .allocate(capacity: capacity)
        datagramsPerMessage.initialize(repeating: 0, count: capacity)
        iovecs = .allocate(capacity: capacity)
        iovecs.initialize(repeating: iovec(), count: capacity)
        controlSize = max(CNetShim_udpSegmentControlSize(), 1)
        controls = .allocate(byteCount: controlSize * capacity, alignment: 16)
        nextSameDestination = .allocate(capacity: capacity)
        nextSameDestination.initialize(repeating: -1, count: capacity)
        taken = .allocate(capacity: capacity)
        taken.initialize(repeating: false, count: capacity)
        var size = 16
        while size < 2 * capacity { size <<= 1 }
        tableMask = size - 1
        tableKeys = .allocate(capacity: size)
        tableKeys.initialize(repeating: 0, count: size)
        tableValues = .allocate(capacity: size)
        tableValues.initialize(repeating: -1, count: size)
        tableStamps = .allocate(capacity: size)
        tableStamps.initialize(repeating: 0, count: size)
    }

    deinit {
        messages.deallocate()
        datagramsPerMessage.deallocate()
        iovecs.deallocate()
        controls.deallocate()
        nextSameDestination.deallocate()
        taken.deallocate()
        tableKeys.deallocate()
        tableValues.deallocate()
        tableStamps.deallocate()
    }

    /// Coalesces `count` (at most ``capacity``) single-iovec datagrams into ``messages``.
    /// - Returns: the number of messages.
    func coalesce(headers: UnsafePointer<CNetShim_mmsghdr>, count: Int) -> Int {
        precondition(count <= capacity, "more datagrams than the coalescer was made for")
        chainDestinations(headers: headers, count: count)
        var messageCount = 0
        var used = 0
        for i in 0..<count where !taken[i] {
            let first = headers[i].msg_hdr.msg_iov[0]
            let size = first.iov_len
            iovecs[used] = first
            taken[i] = true
            var carried = 1
            var bytes = size
            var k = Int(nextSameDestination[i])
            while k >= 0, carried < Self.maximumSegments {
                let next = headers[k].msg_hdr.msg_iov[0]
                guard next.iov_len <= size, bytes + next.iov_len <= Self.maximumBytes else { break }
                iovecs[used + carried] = next
                taken[k] = true
                carried += 1
                bytes += next.iov_len
                if next.iov_len < size { break }   // a shorter datagram ends a run
                k = Int(nextSameDestination[k])
            }
            messages[messageCount].msg_hdr = headers[i].msg_hdr
            messages[messageCount].msg_hdr.msg_iov = iovecs + used
            messages[messageCount].msg_hdr.msg_iovlen = carried
            messages[messageCount].msg_len = 0
            CNetShim_setUDPSegment(&messages[messageCount].msg_hdr, controls + messageCount * controlSize,
                                   carried > 1 ? UInt16(size) : 0)
            datagramsPerMessage[messageCount] = carried
            used += carried
            messageCount += 1
        }
        for i in 0..<count { taken[i] = false }
        return messageCount
    }

    /// Sets `nextSameDestination[i]` to the next queued datagram for i's destination (-1 if none).
    private func chainDestinations(headers: UnsafePointer<CNetShim_mmsghdr>, count: Int) {
        stamp &+= 1
        if stamp == 0 {   // wrapped: forget every old stamp
            tableStamps.update(repeating: 0, count: tableMask + 1)
            stamp = 1
        }
        for i in stride(from: count - 1, through: 0, by: -1) {
            let key = UInt(bitPattern: headers[i].msg_hdr.msg_name)
            var h = Int(truncatingIfNeeded: (key >> 4) &* 0x9E37_79B9_7F4A_7C15) & tableMask
            while tableStamps[h] == stamp, tableKeys[h] != key { h = (h + 1) & tableMask }
            if tableStamps[h] == stamp {
                nextSameDestination[i] = tableValues[h]
            } else {
                nextSameDestination[i] = -1
                tableStamps[h] = stamp
                tableKeys[h] = key
            }
            tableValues[h] = Int32(i)
        }
    }
}
