// SPDX-License-Identifier: Apache-2.0
// Copyright 2026 the swift-perc authors

import CNetShim
import Foundation
import PERC
import PERCTunnel
import SRTP
import Synchronization

/// A PERC Media Distributor (RFC 8871): an SFU that holds only hop-by-hop keys.
///
/// **Data plane.** N workers, each with its own SO_REUSEPORT UDP socket on the media port,
/// pinned to a core; where the machine has several NUMA nodes, each worker's memory comes
/// from its core's node (``CPUTopology``, through libnuma when it is installed). Datagrams are demultiplexed by first byte (RFC 7983): STUN Binding
/// Requests are answered and bind the sender's 5-tuple to `conference:participant` (see
/// ``STUNBinding``); DTLS goes to the Key Distributor in TunneledDtls; SRTP is outer-opened
/// once and resealed for every other keyed participant of the conference, EKT fields passed
/// through; SRTCP is opened and resealed hop by hop.
///
/// **Control plane.** Each new 5-tuple gets a random association ID. MediaKeys from the KD
/// install that association's hop keys (client_write opens, server_write seals), replacing
/// earlier ones; EndpointDisconnect from the KD drops them. The distributor sends
/// EndpointDisconnect when an endpoint sends no SRTP/SRTCP for ``Configuration/idleTimeout``
/// or ``leave(conference:participant:)`` is called, and when a bound endpoint has no hop keys
/// ``Configuration/handshakeTimeout`` after binding. Media keeps flowing with the installed
/// keys while the tunnel is down; the ``TunnelClient`` reconnects in the background, and the
/// EndpointDisconnects made meanwhile are sent once it is up again.
///
/// **Bounds on hostile input.** At most ``Configuration/maximumAssociations`` endpoints are
/// bound (further STUN joins are refused, not answered); a Binding Request that names no
/// `conference:participant` (a consent check) is answered only for a bound address; DTLS is
/// tunnelled only from an address bound with STUN; STUN requests and DTLS datagrams are rate-limited per source
/// (``Configuration/controlRatePerSource``); a conference's number is reclaimed when its
/// last endpoint goes. Every datagram dropped is counted once in ``statistics``.
///
/// ```swift
/// let md = try MediaDistributor(configuration: .init(mediaHost: "::1", mediaPort: 5004,
///     keyDistributor: .init(host: "::1", port: 4443, credentials: certs.mediaDistributorCredentials())))
/// md.start()
/// ```
public final class MediaDistributor: Sendable {
    /// Where the Key Distributor's tunnel is.
    public struct KeyDistributorLink: Sendable {
        /// The KD's tunnel host (IPv4/IPv6 literal or name).
        public var host: String
        /// The KD's tunnel port.
        public var port: Int
        /// The MD's certificate and key, and the CA the KD's certificate must chain to.
        public var credentials: TunnelCredentials
        /// First reconnect delay (doubling up to 5 s).
        public var initialBackoff: Duration

        /// A link; see the properties for each value.
        public init(host: String, port: Int, credentials: TunnelCredentials, initialBackoff: Duration = .milliseconds(100)) {
            self.host = host
            self.port = port
            self.credentials = credentials
            self.initialBackoff = initialBackoff
        }
    }

