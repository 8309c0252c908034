// SPDX-License-Identifier: Apache-2.0
// Copyright 2026 the swift-perc authors

/// The unprotecting side of one SRTP/SRTCP direction: one master key, any number of SSRCs.
///
/// The first packet accepted from an SSRC uses ``SRTPConfiguration/initialROC``; after that
/// the ROC is estimated relative to the highest accepted index (RFC 3711 3.3.1). Each SSRC
/// has an SRTP and an SRTCP replay window. ROC, highest index and windows change only after
/// a tag verified. One thread at a time may use a receiver.
public final class SRTPReceiver {
    package let keys: SRTPKeys
    package let streams: StreamTable
    /// The options this receiver was made with.
    public let configuration: SRTPConfiguration

    /// Derives the session keys of `profile` from one direction's master key and salt.
    /// - Throws: ``SRTPError`` when a length or an option does not fit the profile.
    public init(profile: ProtectionProfile, masterKey: some Collection<UInt8>, masterSalt: some Collection<UInt8>,
                configuration: SRTPConfiguration = .init()) throws(SRTPError) {
        self.configuration = try configuration.validated()
        keys = try SRTPKeys(profile: profile, masterKey: masterKey, masterSalt: masterSalt,
                            mki: configuration.mki, backend: configuration.backend)
        streams = StreamTable(windowSize: configuration.replayWindowSize)
    }

    /// A receiver over keys built elsewhere (for example from session keys, skipping the KDF).
    package init(keys: SRTPKeys, configuration: SRTPConfiguration = .init()) throws(SRTPError) {
        self.configuration = try configuration.validated()
        self.keys = keys
        streams = StreamTable(windowSize: configuration.replayWindowSize)
    }

    /// The profile of this receiver.
    public var profile: ProtectionProfile { keys.profile }

    /// The ROC the receiver holds for `ssrc` (nil before its first accepted packet).
    public func rolloverCounter(for ssrc: UInt32) -> UInt32? {
        streams.highestIndex(ssrc: ssrc).map { UInt32(truncatingIfNeeded: $0 >> 16) }
    }

    /// Unprotects every SRTP packet of `batch` in place; see ``PacketBatch/result(at:)``.
    public func unprotect(_ batch: PacketBatch) {
        batch.prefetchRTPStreams(streams)
        batch.transformInPlace { (input, output) throws(SRTPError) in try unprotectRTP(input, into: output) }
    }

    /// Unprotects every SRTP packet of `input` into the same slot of `output`.
    public func unprotect(_ input: PacketBatch, into output: PacketBatch) {
        input.prefetchRTPStreams(streams)
        input.transform(into: output) { (i, o) throws(SRTPError) in try unprotectRTP(i, into: o) }
    }

    /// Unprotects every SRTCP packet of `batch` in place.
    public func unprotectRTCP(_ batch: PacketBatch) {
        batch.transformInPlace { (input, output) throws(SRTPError) in try unprotectRTCP(input, into: output) }
    }

    /// Unprotects every SRTCP packet of `input` into the same slot of `output`.
    public func unprotectRTCP(_ input: PacketBatch, into output: PacketBatch) {
        input.transform(into: output) { (i, o) throws(SRTPError) in try unprotectRTCP(i, into: o) }
    }

    /// Unprotects one SRTP packet (a batch of one) and returns the RTP packet.
    public func unprotect(_ packet: [UInt8]) throws(SRTPError) -> [UInt8] {
        try transformPacket(packet, extra: 0) { (i, o) throws(SRTPError) in try unprotectRTP(i, into: o) }
    }

    /// Unprotects one SRTCP packet (a batch of one) and returns the RTCP packet.
    public func unprotectRTCP(_ packet: [UInt8]) throws(SRTPError) -> [UInt8] {
        try transformPacket(packet, extra: 0) { (i, o) throws(SRTPError) in try unprotectRTCP(i, into: o) }
    }
}
