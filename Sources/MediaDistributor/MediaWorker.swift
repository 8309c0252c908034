// SPDX-License-Identifier: Apache-2.0
// Copyright 2026 the swift-perc authors

import CNetShim
import PERC
import SRTP
import Synchronization
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Hooks a worker calls on the control plane, off the hot path (STUN, DTLS, new SSRCs, idle).
protocol WorkerControl: AnyObject, Sendable {
    /// Binds an address; false when the association limit refuses it.
    func endpointBound(_ address: EndpointAddress, conference: String, participant: String, worker: Int) -> Bool
    /// Tunnels DTLS; false when the address is not bound.
    func endpointSentDTLS(_ datagram: [UInt8], from address: EndpointAddress) -> Bool
    func claimSSRC(_ key: UInt64, slot: Int) -> Int
    /// The endpoint went silent, or (`handshakePending`) never got hop keys, in time.
    func endpointExpired(slot: Int, handshakePending: Bool)
}

/// One data-plane thread: its own SO_REUSEPORT socket, its own batches and hop contexts.
///
/// The loop: apply control commands if any (one atomic load per round otherwise), then
/// `recvmmsg` a batch, classify each datagram (RFC 7983), answer STUN, pass DTLS to the
/// control plane, and for SRTP/SRTCP open once and reseal per receiver into the transmit
/// queue; every copy of the receive batch then leaves in one `sendmmsg`. The per-packet path makes no allocation, takes no lock,
/// and does two hash lookups (source address, SSRC owner).
final class MediaWorker: @unchecked Sendable {
    let index: Int
    let socket: UDPSocket
    /// Where the worker runs (nil: anywhere).
    let placement: WorkerPlacement?
    private let idleTimeout: UInt64
    private let handshakeTimeout: UInt64
    private let replayWindowSize: Int
    private let control: any WorkerControl

    // Shared with the control plane.
    private let inbox = Mutex<[WorkerCommand]>([])
    private let pending = Atomic<Int>(0)
    private let running = Atomic<Bool>(false)
    private let done = Atomic<Bool>(false)
    private let placedNode = Atomic<Int>(-1)
    let counters = WorkerCounters()

    // Owned by the worker thread (remade there on a multi-node machine, see `run()`).
    private(set) var receive: MessageVectors
    private(set) var transmit: TransmitQueue
    private let scratch: UnsafeMutableRawBufferPointer
    var local = MediaDistributorStatistics()
    private var bySlot: [Int: WorkerEndpoint] = [:]
    var endpointsByAddress: [EndpointAddress: WorkerEndpoint] = [:]
    private var members: [Int: [WorkerEndpoint]] = [:]
    private var ssrcOwners: [UInt64: Int] = [:]
    private var rateLimiter: SourceRateLimiter

    init(index: Int, socket: UDPSocket, placement: WorkerPlacement?, batchSize: Int, maximumFanOut: Int,
         idleTimeout: Duration, handshakeTimeout: Duration, replayWindowSize: Int, rateLimiter: SourceRateLimiter,
         segmentation: Bool = false, control: any WorkerControl) {
        self.index = index
        self.socket = socket
        self.placement = placement
        func nanoseconds(_ duration: Duration) -> UInt64 {
            let (seconds, attoseconds) = duration.components
            return UInt64(max(seconds, 0)) * 1_000_000_000 + UInt64(max(attoseconds, 0) / 1_000_000_000)
        }
        self.idleTimeout = nanoseconds(idleTimeout)
        self.handshakeTimeout = nanoseconds(handshakeTimeout)
        self.replayWindowSize = replayWindowSize
        self.rateLimiter = rateLimiter
        self.control = control
        receive = MessageVectors(count: batchSize)
        transmit = TransmitQueue(packets: max(1, min(batchSize / 2, 16)), fanOut: maximumFanOut,
                                 segmentation: segmentation)
        scratch = .allocate(byteCount: 2048, alignment: 16)
    }

    deinit { scratch.deallocate() }

    /// Queues `command` for the worker (any thread).
    func post(_ command: WorkerCommand) {
        inbox.withLock { $0.append(command) }
        pending.add(1, ordering: .releasing)
    }

    func start(thread makeThread: (@escaping @Sendable () -> Void) -> Void) {
        running.store(true, ordering: .relaxed)
        makeThread { self.run() }
    }

    /// Asks the loop to end (it notices within the socket's receive timeout).
    func requestStop() { running.store(false, ordering: .relaxed) }

    var isFinished: Bool { done.load(ordering: .acquiring) }

