// SPDX-License-Identifier: Apache-2.0
// Copyright 2026 the swift-perc authors

import TestSupport
import PERCTunnel
import SRTP
import Synchronization

/// A stand-in Key Distributor on the real TLS tunnel: it answers each endpoint's (fake)
/// DTLS datagram `16 fe fd <name>` with a DTLS-looking reply and MediaKeys carrying the
/// outer halves registered for that name, and records what the distributor sends.
final class FakeKeyDistributor: Sendable {
    let server: TunnelServer
    let profiles = Collected<SupportedProfiles>()
    let disconnects = Collected<AssociationID>()
    let associations = Collected<(name: String, id: AssociationID)>()
    /// Every TunneledDtls the distributor sent, whatever it carried.
    let tunnelledDTLS = Atomic<Int>(0)
    private let keys: Mutex<[String: (SRTPMasterKey, SRTPMasterKey)]>
    private let connection: Mutex<TunnelConnection?>

    static let dtlsPrefix: [UInt8] = [22, 0xFE, 0xFD]

    private init(server: TunnelServer) {
        self.server = server
        keys = Mutex([:])
        connection = Mutex(nil)
    }

    /// Registers the outer halves the KD hands out for endpoint `name`.
    func register(_ name: String, toDistributor: SRTPMasterKey, fromDistributor: SRTPMasterKey) {
        keys.withLock { $0[name] = (toDistributor, fromDistributor) }
    }

    /// Sends `message` to the connected distributor.
    func send(_ message: TunnelMessage) async throws {
        guard let connection = connection.withLock({ $0 }) else { throw TunnelError.truncatedStream(buffered: 0) }
        try await connection.send(message).get()
    }

    static func start(host: String, credentials: TunnelCredentials, port: Int = 0) async throws -> FakeKeyDistributor {
        let holder = Holder()
        let server = try await TunnelServer.start(configuration: .init(host: host, port: port, credentials: credentials)) { event in
            holder.kd?.handle(event)
        }
        let kd = FakeKeyDistributor(server: server)
        holder.kd = kd
        return kd
    }

    private final class Holder: @unchecked Sendable { var kd: FakeKeyDistributor? }

    private func handle(_ event: TunnelServer.Event) {
        switch event {
        case .connected(let connection, let profiles):
            self.connection.withLock { $0 = connection }
            self.profiles.append(profiles)
        case .message(let connection, .tunneledDtls(let dtls)):
            tunnelledDTLS.add(1, ordering: .relaxed)
            guard dtls.dtlsMessage.starts(with: Self.dtlsPrefix) else { return }
            let name = String(decoding: dtls.dtlsMessage.dropFirst(3), as: UTF8.self)
            associations.append((name, dtls.associationID))
            connection.send(.tunneledDtls(TunneledDtls(associationID: dtls.associationID,
                                                       dtlsMessage: Self.dtlsPrefix + Array("hello \(name)".utf8))))
            guard let (toDistributor, fromDistributor) = keys.withLock({ $0[name] }) else { return }
            connection.send(.mediaKeys(MediaKeys(
                associationID: dtls.associationID, protectionProfile: 0x0009,
                clientWriteMasterKey: SecretBytes(toDistributor.key), serverWriteMasterKey: SecretBytes(fromDistributor.key),
                clientWriteMasterSalt: toDistributor.salt, serverWriteMasterSalt: fromDistributor.salt)))
        case .message(_, .endpointDisconnect(let disconnect)):
            disconnects.append(disconnect.associationID)
        case .message, .disconnected:
            break
        }
    }
}
