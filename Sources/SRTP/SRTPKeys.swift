// SPDX-License-Identifier: Apache-2.0
// Copyright 2026 the swift-perc authors

/// Everything one direction derives from one master key: the SRTP and SRTCP session ciphers,
/// the MKI, and the packet counts against the key's limits (2^48 SRTP, 2^31 SRTCP).
package final class SRTPKeys {
    package static let srtpPacketLimit: UInt64 = 1 << 48
    package static let srtcpPacketLimit: UInt64 = 1 << 31

    package let profile: ProtectionProfile
    package let rtp: SRTPCipher
    package let rtcp: SRTPCipher
    package let mki: [UInt8]
    // Counted once per packet from other modules' hot paths: unchecked exclusivity spares each
    // `+= 1` a runtime access-set entry (about 150 instructions); one thread uses a key at a time.
    @exclusivity(unchecked) package var srtpPackets: UInt64 = 0
    @exclusivity(unchecked) package var srtcpPackets: UInt64 = 0

    /// Whether the SRTP packet limit is reached. For the other modules' per-packet paths: when
    /// they touch ``srtpPackets`` directly (inlined across modules) the runtime exclusivity
    /// check comes back, so these two stay calls into this module.
    package var srtpExhausted: Bool {
        @inline(never) get { srtpPackets >= Self.srtpPacketLimit }
    }

    /// Counts one SRTP packet protected or accepted under these keys (see ``srtpExhausted``).
    @inline(never)
    package func countSRTPPacket() { srtpPackets += 1 }

    /// Derives both session ciphers.
    /// - Throws: ``SRTPError/invalidKeyLength(expected:actual:)`` or
    ///   ``SRTPError/invalidSaltLength(expected:actual:)`` when the lengths do not fit `profile`.
    package init(profile: ProtectionProfile, masterKey: some Collection<UInt8>, masterSalt: some Collection<UInt8>,
                 mki: [UInt8]?, backend: CryptoBackend) throws(SRTPError) {
        guard masterKey.count == profile.masterKeyLength else {
            throw .invalidKeyLength(expected: profile.masterKeyLength, actual: masterKey.count)
        }
        guard masterSalt.count == profile.masterSaltLength else {
            throw .invalidSaltLength(expected: profile.masterSaltLength, actual: masterSalt.count)
        }
        let key = SecretBytes(masterKey)
        let salt = SecretBytes(masterSalt)
        let derive = { (rtcp: Bool) throws(SRTPError) -> SRTPCipher in
            let keys = try key.withUnsafeBytes { k throws(SRTPError) in
                try salt.withUnsafeBytes { s throws(SRTPError) in
                    try SessionKeys(profile: profile, masterKey: k, masterSalt: s, rtcp: rtcp, backend: backend)
                }
            }
            return try SRTPCipher(profile: profile, keys: keys, backend: backend)
        }
        self.profile = profile
        rtp = try derive(false)
        rtcp = try derive(true)
        self.mki = mki ?? []
    }

    /// Builds both session ciphers from session keys given directly, skipping the KDF (for
    /// vectors that start from session keys, such as RFC 7714 16-17).
    package init(profile: ProtectionProfile, rtp: SessionKeys, rtcp: SessionKeys, mki: [UInt8]?,
                 backend: CryptoBackend) throws(SRTPError) {
        self.profile = profile
        self.rtp = try SRTPCipher(profile: profile, keys: rtp, backend: backend)
        self.rtcp = try SRTPCipher(profile: profile, keys: rtcp, backend: backend)
        self.mki = mki ?? []
    }
}
