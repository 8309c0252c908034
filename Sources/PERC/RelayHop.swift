// SPDX-License-Identifier: Apache-2.0
// Copyright 2026 the swift-perc authors

import SRTP

/// One hop-by-hop (outer) context of a media distributor: the outer half of one endpoint's
/// keys for one direction, with that hop's own ROC and index state.
///
/// An ``inbound`` hop opens what an endpoint sent (receiver rules: initial ROC for its first
/// accepted packet, then estimation, and a replay window); an ``outbound`` hop seals what the
/// distributor sends to an endpoint (sender rules: initial ROC, then estimation relative to
/// the highest index sent), and seals each SSRC's index at most once: an index it sealed
/// already, or one behind its window, is refused (``SRTPError/replayed(ssrc:index:)``,
/// ``SRTPError/tooOld(ssrc:index:)``), whichever inbound hop it came from, so no GCM nonce
/// repeats under the hop's key. The distributor never holds end-to-end keys.
public final class RelayHop {
    /// Which way packets cross this hop.
    public enum Direction: Sendable { case inbound, outbound }

    /// The double profile whose outer half this hop runs.
    public let profile: DoubleProfile
    public let direction: Direction
    /// Initial ROC, replay window size (inbound), backend.
    public let configuration: SRTPConfiguration
    /// Whether packets on this hop end with an EKT field, which the relay passes through.
    public let carriesEKT: Bool
    package let keys: SRTPKeys
    package let streams: StreamTable
    private let masterKey: SecretBytes
    /// Where a fan-out keeps the opened packet between the open and the seals.
    let scratch = RelayScratch()

    /// - Parameter outer: the hop's outer master key and salt (16/32 + 12 bytes).
    public init(profile: DoubleProfile, direction: Direction, outer: SRTPMasterKey,
                configuration: SRTPConfiguration = .init(), carriesEKT: Bool = false) throws(SRTPError) {
        var configuration = configuration
        configuration.mki = nil
        self.profile = profile
        self.direction = direction
        self.configuration = try configuration.validatedForRelay()
        self.carriesEKT = carriesEKT
        keys = try SRTPKeys(profile: profile.halfProfile, masterKey: outer.key, masterSalt: outer.salt, mki: nil,
                            backend: configuration.backend)
        streams = StreamTable(windowSize: configuration.replayWindowSize)
        masterKey = SecretBytes(outer.key)
    }

    /// Whether this hop and `other` use the same master key (compared in constant time).
    public func sharesKey(with other: RelayHop) -> Bool { masterKey == other.masterKey }

    /// The ROC this hop holds for `ssrc` (highest index accepted or sent), nil before the first packet.
    public func rolloverCounter(for ssrc: UInt32) -> UInt32? {
        streams.highestIndex(ssrc: ssrc).map { UInt32(truncatingIfNeeded: $0 >> 16) }
    }
}

extension SRTPConfiguration {
    func validatedForRelay() throws(SRTPError) -> SRTPConfiguration {
        guard (64...32768).contains(replayWindowSize) else {
            throw .invalidParameter("replay window must be 64...32768, got \(replayWindowSize)")
        }
        return self
    }
}
