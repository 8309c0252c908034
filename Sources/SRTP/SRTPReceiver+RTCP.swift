// SPDX-License-Identifier: Apache-2.0
// Copyright 2026 the swift-perc authors

extension SRTPReceiver {
    /// Unprotects one SRTCP packet from `input` into `output`, which may start at the same
    /// address. Returns the RTCP length (E||index word, MKI and tag removed).
    ///
    /// The receiver follows the E flag it reads: E=0 packets are only authenticated. The
    /// SRTCP index has its own replay window per SSRC.
    @inline(__always)
    package func unprotectRTCP(_ input: UnsafeRawBufferPointer, into output: UnsafeMutableRawBufferPointer)
        throws(SRTPError) -> Int
    {
        let length = input.count
        let profile = keys.profile
        let mki = keys.mki
        let tagLength = profile.srtcpTagLength
        let minimum = 8 + 4 + mki.count + tagLength
        if length >= 1 && input[0] >> 6 != 2 { throw .malformed(.badVersion(Int(input[0] >> 6))) }
        guard length >= minimum else { throw .malformed(.tooShort(length: length, needed: minimum)) }
        let isGCM = profile.cipher == .aesGCM
        // CM/NULL: header | payload | E||index | MKI | tag.  GCM: header | payload | tag | E||index | MKI.
        let wordOffset = isGCM ? length - mki.count - 4 : length - tagLength - mki.count - 4
        let plaintextLength = isGCM ? wordOffset - 16 : wordOffset
        try checkMKI(input, at: isGCM ? length - mki.count : wordOffset + 4)
        guard output.count >= plaintextLength else {
            throw .bufferTooSmall(needed: plaintextLength, capacity: output.count)
        }
        let word = input.loadBigEndianUInt32(at: wordOffset)
        let encrypted = word & 0x8000_0000 != 0
        let index = word & 0x7FFF_FFFF
        let ssrc = input.loadBigEndianUInt32(at: 4)
        try streams.checkRTCPIndex(ssrc: ssrc, index: UInt64(index))

        let source = input.baseAddress!
        let destination = output.baseAddress!
        let inPlace = source == UnsafeRawPointer(destination)
        let cipher = keys.rtcp
        if isGCM {
            let wordBytes = UnsafeRawBufferPointer(start: source + wordOffset, count: 4)
            let aad = UnsafeRawBufferPointer(start: source, count: encrypted ? 8 : plaintextLength)
            let opened = cipher.withRTCPNonce(ssrc: ssrc, index: index) { iv in
                cipher.gcm!.open(iv: iv, aad: aad, aad2: wordBytes, input: source + 8, output: destination + 8,
                                 count: encrypted ? plaintextLength - 8 : 0, tag: source + plaintextLength)
            }
            guard opened else { throw .authenticationFailed(ssrc: ssrc) }
            if !inPlace {
                destination.copyMemory(from: source, byteCount: encrypted ? 8 : plaintextLength)
            }
        } else {
            guard verifyHMACTag(cipher.hmac!, authenticated: UnsafeRawBufferPointer(start: source, count: wordOffset + 4),
                                roc: nil, tag: source + wordOffset + 4 + mki.count, tagLength: tagLength)
            else { throw .authenticationFailed(ssrc: ssrc) }
            if !inPlace { destination.copyMemory(from: source, byteCount: 8) }
            if encrypted, let ctr = cipher.ctr {
                cipher.withCounterIV(ssrc: ssrc, index: UInt64(index)) { iv in
                    ctr.apply(iv: iv, input: source + 8, output: destination + 8, count: plaintextLength - 8)
                }
            } else if !inPlace {
                (destination + 8).copyMemory(from: source + 8, byteCount: plaintextLength - 8)
            }
        }
        streams.recordAcceptedRTCP(ssrc: ssrc, index: UInt64(index))
        return plaintextLength
    }
}