    /// The distributor's settings.
    public struct Configuration: Sendable {
        /// Numeric media address: `"127.0.0.1"`, `"::1"`, `"0.0.0.0"`, `"::"`.
        public var mediaHost: String
        /// Media port; 0 picks a free one (see ``MediaDistributor/mediaPort``).
        public var mediaPort: Int
        /// Worker threads (one socket each).
        public var workers: Int
        /// Pin each worker to a CPU, and on a machine with several NUMA nodes keep its memory
        /// on that CPU's node (``CPUTopology/placements(workers:)``).
        public var pinWorkers: Bool
        /// Silence after which an endpoint is disconnected.
        public var idleTimeout: Duration
        /// The double profiles offered in SupportedProfiles (and accepted in MediaKeys).
        public var profiles: [DoubleProfile]
        /// The KD tunnel; nil runs without one (keys come through ``handle(_:)``).
        public var keyDistributor: KeyDistributorLink?
        /// Datagrams per `recvmmsg`.
        public var batchSize: Int
        /// Most receivers one packet is resealed for.
        public var maximumFanOut: Int
        /// Replay window of every hop context.
        public var replayWindowSize: Int
        /// The CPUs and NUMA nodes to place pinned workers on; nil: the machine's
        /// (``CPUTopology/current()``).
        public var topology: CPUTopology?
        /// Whether the copies a receive batch makes for one receiver leave in UDP GSO sends
        /// (UDP_SEGMENT) where the kernel has it; otherwise one datagram per `sendmmsg` entry.
        public var segmentationOffload = true
        /// Most endpoints bound at once (each holds hop contexts in every worker and, while its
        /// DTLS handshake runs, state in the Key Distributor). STUN joins from new addresses
        /// beyond it are refused (``MediaDistributorStatistics/joinsRefused``) until one leaves.
        public var maximumAssociations: Int
        /// How long a bound endpoint may stay without hop keys (its DTLS handshake unfinished,
        /// or its keys withdrawn by the KD) before it is dropped with EndpointDisconnect.
        public var handshakeTimeout: Duration
        /// STUN requests plus DTLS datagrams per second one source address (IP and port) may
        /// send; the excess is dropped (``MediaDistributorStatistics/rateLimited``). Endpoints
        /// need a few per second (binding retries, consent checks, handshake flights).
        public var controlRatePerSource: Int
        /// The burst a source may send above ``controlRatePerSource`` after a quiet spell.
        public var controlBurstPerSource: Int
        /// Token buckets per worker for the rate limit (fixed memory; sources whose addresses
        /// hash to one bucket share it).
        public var rateLimitBuckets: Int

        /// A configuration; see the properties for each value.
        public init(mediaHost: String = "127.0.0.1", mediaPort: Int = 0, workers: Int = 1, pinWorkers: Bool = true,
                    idleTimeout: Duration = .seconds(30), profiles: [DoubleProfile] = [.aes128Gcm, .aes256Gcm],
                    keyDistributor: KeyDistributorLink? = nil, batchSize: Int = 32, maximumFanOut: Int = 64,
                    replayWindowSize: Int = 1024, topology: CPUTopology? = nil, maximumAssociations: Int = 10_000,
                    handshakeTimeout: Duration = .seconds(30), controlRatePerSource: Int = 50,
                    controlBurstPerSource: Int = 100, rateLimitBuckets: Int = 4096) {
            self.mediaHost = mediaHost
            self.mediaPort = mediaPort
            self.workers = workers
            self.pinWorkers = pinWorkers
            self.idleTimeout = idleTimeout
            self.profiles = profiles
            self.keyDistributor = keyDistributor
            self.batchSize = batchSize
            self.maximumFanOut = maximumFanOut
            self.replayWindowSize = replayWindowSize
            self.topology = topology
            self.maximumAssociations = maximumAssociations
            self.handshakeTimeout = handshakeTimeout
            self.controlRatePerSource = controlRatePerSource
            self.controlBurstPerSource = controlBurstPerSource
            self.rateLimitBuckets = rateLimitBuckets
        }
    }

    /// The control plane's record of one endpoint 5-tuple.
    private struct Association {
        let id: AssociationID
        let slot: Int
        let address: EndpointAddress
        var conference: (id: Int, name: String, participant: String)?
        var homeWorker = 0
    }

    private struct ControlState {
        var associations: [EndpointAddress: Association] = [:]
        var addresses: [AssociationID: EndpointAddress] = [:]
        /// Every conference with bound endpoints: its number and how many are bound.
        var conferences: [String: (id: Int, members: Int)] = [:]
        /// Numbers of conferences that emptied, reused first.
        var freeConferenceIDs: [Int] = []
        var nextSlot = 0
        var keyStore: HopKeyStore
        var ssrcOwners: [UInt64: Int] = [:]
        var disconnectsSent = 0
        var handshakesExpired = 0
        var rejectedMediaKeys = 0
        /// EndpointDisconnects made while the tunnel was down, sent when it is up again.
        var undeliveredDisconnects: [AssociationID] = []
        /// Endpoints' DTLS that arrived while the tunnel was down, with the time it came.
        var undeliveredDTLS: [(message: TunneledDtls, at: ContinuousClock.Instant)] = []
        var dtlsHeld = 0
    }

