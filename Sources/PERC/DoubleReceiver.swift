// SPDX-License-Identifier: Apache-2.0
// Copyright 2026 the swift-perc authors

import SRTP

/// The receiving endpoint of an RFC 8723 double-protected stream.
///
/// Per packet: strip and check the EKT field (when ``ekt`` is set), open the outer layer
/// with the hop key (outer ROC estimation and replay window on the SEQ as received), parse
/// the OHB from the end, rebuild the original header, and open the inner layer with the
/// sender's end-to-end key (its own ROC estimation and replay window on the original SEQ).
/// Nothing changes (not the windows, not the ROCs, not the EKT state, not the slot's bytes)
/// unless both layers verified. When an EKT field replaces a sender's end-to-end key, the
/// replaced key is still tried when the current one fails, since senders keep using the old
/// key for a while after announcing a new one (RFC 8870 4.6).
///
/// The result is the original packet: the received header with PT, SEQ and M put back to
/// their original values (X and extensions as received), then the payload.
public final class DoubleReceiver {
    /// The profile.
    public let profile: DoubleProfile
    /// The options; ``SRTPConfiguration/initialROC`` is the initial ROC of both layers and
    /// ``SRTPConfiguration/replayWindowSize`` the size of both windows.
    public let configuration: SRTPConfiguration
    /// The outer-only receiver for SRTCP and repair-mode packets.
    public let hopByHop: SRTPReceiver
    /// When set, packets end with an EKT field that may carry the sender's inner key.
    public let ekt: EKTReceiver?
    package let outerStreams: StreamTable
    package let innerStreams: StreamTable
    // Read per packet on the receiver's one thread: no runtime exclusivity checks.
    @exclusivity(unchecked) private var defaultInner: SRTPKeys?
    @exclusivity(unchecked) private var innerBySSRC: [UInt32: InnerKey] = [:]

    private struct InnerKey {
        let keys: SRTPKeys
        let roc: UInt32
        /// The key `keys` replaced, tried when `keys` fails: a sender keeps protecting with its
        /// old key for a while after announcing a new one (RFC 8870 4.6), and a receiver may
        /// trial-decrypt with both (4.3.2). Kept until the next key replaces `keys`.
        let previous: SRTPKeys?
    }

    /// The end-to-end keys to try for one packet, in order, and the initial inner ROC.
    struct InnerKeyCandidates {
        let first: SRTPKeys
        let second: SRTPKeys?
        let roc: UInt32
        /// The keys built from this packet's EKT offer (also `first`), installed if it passes.
        let offered: SRTPKeys?
    }

    /// - Parameters:
    ///   - inner: the end-to-end master key and salt used for SSRCs with no EKT-installed key;
    ///     nil when every sender's key comes through EKT.
    ///   - outer: this hop's master key and salt.
    public init(profile: DoubleProfile, inner: SRTPMasterKey?, outer: SRTPMasterKey,
                configuration: SRTPConfiguration = .init(), ekt: EKTReceiver? = nil) throws(SRTPError) {
        var configuration = configuration
        configuration.mki = nil
        self.profile = profile
        self.configuration = configuration
        if let inner {
            defaultInner = try SRTPKeys(profile: profile.halfProfile, masterKey: inner.key, masterSalt: inner.salt,
                                        mki: nil, backend: configuration.backend)
        }
        hopByHop = try SRTPReceiver(profile: profile.halfProfile, masterKey: outer.key, masterSalt: outer.salt,
                                    configuration: configuration)
        outerStreams = StreamTable(windowSize: configuration.replayWindowSize)
        innerStreams = StreamTable(windowSize: configuration.replayWindowSize)
        self.ekt = ekt
    }

    /// Splits one direction's double-length master key and salt (inner half first).
    public convenience init(profile: DoubleProfile, masterKey: [UInt8], masterSalt: [UInt8],
                            configuration: SRTPConfiguration = .init(), ekt: EKTReceiver? = nil) throws(SRTPError) {
        let halves = try profile.split(masterKey: masterKey, masterSalt: masterSalt)
        try self.init(profile: profile, inner: halves.inner, outer: halves.outer, configuration: configuration, ekt: ekt)
    }

