// SPDX-License-Identifier: Apache-2.0
// Copyright 2026 the swift-perc authors

import CNetShim
import PERC
import SRTP

extension MediaWorker {
    /// SFU forwarding of one SRTP packet: outer-open once with the sender's inbound hop,
    /// reseal for every other keyed member (``RelayHop/fanOut(_:to:into:)``, EKT field passed
    /// through), send all copies with one `sendmmsg`.
    @inline(__always)
    func forwardRTP(_ datagram: UnsafeRawBufferPointer, from address: EndpointAddress, now: UInt64) {
        local.rtpReceived += 1
        guard let sender = lookup(address), let inbound = sender.inbound else {
            local.unknownSource += 1
            return
        }
        guard datagram.count >= 12, owns(datagram.loadBigEndianUInt32(at: 8), sender) else {
            local.ssrcConflicts += 1
            return
        }
        do {
            try inbound.fanOut(datagram, to: sender.targets, into: transmit.batch)
        } catch {
            local.authenticationFailures += 1
            return
        }
        sender.lastActivity = now
        local.rtpForwarded += sendTransmitBatch(to: sender.targetEndpoints)
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
        let batch = transmit.batch
        batch.removeAll()
        for receiver in sender.targetEndpoints {
            batch.appendResult { slot throws(SRTPError) in
                guard let seal = receiver.rtcpOutbound else { throw .invalidParameter("no hop keys") }
                return try seal.protectRTCP(plaintext, into: slot)
            }
        }
        local.rtcpForwarded += sendTransmitBatch(to: sender.targetEndpoints)
    }

    @inline(__always)
    private func lookup(_ address: EndpointAddress) -> WorkerEndpoint? { endpointsByAddress[address] }

    /// Sends every successful slot of the transmit batch to the receiver at the same
    /// position; returns how many datagrams the kernel took.
    private func sendTransmitBatch(to receivers: [WorkerEndpoint]) -> Int {
        let batch = transmit.batch
        var ready = 0
        for j in 0..<batch.count where batch.result(at: j) == .ok {
            transmit.prepareToSend(ready, buffer: j, length: batch.length(at: j), to: receivers[j])
            ready += 1
        }
        var sent = 0
        while sent < ready {
            let result = CNetShim_sendmmsg(socket.fd, transmit.headers + sent, UInt32(ready - sent))
            if result <= 0 { break }
            sent += Int(result)
        }
        local.dropped += ready - sent
        return sent
    }
}
