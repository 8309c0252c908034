// SPDX-License-Identifier: Apache-2.0
// Copyright 2026 the swift-perc authors

import CNetShim
import PERC
import SRTP

extension MediaWorker {
    /// SFU forwarding of one SRTP packet: outer-open once with the sender's inbound hop,
    /// reseal for every other keyed member (``RelayHop/fanOut(_:to:into:)``, EKT field passed
    /// through) and queue the copies; the worker sends the queue after the receive batch.
    @inline(__always)
    func forwardRTP(_ datagram: UnsafeRawBufferPointer, from address: EndpointAddress, now: UInt64) {
        local.rtpReceived += 1
        guard let sender = lookup(address), let inbound = sender.inbound else {
            local.unknownSource += 1
            return
        }
        guard datagram.count >= 12 else {
            local.authenticationFailures += 1
            return
        }
        guard owns(datagram.loadBigEndianUInt32(at: 8), sender) else {
            local.ssrcConflicts += 1
            return
        }
        if transmit.isFull { local.dropped += transmit.flush(socket: socket) }
        let copies = transmit.nextBatch
        do {
            try inbound.fanOut(datagram, to: sender.targets, into: copies)
        } catch {
            local.authenticationFailures += 1
            return
        }
        sender.lastActivity = now
        let queued = transmit.enqueue(to: sender.targetEndpoints)
        local.rtpForwarded += queued
        local.copiesRefused += copies.count - queued
    }

    /// Hop-by-hop SRTCP: open with the sender's inbound SRTCP context (in the receive slot),
    /// then seal the RTCP once per keyed member with that member's SRTCP sender.
    @inline(__always)
    func forwardRTCP(slot i: Int, length: Int, from address: EndpointAddress, now: UInt64) {
        local.rtcpReceived += 1
        guard let sender = lookup(address), let inbound = sender.rtcpInbound else {
            local.unknownSource += 1
            return
        }
        let buffer = UnsafeMutableRawBufferPointer(start: receive.buffers[i], count: receive.batch.slotCapacity)
        let plaintextLength: Int
        do {
            plaintextLength = try inbound.unprotectRTCP(UnsafeRawBufferPointer(rebasing: buffer[0..<length]), into: buffer)
        } catch {
            local.authenticationFailures += 1
            return
        }
        let plaintext = UnsafeRawBufferPointer(rebasing: buffer[0..<plaintextLength])
        guard owns(plaintext.loadBigEndianUInt32(at: 4), sender) else {
            local.ssrcConflicts += 1
            return
        }
        sender.lastActivity = now
        if transmit.isFull { local.dropped += transmit.flush(socket: socket) }
        let batch = transmit.nextBatch
        batch.removeAll()
        for receiver in sender.targetEndpoints {
            batch.appendResult { slot throws(SRTPError) in
                guard let seal = receiver.rtcpOutbound else { throw .invalidParameter("no hop keys") }
                return try seal.protectRTCP(plaintext, into: slot)
            }
        }
        local.rtcpForwarded += transmit.enqueue(to: sender.targetEndpoints)
    }

    @inline(__always)
    private func lookup(_ address: EndpointAddress) -> WorkerEndpoint? { endpointsByAddress[address] }
}