    /// Installs `ssrc`'s end-to-end key directly (as EKT would), with the sender's ROC.
    public func installInnerKey(ssrc: UInt32, masterKey: SRTPMasterKey, roc: UInt32) throws(SRTPError) {
        let keys = try SRTPKeys(profile: profile.halfProfile, masterKey: masterKey.key, masterSalt: masterKey.salt,
                                mki: nil, backend: configuration.backend)
        innerBySSRC[ssrc] = InnerKey(keys: keys, roc: roc, previous: innerBySSRC[ssrc]?.keys ?? defaultInner)
    }

    /// The inner (original) ROC held for `ssrc`, nil before its first accepted packet.
    public func innerRolloverCounter(for ssrc: UInt32) -> UInt32? {
        innerStreams.highestIndex(ssrc: ssrc).map { UInt32(truncatingIfNeeded: $0 >> 16) }
    }

    /// The outer (this hop's) ROC held for `ssrc`, nil before its first accepted packet.
    public func outerRolloverCounter(for ssrc: UInt32) -> UInt32? {
        outerStreams.highestIndex(ssrc: ssrc).map { UInt32(truncatingIfNeeded: $0 >> 16) }
    }

    /// Unprotects every double-protected RTP packet of `batch` in place.
    public func unprotect(_ batch: PacketBatch) {
        batch.prefetchRTPStreams(outerStreams, innerStreams)
        batch.transformInPlace { (input, output) throws(SRTPError) in try unprotectRTP(input, into: output) }
    }

    /// Unprotects every double-protected RTP packet of `input` into the same slot of `output`.
    public func unprotect(_ input: PacketBatch, into output: PacketBatch) {
        input.prefetchRTPStreams(outerStreams, innerStreams)
        input.transform(into: output) { (i, o) throws(SRTPError) in try unprotectRTP(i, into: o) }
    }

    /// Unprotects one double-protected RTP packet and returns the original RTP packet.
    public func unprotect(_ packet: [UInt8]) throws(SRTPError) -> [UInt8] {
        try transformPacket(packet, extra: 0) { (i, o) throws(SRTPError) in try unprotectRTP(i, into: o) }
    }

    /// The end-to-end keys to try for `ssrc`: a key offered by this packet's EKT field first,
    /// then the installed one; without an offer, the installed key, then the one it replaced.
    func innerKeys(ssrc: UInt32, offer: EKTKeyOffer?) throws(SRTPError) -> InnerKeyCandidates {
        let installed = innerBySSRC[ssrc]
        if let offer {
            let keys = try offer.masterKey.withUnsafeBytes { key throws(SRTPError) in
                try SRTPKeys(profile: profile.halfProfile, masterKey: key, masterSalt: offer.masterSalt,
                             mki: nil, backend: configuration.backend)
            }
            return InnerKeyCandidates(first: keys, second: installed?.keys ?? defaultInner, roc: offer.roc, offered: keys)
        }
        if let installed {
            return InnerKeyCandidates(first: installed.keys, second: installed.previous, roc: installed.roc, offered: nil)
        }
        guard let defaultInner else { throw .inner(.invalidParameter("no end-to-end key for SSRC \(ssrc)")) }
        return InnerKeyCandidates(first: defaultInner, second: nil, roc: configuration.initialROC, offered: nil)
    }

    /// Installs a key that a packet's EKT field offered, once that packet passed (under the
    /// offered key or, during a rekey, under the key it replaces).
    func commit(offer: EKTKeyOffer, keys: SRTPKeys) {
        innerBySSRC[offer.ssrc] = InnerKey(keys: keys, roc: offer.roc,
                                           previous: innerBySSRC[offer.ssrc]?.keys ?? defaultInner)
        ekt?.accept(offer)
    }
}