    /// The settings.
    public let configuration: Configuration
    /// The tunnel to the KD, when configured.
    public let tunnel: TunnelClient?
    private let workers: [MediaWorker]
    private let control: Mutex<ControlState>
    private let threadsStarted = Atomic<Bool>(false)

    /// The bound media port.
    public var mediaPort: Int { Int(workers[0].socket.localAddress.port) }

    /// Where each worker runs (nil for a worker that is not pinned).
    public var workerPlacements: [WorkerPlacement?] { workers.map(\.placement) }

    /// The NUMA node each worker's memory comes from, once its thread has started: nil for a
    /// worker without a node in its placement (one node, or not pinned), or when libnuma is
    /// missing or refused the node.
    public var workerMemoryNodes: [Int?] { workers.map(\.memoryNode) }

    /// Binds the media sockets (and prepares the tunnel; nothing runs before ``start()``).
    /// - Throws: ``MediaDistributorError`` for a bad address or a socket failure; TLS
    ///   configuration errors from the tunnel.
    public init(configuration: Configuration) throws {
        guard let address = EndpointAddress(host: configuration.mediaHost, port: configuration.mediaPort) else {
            throw MediaDistributorError.invalidAddress("\(configuration.mediaHost):\(configuration.mediaPort)")
        }
        self.configuration = configuration
        control = Mutex(ControlState(keyStore: HopKeyStore(offered: configuration.profiles)))
        let proxy = ControlProxy()
        let count = max(configuration.workers, 1)
        let topology = configuration.topology ?? CPUTopology.current()
        let placements = configuration.pinWorkers ? topology.placements(workers: count) : []
        var workers: [MediaWorker] = []
        var bindAddress = address
        if count > 1, address.port == 0 {
            // Linux may give an SO_REUSEPORT socket bound to port 0 a port that another
            // SO_REUSEPORT socket of the same user holds, and then the two split its datagrams:
            // take a port nobody holds without the option first, then bind the workers to it.
            let probe = try UDPSocket(address: address, reusePort: false, receiveTimeoutMilliseconds: 50)
            bindAddress = probe.localAddress
            probe.close()
        }
        for index in 0..<count {
            // One worker needs no SO_REUSEPORT, and without it the port is the socket's alone.
            let socket = try UDPSocket(address: bindAddress, reusePort: count > 1, receiveTimeoutMilliseconds: 50)
            bindAddress = socket.localAddress
            workers.append(MediaWorker(
                index: index, socket: socket, placement: placements.isEmpty ? nil : placements[index],
                batchSize: configuration.batchSize, maximumFanOut: configuration.maximumFanOut,
                idleTimeout: configuration.idleTimeout, handshakeTimeout: configuration.handshakeTimeout,
                replayWindowSize: configuration.replayWindowSize,
                rateLimiter: SourceRateLimiter(rate: configuration.controlRatePerSource,
                                               burst: configuration.controlBurstPerSource,
                                               buckets: configuration.rateLimitBuckets),
                segmentation: configuration.segmentationOffload && socket.segmentationAvailable, control: proxy))
        }
        self.workers = workers
        if let link = configuration.keyDistributor {
            let (seconds, attoseconds) = link.initialBackoff.components
            tunnel = try TunnelClient(
                configuration: .init(host: link.host, port: link.port, credentials: link.credentials,
                                     protectionProfiles: configuration.profiles.map(\.dtlsIdentifier),
                                     initialBackoff: .nanoseconds(seconds * 1_000_000_000 + attoseconds / 1_000_000_000)),
                onEvent: { event in
                    switch event {
                    case .message(let message): try? proxy.distributor?.handle(message)
                    case .connected: proxy.distributor?.sendUndelivered()
                    case .disconnected: break
                    }
                })
        } else {
            tunnel = nil
        }
        proxy.distributor = self
    }

    /// Starts the workers and the tunnel.
    public func start() {
        guard !threadsStarted.exchange(true, ordering: .relaxed) else { return }
        for worker in workers {
            worker.start { body in
                let thread = Thread { body() }
                thread.start()
            }
        }
        tunnel?.start()
    }

