// SPDX-License-Identifier: Apache-2.0
// Copyright 2026 the swift-perc authors

import SRTP

/// The two AES-GCM layers of RFC 8723 as used by senders, relays and receivers: each layer
/// is an RFC 7714 SRTP AEAD context (key, session salt), sealing or opening a byte range with
/// the nonce salt ^ (00 00 || SSRC || ROC || SEQ).
enum DoubleLayers {
    /// Longest synthetic header: 12 fixed bytes plus 15 CSRCs.
    static let maximumBaseHeaderLength = 72

    /// Seals `count` bytes at `payload` in place with the RTP nonce of (`ssrc`, `index`),
    /// writing the tag right after them.
    @inline(__always)
    static func seal(_ keys: SRTPKeys, ssrc: UInt32, index: UInt64, aad: UnsafeRawBufferPointer,
                     payload: UnsafeMutableRawPointer, count: Int, from source: UnsafeRawPointer? = nil) -> Bool {
        let cipher = keys.rtp
        return cipher.withRTPNonce(ssrc: ssrc, index: index) { iv in
            cipher.gcm!.seal(iv: iv, aad: aad, input: source ?? UnsafeRawPointer(payload), output: payload,
                             count: count, tag: payload + count)
        }
    }

    /// Opens `count` bytes at `source` into `payload` with the tag right after the source bytes.
    @inline(__always)
    static func open(_ keys: SRTPKeys, ssrc: UInt32, index: UInt64, aad: UnsafeRawBufferPointer,
                     source: UnsafeRawPointer, payload: UnsafeMutableRawPointer, count: Int) -> Bool {
        let cipher = keys.rtp
        return cipher.withRTPNonce(ssrc: ssrc, index: index) { iv in
            cipher.gcm!.open(iv: iv, aad: aad, input: source, output: payload, count: count, tag: source + count)
        }
    }

    /// Double-seals (RFC 8723 5.1 steps 3-6) in one kernel call: `count` bytes from `source`
    /// under the inner keys and `innerAAD`, the inner tag and `ohb` appended, all of it under
    /// the outer keys and `outerAAD` into `payload`, the outer tag right after. Both layers
    /// use the index `index`. The bytes equal those of an inner `seal` and an outer `seal`.
    @inline(__always)
    static func sealDouble(inner: SRTPKeys, outer: SRTPKeys, ssrc: UInt32, index: UInt64,
                           innerAAD: UnsafeRawBufferPointer, outerAAD: UnsafeRawBufferPointer,
                           source: UnsafeRawPointer, payload: UnsafeMutableRawPointer, count: Int,
                           ohb: UnsafeRawBufferPointer) -> Bool {
        let innerCipher = inner.rtp, outerCipher = outer.rtp
        return innerCipher.withRTPNonce(ssrc: ssrc, index: index) { innerIV in
            outerCipher.withRTPNonce(ssrc: ssrc, index: index) { outerIV in
                KernelDoubleGCM.seal(inner: innerCipher.gcm!, innerIV: innerIV, innerAAD: innerAAD,
                                     outer: outerCipher.gcm!, outerIV: outerIV, outerAAD: outerAAD,
                                     input: source, output: payload, count: count, ohb: ohb,
                                     outerTag: payload + count + 16 + ohb.count)
            }
        }
    }

    /// Double-opens in one kernel call: the `count` bytes at `source` (outer ciphertext of
    /// `E2E ciphertext | E2E tag | OHB`, the OHB `ohbLength` bytes, the outer tag right after)
    /// into `payload`. Both tags are checked before anything is released; see
    /// ``KernelDoubleGCM/open(inner:innerIV:innerAAD:outer:outerIV:outerAAD:input:output:count:ohbLength:outerTag:)``.
    @inline(__always)
    static func openDouble(inner: SRTPKeys, innerIndex: UInt64, outer: SRTPKeys, outerIndex: UInt64, ssrc: UInt32,
                           innerAAD: UnsafeRawBufferPointer, outerAAD: UnsafeRawBufferPointer,
                           source: UnsafeRawPointer, payload: UnsafeMutableRawPointer, count: Int,
                           ohbLength: Int) -> KernelDoubleGCM.OpenResult {
        let innerCipher = inner.rtp, outerCipher = outer.rtp
        return innerCipher.withRTPNonce(ssrc: ssrc, index: innerIndex) { innerIV in
            outerCipher.withRTPNonce(ssrc: ssrc, index: outerIndex) { outerIV in
                KernelDoubleGCM.open(inner: innerCipher.gcm!, innerIV: innerIV, innerAAD: innerAAD,
                                     outer: outerCipher.gcm!, outerIV: outerIV, outerAAD: outerAAD,
                                     input: source, output: payload, count: count, ohbLength: ohbLength,
                                     outerTag: source + count)
            }
        }
    }

    /// Decrypts the last `length` (<= 4) bytes of the outer ciphertext `source[0..<count]`
    /// into `destination` without authenticating them: the OHB a receiver must parse before
    /// the authenticated ``openDouble``. Act on it only once that open succeeded.
    @inline(__always)
    static func peekOuterTail(_ keys: SRTPKeys, ssrc: UInt32, index: UInt64, source: UnsafeRawPointer, count: Int,
                              length: Int, into destination: UnsafeMutableRawPointer) -> Bool {
        let cipher = keys.rtp
        return cipher.withRTPNonce(ssrc: ssrc, index: index) { iv in
            KernelDoubleGCM.peek(cipher.gcm!, iv: iv, offset: count - length, input: source + (count - length),
                                 output: destination, count: length)
        }
    }

    /// Calls `body` with the synthetic inner AAD (RFC 8723 5.1 step 3, 5.3 step 4): the first
    /// 12 + 4*CC bytes of `header`, X cleared, with `fields` written in.
    @inline(__always)
    static func withSyntheticHeader<R>(_ header: UnsafeRawPointer, baseLength: Int, fields: RTPHeaderFields,
                                       _ body: (UnsafeRawBufferPointer) -> R) -> R {
        withUnsafeTemporaryAllocation(byteCount: maximumBaseHeaderLength, alignment: 16) { scratch in
            let synthetic = scratch.baseAddress!
            synthetic.copyMemory(from: header, byteCount: baseLength)
            synthetic.storeBytes(of: synthetic.load(as: UInt8.self) & ~0x10, as: UInt8.self)
            fields.write(to: synthetic)
            return body(UnsafeRawBufferPointer(start: synthetic, count: baseLength))
        }
    }

    /// Length of the fixed header plus CSRCs of the RTP header at `header`.
    @inline(__always)
    static func baseHeaderLength(_ header: UnsafeRawPointer) -> Int {
        12 + 4 * Int(header.load(as: UInt8.self) & 0x0F)
    }
}
