// SPDX-License-Identifier: Apache-2.0
// Copyright 2026 the swift-perc authors

import CNetShim
import SRTP
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The `mmsghdr`/`iovec`/`sockaddr` arrays of one `recvmmsg` call over the slots of a
/// ``PacketBatch``, allocated once (the sending side is ``TransmitQueue``).
///
/// The slot addresses are taken once at set-up: a batch's slab never moves, and these
/// vectors own the batch for their whole lifetime, so the pointers stay valid.
final class MessageVectors {
    let count: Int
    let batch: PacketBatch
    let headers: UnsafeMutablePointer<CNetShim_mmsghdr>
    let addresses: UnsafeMutablePointer<sockaddr_storage>
    let buffers: UnsafeMutablePointer<UnsafeMutableRawPointer>
    private let iovecs: UnsafeMutablePointer<iovec>

    init(count: Int, slotCapacity: Int = 2048) {
        self.count = count
        batch = PacketBatch(maximumCount: count, slotCapacity: slotCapacity)
        headers = .allocate(capacity: count)
        headers.initialize(repeating: CNetShim_mmsghdr(), count: count)
        addresses = .allocate(capacity: count)
        addresses.initialize(repeating: sockaddr_storage(), count: count)
        buffers = .allocate(capacity: count)
        iovecs = .allocate(capacity: count)
        for i in 0..<count {
            let base = batch.withUnsafeMutableSlot(at: i) { slot, _ in slot.baseAddress! }
            buffers.advanced(by: i).initialize(to: base)
            iovecs.advanced(by: i).initialize(to: iovec(iov_base: base, iov_len: slotCapacity))
            headers[i].msg_hdr.msg_iov = iovecs + i
            headers[i].msg_hdr.msg_iovlen = 1
            headers[i].msg_hdr.msg_name = UnsafeMutableRawPointer(addresses + i)
            headers[i].msg_hdr.msg_namelen = socklen_t(MemoryLayout<sockaddr_storage>.size)
        }
    }

    deinit {
        headers.deallocate()
        addresses.deallocate()
        buffers.deallocate()
        iovecs.deallocate()
    }

    /// Resets what `recvmmsg` overwrote (address lengths, flags, byte counts).
    @inline(__always)
    func prepareForReceive() {
        for i in 0..<count {
            headers[i].msg_hdr.msg_namelen = socklen_t(MemoryLayout<sockaddr_storage>.size)
            headers[i].msg_hdr.msg_flags = 0
            headers[i].msg_len = 0
            iovecs[i].iov_len = batch.slotCapacity
        }
    }
}
