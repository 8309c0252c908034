// SPDX-License-Identifier: Apache-2.0
// Copyright 2026 the swift-perc authors

import TestSupport
import PERC
import SRTP

/// The outer (hop-by-hop) layer of a double packet handled on its own, as the plain RFC 7714
/// AEAD packet it is: a fresh single-layer context per call, so `roc` is exactly the ROC used.
/// Tests use it to look inside a hop (the OHB) and to craft packets a relay could send.
enum OuterLayer {
    /// `header | C_in | T_in | OHB` of a double packet (without any EKT field).
    static func open(_ packet: [UInt8], profile: DoubleProfile, key: SRTPMasterKey, roc: UInt32 = 0) throws -> [UInt8] {
        var configuration = SRTPConfiguration()
        configuration.initialROC = roc
        return try SRTPReceiver(profile: profile.halfProfile, masterKey: key.key, masterSalt: key.salt,
                                configuration: configuration).unprotect(packet)
    }

    /// Seals `header | outer plaintext` with the hop key at `roc` and the header's SEQ.
    static func seal(_ plain: [UInt8], profile: DoubleProfile, key: SRTPMasterKey, roc: UInt32 = 0) throws -> [UInt8] {
        var configuration = SRTPConfiguration()
        configuration.initialROC = roc
        return try SRTPSender(profile: profile.halfProfile, masterKey: key.key, masterSalt: key.salt,
                              configuration: configuration).protect(plain)
    }

    /// A copy of `packet` whose outer plaintext went through `edit` and was sealed again.
    static func reseal(_ packet: [UInt8], profile: DoubleProfile, key: SRTPMasterKey, roc: UInt32 = 0,
                       _ edit: (inout [UInt8]) -> Void) throws -> [UInt8] {
        var plain = try open(packet, profile: profile, key: key, roc: roc)
        edit(&plain)
        return try seal(plain, profile: profile, key: key, roc: roc)
    }
}

/// Keys for a sender, its hop to a relay, and the hops behind (distinct random keys).
struct DoubleTestKeys {
    let profile: DoubleProfile
    let inner: SRTPMasterKey
    /// hops[0]: sender -> first relay (or receiver); hops[i]: behind relay i.
    let hops: [SRTPMasterKey]

    init(_ profile: DoubleProfile, hopCount: Int = 4, seed: UInt64 = 7) {
        var rng = SeededGenerator(seed: seed)
        self.profile = profile
        inner = SRTPMasterKey(key: rng.bytes(profile.halfKeyLength), salt: rng.bytes(12))
        hops = (0..<hopCount).map { _ in SRTPMasterKey(key: rng.bytes(profile.halfKeyLength), salt: rng.bytes(12)) }
    }

    func sender(roc: UInt32 = 0, ekt: EKTSender? = nil) throws -> DoubleSender {
        var configuration = SRTPConfiguration()
        configuration.initialROC = roc
        return try DoubleSender(profile: profile, inner: inner, outer: hops[0], configuration: configuration, ekt: ekt)
    }

    func receiver(hop: Int, roc: UInt32 = 0, withInner: Bool = true, ekt: EKTReceiver? = nil) throws -> DoubleReceiver {
        var configuration = SRTPConfiguration()
        configuration.initialROC = roc
        return try DoubleReceiver(profile: profile, inner: withInner ? inner : nil, outer: hops[hop],
                                  configuration: configuration, ekt: ekt)
    }

    /// The relay hops between hop `index` (inbound) and hop `index + 1` (outbound).
    func relay(from index: Int, inROC: UInt32 = 0, outROC: UInt32 = 0, carriesEKT: Bool = false) throws -> (RelayHop, RelayHop) {
        var inConfiguration = SRTPConfiguration(), outConfiguration = SRTPConfiguration()
        inConfiguration.initialROC = inROC
        outConfiguration.initialROC = outROC
        return (try RelayHop(profile: profile, direction: .inbound, outer: hops[index], configuration: inConfiguration,
                             carriesEKT: carriesEKT),
                try RelayHop(profile: profile, direction: .outbound, outer: hops[index + 1],
                             configuration: outConfiguration, carriesEKT: carriesEKT))
    }
}