    /// Stops the workers (within about 50 ms) and the tunnel, and closes the sockets.
    public func stop() async {
        for worker in workers { worker.requestStop() }
        await tunnel?.stop()
        if threadsStarted.load(ordering: .relaxed) {
            while !workers.allSatisfy(\.isFinished) { try? await Task.sleep(for: .milliseconds(10)) }
        }
        for worker in workers { worker.socket.close() }
    }

    /// The data-plane counters, summed over the workers.
    public var statistics: MediaDistributorStatistics {
        workers.map(\.counters.snapshot).reduce(MediaDistributorStatistics(), +)
    }

    /// EndpointDisconnect messages sent so far (idle and handshake timeouts, and leaves).
    public var disconnectsSent: Int { control.withLock { $0.disconnectsSent } }

    /// Endpoints dropped because they had no hop keys ``Configuration/handshakeTimeout``
    /// after binding (counted in ``disconnectsSent`` too).
    public var handshakesExpired: Int { control.withLock { $0.handshakesExpired } }

    /// Endpoint DTLS datagrams held while the tunnel was down (and sent once it was up, if
    /// still fresh).
    public var dtlsHeld: Int { control.withLock { $0.dtlsHeld } }

    /// Endpoints bound now (at most ``Configuration/maximumAssociations``).
    public var associationCount: Int { control.withLock { $0.associations.count } }

    /// Conferences with at least one bound endpoint.
    public var conferenceCount: Int { control.withLock { $0.conferences.count } }

    /// MediaKeys refused so far (unknown association, wrong profile, not an outer half).
    public var rejectedMediaKeys: Int { control.withLock { $0.rejectedMediaKeys } }

    /// The association ID of `participant`'s 5-tuple in `conference`, once it bound with STUN.
    public func association(conference: String, participant: String) -> AssociationID? {
        control.withLock { state in
            state.associations.values.first {
                $0.conference?.name == conference && $0.conference?.participant == participant
            }?.id
        }
    }

    /// For every key and salt in the key store: its length and the profile's outer-half
    /// length. The store accepts nothing else, so the two are always equal.
    public var heldKeyLengths: [(held: Int, outerHalf: Int)] { control.withLock { $0.keyStore.heldKeyLengths } }

    /// The hop keys held for `association`, if any.
    public func hopKeys(for association: AssociationID) -> HopKeys? {
        control.withLock { $0.keyStore.keys[association] }
    }

    /// Handles a message from the Key Distributor (the tunnel calls this; tests may too).
    /// - Throws: ``MediaDistributorError`` for MediaKeys that cannot be installed or a
    ///   message about an unknown association; nothing changes then.
    public func handle(_ message: TunnelMessage) throws(MediaDistributorError) {
        switch message {
        case .tunneledDtls(let dtls):
            guard let address = control.withLock({ $0.addresses[dtls.associationID] }) else {
                throw .unknownAssociation("\(dtls.associationID)")
            }
            dtls.dtlsMessage.withUnsafeBytes { _ = workers[0].socket.send($0, to: address) }
        case .mediaKeys(let keys):
            let snapshot = try control.withLock { state throws(MediaDistributorError) -> EndpointSnapshot? in
                do throws(MediaDistributorError) {
                    guard let address = state.addresses[keys.associationID] else {
                        throw .unknownAssociation("\(keys.associationID)")
                    }
                    _ = try state.keyStore.install(keys)
                    return Self.snapshot(of: state.associations[address]!, in: state)
                } catch {
                    state.rejectedMediaKeys += 1
                    throw error
                }
            }
            if let snapshot { broadcast(.upsert(snapshot)) }
        case .endpointDisconnect(let disconnect):
            let snapshot = try control.withLock { state throws(MediaDistributorError) -> EndpointSnapshot? in
                guard let address = state.addresses[disconnect.associationID] else {
                    throw .unknownAssociation("\(disconnect.associationID)")
                }
                state.keyStore.remove(disconnect.associationID)
                // Without keys it sends nothing, so its SSRCs are free (for the same member
                // joined again on a new association, say). Outbound hops seal each index once,
                // so a new owner cannot make them seal an index twice.
                let slot = state.associations[address]!.slot
                state.ssrcOwners = state.ssrcOwners.filter { $0.value != slot }
                return Self.snapshot(of: state.associations[address]!, in: state)
            }
            if let snapshot { broadcast(.upsert(snapshot)) }
        case .supportedProfiles, .unsupportedVersion:
            break   // the tunnel client handles version negotiation
        }
    }

