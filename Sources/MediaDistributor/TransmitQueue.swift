// SPDX-License-Identifier: Apache-2.0
// Copyright 2026 the swift-perc authors

import CNetShim
import SRTP
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The worker's outgoing datagrams for one receive batch: a ring of fan-out batches (one
/// per forwarded packet) and one `mmsghdr` array over all their slots, so every copy of
/// every packet of a receive batch leaves in one `sendmmsg` call (or one per ring-full).
///
/// Everything is allocated once. Slot addresses are taken at set-up: a batch's slab never
/// moves and the queue owns its batches for its whole lifetime.
final class TransmitQueue {
    /// Fan-out batches, used in order and cleared by ``flush(socket:)``.
    private let batches: [PacketBatch]
    private let slotsPerBatch: Int
    private let bases: UnsafeMutablePointer<UnsafeMutableRawPointer>
    private let headers: UnsafeMutablePointer<CNetShim_mmsghdr>
    private let iovecs: UnsafeMutablePointer<iovec>
    private var batchesInUse = 0
    private var queued = 0
    /// Set when the socket takes UDP GSO: copies for one receiver leave in segmented sends.
    private let coalescer: SegmentCoalescer?
    /// Segmented sends made (each carried two or more datagrams).
    private(set) var segmentedSends = 0

    /// - Parameters:
    ///   - packets: forwarded packets held before a flush is forced.
    ///   - fanOut: most copies of one packet.
    ///   - segmentation: coalesce datagrams for one receiver into UDP GSO sends (only when
    ///     the socket supports it: ``UDPSocket/segmentationAvailable``).
    init(packets: Int, fanOut: Int, slotCapacity: Int = 2048, segmentation: Bool = false) {
        slotsPerBatch = fanOut
        batches = (0..<packets).map { _ in PacketBatch(maximumCount: fanOut, slotCapacity: slotCapacity) }
        let total = packets * fanOut
        coalescer = segmentation ? SegmentCoalescer(capacity: total) : nil
        bases = .allocate(capacity: total)
        headers = .allocate(capacity: total)
        headers.initialize(repeating: CNetShim_mmsghdr(), count: total)
        iovecs = .allocate(capacity: total)
        iovecs.initialize(repeating: iovec(), count: total)
        for (b, batch) in batches.enumerated() {
            for slot in 0..<fanOut {
                let base = batch.withUnsafeMutableSlot(at: slot) { buffer, _ in buffer.baseAddress! }
                bases.advanced(by: b * fanOut + slot).initialize(to: base)
            }
        }
    }

    deinit {
        bases.deallocate()
        headers.deallocate()
        iovecs.deallocate()
    }

    /// Most receivers a packet can be resealed for.
    var fanOut: Int { slotsPerBatch }

    /// Forwarded packets held before a flush is forced.
    var packets: Int { batches.count }

    /// Whether flushes coalesce datagrams into UDP GSO sends.
    var segmentation: Bool { coalescer != nil }

    /// Whether every batch of the ring holds queued copies (flush before the next packet).
    var isFull: Bool { batchesInUse == batches.count }

    /// The batch to fan the next packet out into (the caller fills it, then ``enqueue(to:)``).
    var nextBatch: PacketBatch { batches[batchesInUse] }

    /// Queues every successful slot of ``nextBatch`` to the receiver at the same position.
    /// - Returns: the number of copies queued.
    @inline(__always)
    func enqueue(to receivers: [WorkerEndpoint]) -> Int {
        let batch = batches[batchesInUse]
        let first = batchesInUse * slotsPerBatch
        let before = queued
        for j in 0..<batch.count where batch.result(at: j) == .ok {
            let receiver = receivers[j]
            iovecs[queued].iov_base = bases[first + j]
            iovecs[queued].iov_len = batch.length(at: j)
            headers[queued].msg_hdr.msg_iov = iovecs + queued
            headers[queued].msg_hdr.msg_iovlen = 1
            headers[queued].msg_hdr.msg_name = UnsafeMutableRawPointer(receiver.socketAddress)
            headers[queued].msg_hdr.msg_namelen = receiver.socketAddressLength
            headers[queued].msg_len = 0
            queued += 1
        }
        batchesInUse += 1
        return queued - before
    }

    /// Sends everything queued with `sendmmsg` and empties the ring.
    /// - Returns: the number of datagrams the kernel did not take.
    @inline(__always)
    func flush(socket: UDPSocket) -> Int {
        if let coalescer, queued > 1 { return flushSegmented(socket: socket, coalescer: coalescer) }
        var sent = 0
        while sent < queued {
            let result = CNetShim_sendmmsg(socket.fd, headers + sent, UInt32(queued - sent))
            if result <= 0 { break }
            sent += Int(result)
        }
        let unsent = queued - sent
        queued = 0
        batchesInUse = 0
        return unsent
    }

    /// ``flush(socket:)`` through UDP GSO: one `sendmmsg` of the coalesced messages.
    private func flushSegmented(socket: UDPSocket, coalescer: SegmentCoalescer) -> Int {
        let messages = coalescer.coalesce(headers: headers, count: queued)
        var sent = 0
        while sent < messages {
            let result = CNetShim_sendmmsg(socket.fd, coalescer.messages + sent, UInt32(messages - sent))
            if result <= 0 { break }
            sent += Int(result)
        }
        var unsent = 0
        for m in 0..<messages {
            let datagrams = coalescer.datagramsPerMessage[m]
            if m >= sent { unsent += datagrams } else if datagrams > 1 { segmentedSends += 1 }
        }
        queued = 0
        batchesInUse = 0
        return unsent
    }
}