    /// The node the worker's memory was placed on (nil until then, or when it was not).
    var memoryNode: Int? {
        let node = placedNode.load(ordering: .acquiring)
        return node >= 0 ? node : nil
    }

    private func run() {
        _ = CNetShim_setCurrentThreadName("md-worker-\(index)")
        if let placement { _ = CNetShim_pinCurrentThread(Int32(placement.cpu)) }
        // On a machine with several NUMA nodes: this thread's allocations (hop contexts as
        // they are installed, the batches below) prefer its node, and the batches made on
        // the control thread are remade here, so that their pages are first touched, and
        // placed, on that node. On one node there is nothing to do.
        if let node = placement?.node, CNetShim_numaPreferNode(Int32(node)) == 0 {
            receive = MessageVectors(count: receive.count)
            transmit = TransmitQueue(packets: transmit.packets, fanOut: transmit.fanOut,
                                     segmentation: transmit.segmentation)
            placedNode.store(node, ordering: .releasing)
        }
        var nextIdleCheck: UInt64 = 0
        while running.load(ordering: .relaxed) {
            if pending.load(ordering: .acquiring) > 0 { applyCommands() }
            receive.prepareForReceive()
            let received = CNetShim_recvmmsg(socket.fd, receive.headers, UInt32(receive.count))
            let now = monotonicNanoseconds()
            if received > 0 {
                local.datagramsReceived += Int(received)
                for i in 0..<Int(received) { process(slot: i, now: now) }
                local.dropped += transmit.flush(socket: socket)
            }
            if now >= nextIdleCheck {
                checkIdle(now: now)
                nextIdleCheck = now + 100_000_000
            }
            counters.publish(local)
        }
        done.store(true, ordering: .releasing)
    }

    /// Every datagram ends in one counter: see ``MediaDistributorStatistics``.
    private func process(slot i: Int, now: UInt64) {
        let length = Int(receive.headers[i].msg_len)
        guard receive.headers[i].msg_hdr.msg_flags & Int32(MSG_TRUNC) == 0 else {
            local.oversized += 1
            return
        }
        guard length > 0, let address = EndpointAddress(receive.addresses + i) else {
            local.unclassified += 1
            return
        }
        let datagram = UnsafeRawBufferPointer(start: receive.buffers[i], count: length)
        switch PacketClass(datagram) {
        case .stun: answerSTUN(datagram, from: address, now: now)
        case .dtls: tunnelDTLS(datagram, from: address, now: now)
        case .rtp: forwardRTP(datagram, from: address, now: now)
        case .rtcp: forwardRTCP(slot: i, length: length, from: address, now: now)
        case .other: local.unclassified += 1
        }
    }

    private func answerSTUN(_ datagram: UnsafeRawBufferPointer, from address: EndpointAddress, now: UInt64) {
        guard let request = STUNBinding.parseRequest(datagram) else {
            local.malformedSTUN += 1
            return
        }
        guard rateLimiter.admit(address, now: now) else {
            local.rateLimited += 1
            return
        }
        // Bind first, so that the binding exists once the endpoint has its answer. A request
        // naming no membership is a consent check: answered only for a bound address.
        let known = endpointsByAddress[address]
        if let (conference, participant) = request.membership {
            if known?.conferenceName != conference || known?.participant != participant,
               !control.endpointBound(address, conference: conference, participant: participant, worker: index) {
                local.joinsRefused += 1
                return
            }
        } else if known == nil {
            local.unboundSTUN += 1
            return
        }
        let length = request.transactionID.withUnsafeBytes { id in
            STUNBinding.writeSuccess(transactionID: id, address: address, into: scratch)
        }
        if length > 0, socket.send(UnsafeRawBufferPointer(rebasing: scratch[0..<length]), to: address) {
            local.stunAnswered += 1
        } else {
            local.dropped += 1
        }
    }

    /// DTLS goes to the Key Distributor only from a bound address, within its source's rate.
    private func tunnelDTLS(_ datagram: UnsafeRawBufferPointer, from address: EndpointAddress, now: UInt64) {
        guard endpointsByAddress[address] != nil else {
            local.unboundDTLS += 1
            return
        }
        guard rateLimiter.admit(address, now: now) else {
            local.rateLimited += 1
            return
        }
        if control.endpointSentDTLS(Array(datagram), from: address) {
            local.dtlsToKeyDistributor += 1
        } else {
            local.unboundDTLS += 1
        }
    }

