// SPDX-License-Identifier: Apache-2.0
// Copyright 2026 the swift-perc authors

@testable import MediaDistributor
#if canImport(Glibc)
import Glibc
#endif
import SRTP
import Testing

/// The worker's send path: copies of several packets queued in the ring leave in one flush,
/// each to its receiver, and only successful slots are sent.
@Suite struct TransmitQueueTests {
    @Test func queuedCopiesReachTheirReceivers() throws {
        let socket = try UDPSocket(address: EndpointAddress(host: "127.0.0.1", port: 0)!, reusePort: false,
                                   receiveTimeoutMilliseconds: 100)
        defer { socket.close() }
        let receivers = try (0..<2).map { _ in
            try UDPSocket(address: EndpointAddress(host: "127.0.0.1", port: 0)!, reusePort: false,
                          receiveTimeoutMilliseconds: 100)
        }
        defer { receivers.forEach { $0.close() } }
        let endpoints = receivers.enumerated().map { WorkerEndpoint(slot: $0.offset, address: $0.element.localAddress) }

        let queue = TransmitQueue(packets: 2, fanOut: 2)
        #expect(!queue.isFull)
        for packet in 0..<2 {
            let batch = queue.nextBatch
            batch.removeAll()
            batch.appendResult { slot throws(SRTPError) in
                slot.storeBytes(of: UInt8(0x10 + packet), as: UInt8.self)
                return 1
            }
            batch.appendResult { _ throws(SRTPError) in throw .cryptoFailure }   // not sent
            #expect(queue.enqueue(to: endpoints) == 1)
        }
        #expect(queue.isFull)
        #expect(queue.flush(socket: socket) == 0)
        #expect(!queue.isFull)

        var got: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 16)
        while true {
            let count = buffer.withUnsafeMutableBytes { recv(receivers[0].fd, $0.baseAddress, $0.count, 0) }
            guard count > 0 else { break }
            got.append(contentsOf: buffer[0..<count])
        }
        #expect(got == [0x10, 0x11], "both packets' first copies went to the first receiver, in order")
        let second = buffer.withUnsafeMutableBytes { recv(receivers[1].fd, $0.baseAddress, $0.count, 0) }
        #expect(second < 0, "the failed slots were not sent")
    }

    /// With UDP GSO, the copies for one receiver leave in segmented sends: runs of equal-sized
    /// datagrams (a shorter one ends a run) become one send, and every receiver still gets
    /// each datagram whole, separately and in order.
    @Test func segmentedFlushDeliversEveryDatagramSeparatelyAndInOrder() throws {
        let socket = try UDPSocket(address: EndpointAddress(host: "127.0.0.1", port: 0)!, reusePort: false,
                                   receiveTimeoutMilliseconds: 100)
        defer { socket.close() }
        try #require(socket.segmentationAvailable, "this kernel has UDP_SEGMENT (Linux 4.18+)")
        let receivers = try (0..<3).map { _ in
            try UDPSocket(address: EndpointAddress(host: "127.0.0.1", port: 0)!, reusePort: false,
                          receiveTimeoutMilliseconds: 100)
        }
        defer { receivers.forEach { $0.close() } }
        let endpoints = receivers.enumerated().map { WorkerEndpoint(slot: $0.offset, address: $0.element.localAddress) }

        let lengths = [300, 300, 300, 120, 300, 300]   // runs: 300 x3 + 120 | 300 x2
        let queue = TransmitQueue(packets: lengths.count, fanOut: 3, segmentation: true)
        for (packet, length) in lengths.enumerated() {
            let batch = queue.nextBatch
            batch.removeAll()
            for receiver in 0..<3 {
                batch.appendResult { slot throws(SRTPError) in
                    if receiver == 2 && packet == 1 { throw .cryptoFailure }   // a failed copy is not sent
                    for i in 0..<length { slot[i] = UInt8(truncatingIfNeeded: packet * 16 + receiver + i) }
                    return length
                }
            }
            _ = queue.enqueue(to: endpoints)
        }
        #expect(queue.flush(socket: socket) == 0)
        // Receivers 0 and 1: two segmented sends each; receiver 2 (packet 1 missing):
        // 300 300 120 (the shorter one ends the run), then 300 300: two segmented sends.
        #expect(queue.segmentedSends == 6)

        for (receiver, udp) in receivers.enumerated() {
            var got: [[UInt8]] = []
            var buffer = [UInt8](repeating: 0, count: 2048)
            while true {
                let count = buffer.withUnsafeMutableBytes { recv(udp.fd, $0.baseAddress, $0.count, 0) }
                guard count > 0 else { break }
                got.append(Array(buffer[0..<count]))
            }
            let expected = lengths.enumerated().compactMap { packet, length -> [UInt8]? in
                if receiver == 2 && packet == 1 { return nil }
                return (0..<length).map { UInt8(truncatingIfNeeded: packet * 16 + receiver + $0) }
            }
            #expect(got == expected, "receiver \(receiver): \(got.map(\.count))")
        }
    }
}