    /// Removes `participant` from `conference` (conference control says it left) and sends
    /// EndpointDisconnect for its association.
    /// - Returns: false when no such participant is bound.
    @discardableResult
    public func leave(conference: String, participant: String) -> Bool {
        let slot = control.withLock { state in
            state.associations.values.first {
                $0.conference?.name == conference && $0.conference?.participant == participant
            }?.slot
        }
        guard let slot else { return false }
        disconnect(slot: slot)
        return true
    }

    // MARK: worker hooks

    /// Binds `address` to `conference:participant`; false when that would exceed
    /// ``Configuration/maximumAssociations`` (nothing changes then).
    fileprivate func endpointBound(_ address: EndpointAddress, conference: String, participant: String, worker: Int) -> Bool {
        let maximum = configuration.maximumAssociations
        let (bound, snapshot) = control.withLock { state -> (Bool, EndpointSnapshot?) in
            guard state.associations[address] != nil || state.associations.count < maximum else { return (false, nil) }
            var association = Self.association(for: address, in: &state)
            if let old = association.conference {
                Self.release(conference: old.name, in: &state)
                // SSRCs it owned in the old conference are free (that number may be reused).
                if old.name != conference { state.ssrcOwners = state.ssrcOwners.filter { $0.value != association.slot } }
            }
            association.conference = (Self.retain(conference: conference, in: &state), conference, participant)
            association.homeWorker = worker
            state.associations[address] = association
            return (true, Self.snapshot(of: association, in: state))
        }
        if let snapshot { broadcast(.upsert(snapshot)) }
        return bound
    }

    /// Tunnels `datagram` to the KD; false when `address` has not bound with STUN. While the
    /// tunnel is down the datagram is held (at most ``undeliveredDTLSLimit``, for up to
    /// ``undeliveredDTLSLifetime``), so a handshake started then (an endpoint joining a
    /// restarted distributor before its tunnel is up) goes on as soon as the tunnel is up
    /// instead of after the endpoint's retransmission timer.
    fileprivate func endpointSentDTLS(_ datagram: [UInt8], from address: EndpointAddress) -> Bool {
        guard let id = control.withLock({ state in state.associations[address].flatMap { $0.conference == nil ? nil : $0.id } }),
              datagram.count <= TunneledDtls.maximumMessageLength else { return false }
        let message = TunneledDtls(associationID: id, dtlsMessage: datagram)
        guard let tunnel else { return true }
        // Under the lock that ``sendUndelivered()`` takes when the tunnel comes up: either the
        // send finds it up, or the held datagram is there for that flush.
        control.withLock { state in
            guard !tunnel.send(.tunneledDtls(message)), state.undeliveredDTLS.count < Self.undeliveredDTLSLimit else { return }
            state.undeliveredDTLS.append((message, .now))
            state.dtlsHeld += 1
        }
        return true
    }

    /// Most endpoint DTLS datagrams held while the tunnel is down (later ones are dropped;
    /// endpoints retransmit).
    static let undeliveredDTLSLimit = 1024
    /// Held DTLS older than this is dropped when the tunnel comes up (the endpoint has
    /// retransmitted it by then).
    static let undeliveredDTLSLifetime = Duration.seconds(10)

    fileprivate func claimSSRC(_ key: UInt64, slot: Int) -> Int {
        control.withLock { state in
            if let owner = state.ssrcOwners[key] { return owner }
            state.ssrcOwners[key] = slot
            return slot
        }
    }

    fileprivate func disconnect(slot: Int, handshakePending: Bool = false) {
        let removed = control.withLock { state -> Association? in
            guard let association = state.associations.values.first(where: { $0.slot == slot }) else { return nil }
            if let conference = association.conference { Self.release(conference: conference.name, in: &state) }
            if handshakePending && state.keyStore.keys[association.id] == nil { state.handshakesExpired += 1 }
            state.associations.removeValue(forKey: association.address)
            state.addresses.removeValue(forKey: association.id)
            state.keyStore.remove(association.id)
            state.ssrcOwners = state.ssrcOwners.filter { $0.value != slot }
            state.disconnectsSent += 1
            return association
        }
        guard let removed else { return }
        reportDisconnect(removed.id)
        broadcast(.remove(slot: slot))
    }