    /// Whether `sender` owns `ssrc` in its conference (the first endpoint to use it does).
    @inline(__always)
    func owns(_ ssrc: UInt32, _ sender: WorkerEndpoint) -> Bool {
        let key = UInt64(UInt32(truncatingIfNeeded: sender.conference)) << 32 | UInt64(ssrc)
        if let owner = ssrcOwners[key] { return owner == sender.slot }
        let owner = control.claimSSRC(key, slot: sender.slot)
        ssrcOwners[key] = owner
        return owner == sender.slot
    }

    /// Expires home endpoints silent for the idle timeout (since their hop keys arrived, or
    /// since their last media), or without hop keys for the handshake timeout since binding.
    private func checkIdle(now: UInt64) {
        for endpoint in bySlot.values where endpoint.isHome && !endpoint.expiring {
            let pending = endpoint.inbound == nil
            guard now &- endpoint.lastActivity > (pending ? handshakeTimeout : idleTimeout) else { continue }
            endpoint.expiring = true
            control.endpointExpired(slot: endpoint.slot, handshakePending: pending)
        }
    }

    // MARK: control commands

    private func applyCommands() {
        let commands = inbox.withLock { inbox -> [WorkerCommand] in
            defer { inbox.removeAll(keepingCapacity: true) }
            return inbox
        }
        pending.subtract(commands.count, ordering: .relaxed)
        var changed: Set<Int> = []
        let now = monotonicNanoseconds()
        for command in commands {
            switch command {
            case .upsert(let snapshot):
                let endpoint = bySlot[snapshot.slot] ?? WorkerEndpoint(slot: snapshot.slot, address: snapshot.address)
                bySlot[snapshot.slot] = endpoint
                if endpoint.address != snapshot.address {
                    endpointsByAddress.removeValue(forKey: endpoint.address)
                    endpoint.move(to: snapshot.address)
                }
                endpointsByAddress[snapshot.address] = endpoint
                if endpoint.conference != snapshot.conference {
                    if endpoint.conference >= 0 {
                        members[endpoint.conference]?.removeAll { $0 === endpoint }
                        if members[endpoint.conference]?.isEmpty == true { members.removeValue(forKey: endpoint.conference) }
                        ssrcOwners = ssrcOwners.filter { $0.value != snapshot.slot }
                        changed.insert(endpoint.conference)
                    }
                    members[snapshot.conference, default: []].append(endpoint)
                    endpoint.conference = snapshot.conference
                }
                endpoint.conferenceName = snapshot.conferenceName
                endpoint.participant = snapshot.participant
                let home = snapshot.homeWorker == index
                let awaitedKeys = endpoint.inbound == nil
                endpoint.install(snapshot.keys, replayWindowSize: replayWindowSize)
                if !awaitedKeys && endpoint.inbound == nil {   // keys dropped: its SSRCs are free
                    ssrcOwners = ssrcOwners.filter { $0.value != snapshot.slot }
                }
                // The idle clock starts when the endpoint becomes this worker's, and again when
                // its first hop keys arrive (a slow handshake does not use up its idle time).
                if home && (!endpoint.isHome || awaitedKeys && endpoint.inbound != nil) { endpoint.lastActivity = now }
                endpoint.isHome = home
                changed.insert(snapshot.conference)
            case .remove(let slot):
                guard let endpoint = bySlot.removeValue(forKey: slot) else { continue }
                if endpointsByAddress[endpoint.address] === endpoint { endpointsByAddress.removeValue(forKey: endpoint.address) }
                members[endpoint.conference]?.removeAll { $0 === endpoint }
                if members[endpoint.conference]?.isEmpty == true { members.removeValue(forKey: endpoint.conference) }
                ssrcOwners = ssrcOwners.filter { $0.value != slot }
                changed.insert(endpoint.conference)
            }
        }
        for conference in changed { rebuildTargets(conference) }
    }

    /// Every member's fan-out list: the other members that have hop keys.
    private func rebuildTargets(_ conference: Int) {
        let all = members[conference] ?? []
        for member in all {
            let receivers = all.filter { $0 !== member && $0.outbound != nil }
            member.targetEndpoints = Array(receivers.prefix(transmit.fanOut))
            member.targets = member.targetEndpoints.map { RelayTarget(hop: $0.outbound!) }
        }
    }
}

/// The current `CLOCK_MONOTONIC` time in nanoseconds (a vDSO call).
func monotonicNanoseconds() -> UInt64 {
    var time = timespec()
    clock_gettime(CLOCK_MONOTONIC, &time)
    return UInt64(time.tv_sec) * 1_000_000_000 + UInt64(time.tv_nsec)
}
