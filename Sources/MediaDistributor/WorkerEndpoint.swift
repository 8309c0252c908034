// SPDX-License-Identifier: Apache-2.0
// Copyright 2026 the swift-perc authors

import PERC
import SRTP
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// One endpoint as a worker holds it: its address, and this worker's own hop contexts built
/// from the endpoint's hop keys. Owned and mutated by one worker thread only.
///
/// Every worker has its own contexts for every endpoint (same keys, separate ROC and replay
/// state). That is safe because the state is per SSRC and every SSRC of a conference is
/// claimed by one endpoint, whose datagrams all reach one worker: two workers never seal or
/// open the same (key, SSRC) stream.
final class WorkerEndpoint {
    let slot: Int
    private(set) var address: EndpointAddress
    /// The address as a `sockaddr`, for `sendmmsg` (stable for the endpoint's lifetime).
    let socketAddress: UnsafeMutablePointer<sockaddr_storage>
    private(set) var socketAddressLength: socklen_t
    var conference = -1
    var conferenceName = ""
    var participant = ""
    var isHome = false
    var lastActivity: UInt64 = 0
    var expiring = false

    private(set) var keysGeneration = 0
    /// Opens the endpoint's SRTP (client_write outer half), passing EKT fields through.
    private(set) var inbound: RelayHop?
    /// Seals SRTP to the endpoint (server_write outer half).
    private(set) var outbound: RelayHop?
    /// Opens the endpoint's SRTCP.
    private(set) var rtcpInbound: SRTPReceiver?
    /// Seals SRTCP to the endpoint.
    private(set) var rtcpOutbound: SRTPSender?

    /// The outbound hops of the other keyed members of the conference, and those members
    /// (same order): the fan-out list, rebuilt when membership or keys change.
    var targets: [RelayTarget] = []
    var targetEndpoints: [WorkerEndpoint] = []

    init(slot: Int, address: EndpointAddress) {
        self.slot = slot
        self.address = address
        socketAddress = .allocate(capacity: 1)
        socketAddressLength = address.write(to: socketAddress)
    }

    deinit { socketAddress.deallocate() }

    func move(to newAddress: EndpointAddress) {
        address = newAddress
        socketAddressLength = newAddress.write(to: socketAddress)
    }

    /// Replaces the hop contexts when `keys` is a new generation (or drops them for nil).
    func install(_ keys: HopKeys?, replayWindowSize: Int) {
        guard let keys else {
            (inbound, outbound, rtcpInbound, rtcpOutbound, keysGeneration) = (nil, nil, nil, nil, 0)
            return
        }
        guard keys.generation != keysGeneration else { return }
        var configuration = SRTPConfiguration()
        configuration.replayWindowSize = replayWindowSize
        do {
            let half = keys.profile.halfProfile
            let endpoint = keys.endpointToDistributor, distributor = keys.distributorToEndpoint
            inbound = try RelayHop(profile: keys.profile, direction: .inbound, outer: endpoint,
                                   configuration: configuration, carriesEKT: true)
            outbound = try RelayHop(profile: keys.profile, direction: .outbound, outer: distributor,
                                    configuration: configuration, carriesEKT: true)
            rtcpInbound = try SRTPReceiver(profile: half, masterKey: endpoint.key, masterSalt: endpoint.salt,
                                           configuration: configuration)
            rtcpOutbound = try SRTPSender(profile: half, masterKey: distributor.key, masterSalt: distributor.salt,
                                          configuration: configuration)
            keysGeneration = keys.generation
        } catch {
            (inbound, outbound, rtcpInbound, rtcpOutbound, keysGeneration) = (nil, nil, nil, nil, 0)
        }
    }
}
