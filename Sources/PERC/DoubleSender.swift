// SPDX-License-Identifier: Apache-2.0
// Copyright 2026 the swift-perc authors

import SRTP

/// The sending endpoint of an RFC 8723 double-protected stream.
///
/// RTP packets get the inner (end-to-end) seal over the synthetic header (first 12 + 4*CC
/// bytes, X=0), the empty OHB `00`, then the outer (hop-by-hop) seal over the full header,
/// giving `header | E2E ciphertext | E2E tag | 00 | HBH tag`, followed by an EKT field when
/// an ``EKTSender`` is attached. SRTCP and repair packets (RTX, FEC) are outer-only
/// (``hopByHop``). At the sender the inner and outer index are the same.
public final class DoubleSender {
    /// The profile.
    public let profile: DoubleProfile
    /// The options (initial ROC, backend, ...). The MKI is not used with double.
    public let configuration: SRTPConfiguration
    /// The outer-only sender for SRTCP and repair-mode packets (RFC 8723 6, 7).
    public let hopByHop: SRTPSender
    /// When set, every RTP packet carries an EKT field (RFC 8870 4.3.1).
    public let ekt: EKTSender?
    /// Read per packet; replaced only by ``rekey(inner:ektParameters:)`` on the sender's own
    /// thread, so runtime exclusivity checks (an access-set entry per read) buy nothing.
    @exclusivity(unchecked) package private(set) var inner: SRTPKeys
    package let streams: StreamTable

    /// Bytes a double seal adds before any EKT field: two tags and the one-byte OHB.
    public static let overhead = 33

    /// - Parameters:
    ///   - inner: the end-to-end master key and salt (first halves, or the sender's own key
    ///     and the EKTKey's salt with EKT).
    ///   - outer: the hop-by-hop master key and salt (second halves).
    public init(profile: DoubleProfile, inner: SRTPMasterKey, outer: SRTPMasterKey,
                configuration: SRTPConfiguration = .init(), ekt: EKTSender? = nil) throws(SRTPError) {
        var configuration = configuration
        configuration.mki = nil
        if let ekt, !ekt.announces(inner.key) {
            throw .invalidParameter("the EKT sender must announce the inner master key this sender uses")
        }
        self.profile = profile
        self.configuration = configuration
        self.inner = try SRTPKeys(profile: profile.halfProfile, masterKey: inner.key, masterSalt: inner.salt,
                                  mki: nil, backend: configuration.backend)
        hopByHop = try SRTPSender(profile: profile.halfProfile, masterKey: outer.key, masterSalt: outer.salt,
                                  configuration: configuration)
        streams = StreamTable(windowSize: configuration.replayWindowSize)
        self.ekt = ekt
    }

    /// Splits one direction's double-length master key and salt (inner half first).
    public convenience init(profile: DoubleProfile, masterKey: [UInt8], masterSalt: [UInt8],
                            configuration: SRTPConfiguration = .init(), ekt: EKTSender? = nil) throws(SRTPError) {
        let halves = try profile.split(masterKey: masterKey, masterSalt: masterSalt)
        try self.init(profile: profile, inner: halves.inner, outer: halves.outer, configuration: configuration, ekt: ekt)
    }

    /// Replaces the end-to-end master key; the ROC carries on. With EKT the new key is
    /// announced in the next packets' FullEKTFields: under the next epoch of the same EKTKey,
    /// or, when `ektParameters` is given (the Key Distributor sent a new EKTKey), under the
    /// new SPI with the epoch back at 0 (RFC 8870 4.5). The new inner salt is then the new
    /// EKTKey's salt.
    public func rekey(inner newInner: SRTPMasterKey, ektParameters: EKTParameterSet? = nil) throws(SRTPError) {
        inner = try SRTPKeys(profile: profile.halfProfile, masterKey: newInner.key, masterSalt: newInner.salt,
                             mki: nil, backend: configuration.backend)
        if let ektParameters {
            ekt?.replaceParameters(ektParameters, masterKey: newInner.key)
        } else {
            ekt?.rekey(masterKey: newInner.key)
        }
    }

    /// Bytes `protect` adds to an RTP packet at most (including the longest EKT field).
    public var rtpOverhead: Int { Self.overhead + (ekt?.maximumFieldLength ?? 0) }

    /// Double-protects every RTP packet of `batch` in place.
    public func protect(_ batch: PacketBatch) {
        batch.prefetchRTPStreams(streams)
        batch.transformInPlace { (input, output) throws(SRTPError) in try protectRTP(input, into: output) }
    }

    /// Double-protects every RTP packet of `input` into the same slot of `output`.
    public func protect(_ input: PacketBatch, into output: PacketBatch) {
        input.prefetchRTPStreams(streams)
        input.transform(into: output) { (i, o) throws(SRTPError) in try protectRTP(i, into: o) }
    }

    /// Double-protects one RTP packet.
    public func protect(_ packet: [UInt8]) throws(SRTPError) -> [UInt8] {
        try transformPacket(packet, extra: rtpOverhead) { (i, o) throws(SRTPError) in try protectRTP(i, into: o) }
    }

    /// Double-protects one RTP packet from `input` into `output` (may be the same memory).
    package func protectRTP(_ input: UnsafeRawBufferPointer, into output: UnsafeMutableRawBufferPointer)
        throws(SRTPError) -> Int
    {
        let length = input.count
        let headerLength = try RTPHeaderView.parseHeaderLength(input)
        let ssrc = input.loadBigEndianUInt32(at: 8)
        let sequenceNumber = UInt16(input[2]) << 8 | UInt16(input[3])
        let index = try streams.indexToSend(ssrc: ssrc, sequenceNumber: sequenceNumber,
                                            initialROC: configuration.initialROC)
        let fieldLength = ekt?.fieldLength(ssrc: ssrc, roc: UInt32(truncatingIfNeeded: index >> 16)) ?? 0
        let sealedLength = length + Self.overhead
        guard output.count >= sealedLength + fieldLength else {
            throw .bufferTooSmall(needed: sealedLength + fieldLength, capacity: output.count)
        }
        let outer = hopByHop.keys
        guard !inner.srtpExhausted, !outer.srtpExhausted else {
            throw .keyExhausted(ssrc: ssrc)
        }
        let source = input.baseAddress!
        let destination = output.baseAddress!
        if source != UnsafeRawPointer(destination) {
            destination.copyMemory(from: source, byteCount: headerLength)
        }
        let payload = destination + headerLength
        let payloadLength = length - headerLength
        // Inner seal over the synthetic header, the empty OHB `00`, outer seal over the full
        // header: one fused kernel call.
        var emptyOHB: UInt8 = 0
        let sealed = DoubleLayers.withSyntheticHeader(
            source, baseLength: DoubleLayers.baseHeaderLength(source), fields: RTPHeaderFields(header: source)
        ) { aad in
            withUnsafeBytes(of: &emptyOHB) { ohb in
                DoubleLayers.sealDouble(inner: inner, outer: outer, ssrc: ssrc, index: index, innerAAD: aad,
                                        outerAAD: UnsafeRawBufferPointer(start: destination, count: headerLength),
                                        source: source + headerLength, payload: payload, count: payloadLength,
                                        ohb: ohb)
            }
        }
        guard sealed else { throw .cryptoFailure }
        if let ekt {
            ekt.writeField(ssrc: ssrc, roc: UInt32(truncatingIfNeeded: index >> 16), to: destination + sealedLength)
        }
        streams.recordSent(ssrc: ssrc, index: index)
        inner.countSRTPPacket()
        outer.countSRTPPacket()
        return sealedLength + fieldLength
    }
}
