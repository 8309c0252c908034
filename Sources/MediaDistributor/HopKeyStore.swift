// SPDX-License-Identifier: Apache-2.0
// Copyright 2026 the swift-perc authors

import PERC
import PERCTunnel
import SRTP

/// One association's hop-by-hop keys as the distributor holds them: the outer halves of
/// both directions, nothing else.
public struct HopKeys: Sendable {
    /// The double profile whose outer halves these are.
    public let profile: DoubleProfile
    /// Endpoint to distributor (`client_write`): opens what the endpoint sends.
    public let endpointToDistributor: SRTPMasterKey
    /// Distributor to endpoint (`server_write`): seals what the endpoint receives.
    public let distributorToEndpoint: SRTPMasterKey
    /// Counts installs for the association: a new MediaKeys (a DTLS rekey) makes a new
    /// generation, which replaces the hop contexts.
    public let generation: Int
}

/// The distributor's key store: the hop keys of every association, installed from MediaKeys.
///
/// It accepts only keys that are exactly one outer half of an offered double profile (16 or
/// 32 byte key, 12 byte salt), no MKI. A double-length (inner and outer) key is refused, so
/// an end-to-end half can never be stored. ``heldKeyLengths`` lets a test check that at any
/// time. Not thread-safe: the distributor guards it with its control lock.
struct HopKeyStore {
    private(set) var keys: [AssociationID: HopKeys] = [:]
    private var generations = 0
    let offered: [DoubleProfile]

    init(offered: [DoubleProfile]) { self.offered = offered }

    /// Checks and stores `message`'s keys, replacing earlier ones for the association.
    mutating func install(_ message: MediaKeys) throws(MediaDistributorError) -> HopKeys {
        guard let profile = offered.first(where: { $0.dtlsIdentifier == message.protectionProfile }) else {
            throw .unsupportedProfile(message.protectionProfile)
        }
        guard message.mki.isEmpty else { throw .mkiNotSupported }
        let checks = [("client_write_SRTP_master_key", message.clientWriteMasterKey.count, profile.halfKeyLength),
                      ("server_write_SRTP_master_key", message.serverWriteMasterKey.count, profile.halfKeyLength),
                      ("client_write_SRTP_master_salt", message.clientWriteMasterSalt.count, profile.halfSaltLength),
                      ("server_write_SRTP_master_salt", message.serverWriteMasterSalt.count, profile.halfSaltLength)]
        for (field, actual, expected) in checks where actual != expected {
            throw .notAnOuterHalf(field: field, expected: expected, actual: actual)
        }
        generations += 1
        let keys = HopKeys(profile: profile, endpointToDistributor: message.clientWrite,
                           distributorToEndpoint: message.serverWrite, generation: generations)
        self.keys[message.associationID] = keys
        return keys
    }

    /// Drops the association's keys.
    mutating func remove(_ association: AssociationID) { keys.removeValue(forKey: association) }

    /// For every held key and salt: (its length, the profile's outer-half length).
    var heldKeyLengths: [(held: Int, outerHalf: Int)] {
        keys.values.flatMap { keys in
            [(keys.endpointToDistributor.key.count, keys.profile.halfKeyLength),
             (keys.distributorToEndpoint.key.count, keys.profile.halfKeyLength),
             (keys.endpointToDistributor.salt.count, keys.profile.halfSaltLength),
             (keys.distributorToEndpoint.salt.count, keys.profile.halfSaltLength)]
        }
    }
}