    /// Sends EndpointDisconnect for `id`, or keeps it for the next connection while the
    /// tunnel is down (a restarted Key Distributor must learn who left while it was away).
    private func reportDisconnect(_ id: AssociationID) {
        guard let tunnel else { return }
        control.withLock { state in
            if !tunnel.send(.endpointDisconnect(EndpointDisconnect(associationID: id))),
               state.undeliveredDisconnects.count < Self.undeliveredDisconnectLimit {
                state.undeliveredDisconnects.append(id)
            }
        }
    }

    /// Most EndpointDisconnects kept while the tunnel is down (the oldest are kept).
    static let undeliveredDisconnectLimit = 65_536

    /// The tunnel is up again: sends the EndpointDisconnects it missed, in order, then the
    /// endpoints' DTLS it held that is still fresh.
    fileprivate func sendUndelivered() {
        guard let tunnel else { return }
        control.withLock { state in
            while let id = state.undeliveredDisconnects.first,
                  tunnel.send(.endpointDisconnect(EndpointDisconnect(associationID: id))) {
                state.undeliveredDisconnects.removeFirst()
            }
            let fresh = state.undeliveredDTLS.filter { .now - $0.at < Self.undeliveredDTLSLifetime }
            state.undeliveredDTLS = []
            for held in fresh where !tunnel.send(.tunneledDtls(held.message)) { state.undeliveredDTLS.append(held) }
        }
    }

    private func broadcast(_ command: WorkerCommand) {
        for worker in workers { worker.post(command) }
    }

    /// The association of `address`, made (with a fresh random ID) on first sight.
    private static func association(for address: EndpointAddress, in state: inout ControlState) -> Association {
        if let known = state.associations[address] { return known }
        var id = AssociationID.random()
        while state.addresses[id] != nil { id = AssociationID.random() }
        let association = Association(id: id, slot: state.nextSlot, address: address)
        state.nextSlot += 1
        state.associations[address] = association
        state.addresses[id] = address
        return association
    }

    /// The number of `conference`, counting one more member (a fresh or reclaimed number for
    /// a new conference).
    private static func retain(conference: String, in state: inout ControlState) -> Int {
        if let known = state.conferences[conference] {
            state.conferences[conference] = (known.id, known.members + 1)
            return known.id
        }
        let id = state.freeConferenceIDs.popLast() ?? state.conferences.count + state.freeConferenceIDs.count
        state.conferences[conference] = (id, 1)
        return id
    }

    /// Counts one member fewer in `conference`; its number is free once it has none.
    private static func release(conference: String, in state: inout ControlState) {
        guard let known = state.conferences[conference] else { return }
        if known.members > 1 {
            state.conferences[conference] = (known.id, known.members - 1)
        } else {
            state.conferences.removeValue(forKey: conference)
            state.freeConferenceIDs.append(known.id)
        }
    }

    /// What the workers need to know of a bound association (nil while unbound).
    private static func snapshot(of association: Association, in state: ControlState) -> EndpointSnapshot? {
        guard let conference = association.conference else { return nil }
        return EndpointSnapshot(slot: association.slot, address: association.address, conference: conference.id,
                                conferenceName: conference.name, participant: conference.participant,
                                homeWorker: association.homeWorker, keys: state.keyStore.keys[association.id])
    }
}

/// The workers' weak link back to the distributor (which owns them).
private final class ControlProxy: WorkerControl, @unchecked Sendable {
    weak var distributor: MediaDistributor?

    func endpointBound(_ address: EndpointAddress, conference: String, participant: String, worker: Int) -> Bool {
        distributor?.endpointBound(address, conference: conference, participant: participant, worker: worker) ?? false
    }

    func endpointSentDTLS(_ datagram: [UInt8], from address: EndpointAddress) -> Bool {
        distributor?.endpointSentDTLS(datagram, from: address) ?? false
    }

    func claimSSRC(_ key: UInt64, slot: Int) -> Int { distributor?.claimSSRC(key, slot: slot) ?? slot }

    func endpointExpired(slot: Int, handshakePending: Bool) {
        distributor?.disconnect(slot: slot, handshakePending: handshakePending)
    }
}
