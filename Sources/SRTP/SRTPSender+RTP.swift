// SPDX-License-Identifier: Apache-2.0
// Copyright 2026 the swift-perc authors

extension SRTPSender {
    /// Protects one RTP packet (RFC 3711 3.3, RFC 7714 8) from `input` into `output`, which may
    /// start at the same address. Returns the SRTP length. State changes only on success.
    @inline(__always)
    package func protectRTP(_ input: UnsafeRawBufferPointer, into output: UnsafeMutableRawBufferPointer)
        throws(SRTPError) -> Int
    {
        let length = input.count
        let headerLength = try RTPHeaderView.parseHeaderLength(input)
        let profile = keys.profile
        let mki = keys.mki
        let total = length + profile.srtpTagLength + mki.count
        guard output.count >= total else { throw .bufferTooSmall(needed: total, capacity: output.count) }
        let ssrc = input.loadBigEndianUInt32(at: 8)
        let sequenceNumber = UInt16(input[2]) << 8 | UInt16(input[3])
        let index = try streams.indexToSend(ssrc: ssrc, sequenceNumber: sequenceNumber,
                                            initialROC: configuration.initialROC)
        guard keys.srtpPackets < SRTPKeys.srtpPacketLimit else { throw .keyExhausted(ssrc: ssrc) }

        let source = input.baseAddress!
        let destination = output.baseAddress!
        if source != UnsafeRawPointer(destination) {
            destination.copyMemory(from: source, byteCount: headerLength)
        }
        let cipher = keys.rtp
        let payloadLength = length - headerLength
        switch profile.cipher {
        case .aesGCM:
            let sealed = cipher.withRTPNonce(ssrc: ssrc, index: index) { iv in
                cipher.gcm!.seal(iv: iv, aad: UnsafeRawBufferPointer(start: destination, count: headerLength),
                                 input: source + headerLength, output: destination + headerLength,
                                 count: payloadLength, tag: destination + length)
            }
            guard sealed else { throw .cryptoFailure }
            copyMKI(mki, to: destination + length + 16)
        case .aesCounterMode, .null:
            if let ctr = cipher.ctr {
                cipher.withCounterIV(ssrc: ssrc, index: index) { iv in
                    ctr.apply(iv: iv, input: source + headerLength, output: destination + headerLength, count: payloadLength)
                }
            } else if source != UnsafeRawPointer(destination) {
                (destination + headerLength).copyMemory(from: source + headerLength, byteCount: payloadLength)
            }
            copyMKI(mki, to: destination + length)
            appendHMACTag(cipher.hmac!, authenticated: UnsafeRawBufferPointer(start: destination, count: length),
                          roc: UInt32(truncatingIfNeeded: index >> 16),
                          tag: destination + length + mki.count, tagLength: profile.srtpTagLength)
        }
        streams.recordSent(ssrc: ssrc, index: index)
        keys.srtpPackets += 1
        return total
    }
}

/// Writes the MKI (if any) at `destination`.
@inline(__always)
package func copyMKI(_ mki: [UInt8], to destination: UnsafeMutableRawPointer) {
    if !mki.isEmpty {
        mki.withUnsafeBytes { destination.copyMemory(from: $0.baseAddress!, byteCount: $0.count) }
    }
}

/// Computes HMAC-SHA1 over `authenticated` (|| ROC when given) and writes its first `tagLength` bytes.
@inline(__always)
package func appendHMACTag(_ hmac: KernelHMACSHA1, authenticated: UnsafeRawBufferPointer, roc: UInt32?,
                           tag: UnsafeMutableRawPointer, tagLength: Int) {
    var mac: (UInt64, UInt64, UInt32) = (0, 0, 0)
    withUnsafeMutableBytes(of: &mac) { macBytes in
        computeHMAC(hmac, authenticated: authenticated, roc: roc, mac: macBytes.baseAddress!)
        tag.copyMemory(from: macBytes.baseAddress!, byteCount: tagLength)
    }
}

/// Verifies, in constant time, the `tagLength`-byte HMAC-SHA1 tag at `tag`.
@inline(__always)
package func verifyHMACTag(_ hmac: KernelHMACSHA1, authenticated: UnsafeRawBufferPointer, roc: UInt32?,
                           tag: UnsafeRawPointer, tagLength: Int) -> Bool {
    var mac: (UInt64, UInt64, UInt32) = (0, 0, 0)
    return withUnsafeMutableBytes(of: &mac) { macBytes in
        computeHMAC(hmac, authenticated: authenticated, roc: roc, mac: macBytes.baseAddress!)
        return constantTimeEqual(macBytes.baseAddress!, tag, count: tagLength)
    }
}

@inline(__always)
private func computeHMAC(_ hmac: KernelHMACSHA1, authenticated: UnsafeRawBufferPointer, roc: UInt32?,
                         mac: UnsafeMutableRawPointer) {
    if let roc {
        var rocBytes = roc.bigEndian
        withUnsafeBytes(of: &rocBytes) { hmac.authenticate(authenticated, $0, mac: mac) }
    } else {
        hmac.authenticate(authenticated, mac: mac)
    }
}
