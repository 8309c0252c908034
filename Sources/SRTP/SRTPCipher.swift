// SPDX-License-Identifier: Apache-2.0
// Copyright 2026 the swift-perc authors

/// The session cipher of one direction for SRTP or for SRTCP: the expanded kernel keys and
/// the session salt, plus the IV recipes of RFC 3711 4.1.1 and RFC 7714 8.1 / 9.1.
package final class SRTPCipher {
    package let profile: ProtectionProfile
    package let gcm: KernelAESGCM?
    package let ctr: KernelAESCTR?
    package let hmac: KernelHMACSHA1?
    /// The session salt as two big-endian words (bytes 0-7 and 8-15, zero-extended).
    private let saltHigh: UInt64
    private let saltLow: UInt64

    package init(profile: ProtectionProfile, keys: SessionKeys, backend: CryptoBackend) throws(SRTPError) {
        self.profile = profile
        var gcm: KernelAESGCM? = nil
        var ctr: KernelAESCTR? = nil
        var hmac: KernelHMACSHA1? = nil
        switch profile.cipher {
        case .aesGCM:
            gcm = keys.encryptionKey.withUnsafeBytes { KernelAESGCM(key: $0, backend: backend) }
            if gcm == nil { throw .cryptoFailure }
        case .aesCounterMode:
            ctr = keys.encryptionKey.withUnsafeBytes { KernelAESCTR(key: $0, backend: backend) }
            if ctr == nil { throw .cryptoFailure }
        case .null:
            break
        }
        if let authenticationKey = keys.authenticationKey {
            hmac = authenticationKey.withUnsafeBytes { KernelHMACSHA1(key: $0, backend: backend) }
            if hmac == nil { throw .cryptoFailure }
        }
        self.gcm = gcm
        self.ctr = ctr
        self.hmac = hmac
        (saltHigh, saltLow) = keys.salt.withUnsafeBytes { salt in
            var padded = [UInt8](repeating: 0, count: 16)
            for i in 0..<salt.count { padded[i] = salt[i] }
            return padded.withUnsafeBytes {
                (UInt64(bigEndian: $0.loadUnaligned(as: UInt64.self)),
                 UInt64(bigEndian: $0.loadUnaligned(fromByteOffset: 8, as: UInt64.self)))
            }
        }
    }

    /// The AES-CM counter block: salt*2^16 ^ SSRC*2^64 ^ index*2^16 (RFC 3711 4.1.1).
    @inline(__always)
    @discardableResult
    package func withCounterIV<R>(ssrc: UInt32, index: UInt64, _ body: (UnsafeRawPointer) -> R) -> R {
        withIV(high: saltHigh ^ UInt64(ssrc), low: saltLow ^ (index << 16), body)
    }

    /// The RFC 7714 SRTP nonce: salt ^ (00 00 || SSRC || ROC || SEQ), `index` = ROC*2^16 + SEQ.
    @inline(__always)
    package func withRTPNonce<R>(ssrc: UInt32, index: UInt64, _ body: (UnsafeRawPointer) -> R) -> R {
        withIV(high: saltHigh ^ (UInt64(ssrc) << 16 | index >> 32), low: saltLow ^ ((index & 0xFFFF_FFFF) << 32), body)
    }

    /// The RFC 7714 SRTCP nonce: salt ^ (00 00 || SSRC || 00 00 || 0 || index(31)).
    @inline(__always)
    package func withRTCPNonce<R>(ssrc: UInt32, index: UInt32, _ body: (UnsafeRawPointer) -> R) -> R {
        withIV(high: saltHigh ^ (UInt64(ssrc) << 16), low: saltLow ^ (UInt64(index) << 32), body)
    }

    @inline(__always)
    private func withIV<R>(high: UInt64, low: UInt64, _ body: (UnsafeRawPointer) -> R) -> R {
        var iv = (high.bigEndian, low.bigEndian)
        return withUnsafeBytes(of: &iv) { body($0.baseAddress!) }
    }
}
