// SPDX-License-Identifier: Apache-2.0
// Copyright 2026 the swift-perc authors

/// The protecting side of one SRTP/SRTCP direction: one master key, any number of SSRCs.
///
/// Each SSRC starts at ``SRTPConfiguration/initialROC`` and
/// ``SRTPConfiguration/initialSRTCPIndex``; after the first packet the ROC follows the
/// sequence numbers (estimated relative to the highest index sent, as a receiver would).
/// One thread at a time may use a sender.
///
/// ```swift
/// let sender = try SRTPSender(profile: .aeadAes128Gcm, masterKey: key, masterSalt: salt)
/// let batch = PacketBatch(maximumCount: 64)
/// batch.append(rtpPacket)
/// sender.protect(batch)          // batch.result(at: 0) == .ok, slot 0 now holds SRTP
/// ```
public final class SRTPSender {
    package let keys: SRTPKeys
    package let streams: StreamTable
    /// The options this sender was made with.
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

    /// A sender over keys built elsewhere (for example from session keys, skipping the KDF).
    package init(keys: SRTPKeys, configuration: SRTPConfiguration = .init()) throws(SRTPError) {
        self.configuration = try configuration.validated()
        self.keys = keys
        streams = StreamTable(windowSize: configuration.replayWindowSize)
    }

    /// The profile of this sender.
    public var profile: ProtectionProfile { keys.profile }

    /// Bytes `protect` adds to an RTP packet (tag and MKI).
    public var rtpOverhead: Int { keys.profile.srtpTagLength + keys.mki.count }

    /// Bytes `protectRTCP` adds to an RTCP packet (E||index word, tag and MKI).
    public var rtcpOverhead: Int { 4 + keys.profile.srtcpTagLength + keys.mki.count }

    /// Protects every RTP packet of `batch` in place; see ``PacketBatch/result(at:)``.
    public func protect(_ batch: PacketBatch) {
        batch.prefetchRTPStreams(streams)
        batch.transformInPlace { (input, output) throws(SRTPError) in try protectRTP(input, into: output) }
    }

    /// Protects every RTP packet of `input` into the same slot of `output`.
    public func protect(_ input: PacketBatch, into output: PacketBatch) {
        input.prefetchRTPStreams(streams)
        input.transform(into: output) { (i, o) throws(SRTPError) in try protectRTP(i, into: o) }
    }

    /// Protects every RTCP packet of `batch` in place.
    public func protectRTCP(_ batch: PacketBatch) {
        batch.transformInPlace { (input, output) throws(SRTPError) in try protectRTCP(input, into: output) }
    }

    /// Protects every RTCP packet of `input` into the same slot of `output`.
    public func protectRTCP(_ input: PacketBatch, into output: PacketBatch) {
        input.transform(into: output) { (i, o) throws(SRTPError) in try protectRTCP(i, into: o) }
    }

    /// Protects one RTP packet (a batch of one) and returns the SRTP packet.
    public func protect(_ packet: [UInt8]) throws(SRTPError) -> [UInt8] {
        try transformPacket(packet, extra: rtpOverhead) { (i, o) throws(SRTPError) in try protectRTP(i, into: o) }
    }

    /// Protects one RTCP packet (a batch of one) and returns the SRTCP packet.
    public func protectRTCP(_ packet: [UInt8]) throws(SRTPError) -> [UInt8] {
        try transformPacket(packet, extra: rtcpOverhead) { (i, o) throws(SRTPError) in try protectRTCP(i, into: o) }
    }
}
