// SPDX-License-Identifier: Apache-2.0
// Copyright 2026 the swift-perc authors

extension SRTPReceiver {
    /// Unprotects one SRTP packet from `input` into `output`, which may start at the same
    /// address. Returns the RTP length (tag and MKI removed).
    ///
    /// Order: parse, estimate the index, replay check, verify the tag, decrypt, then update the
    /// ROC and the replay window. Any failure leaves every state as it was.
    @inline(__always)
    package func unprotectRTP(_ input: UnsafeRawBufferPointer, into output: UnsafeMutableRawBufferPointer)
        throws(SRTPError) -> Int
    {
        let length = input.count
        let profile = keys.profile
        let mki = keys.mki
        let tagLength = profile.srtpTagLength
        let minimum = 12 + tagLength + mki.count
        guard length >= minimum else {
            if length >= 1 && input[0] >> 6 != 2 { throw .malformed(.badVersion(Int(input[0] >> 6))) }
            throw .malformed(.tooShort(length: length, needed: minimum))
        }
        // CM/NULL: header | payload | MKI | tag.  GCM: header | payload | tag | MKI.
        let authenticatedEnd = length - tagLength - mki.count
        let headerLength = try RTPHeaderView.parseHeaderLength(
            UnsafeRawBufferPointer(rebasing: input[0..<authenticatedEnd]))
        let mkiOffset = profile.cipher == .aesGCM ? length - mki.count : authenticatedEnd
        try checkMKI(input, at: mkiOffset)
        let plaintextLength = authenticatedEnd
        guard output.count >= plaintextLength else {
            throw .bufferTooSmall(needed: plaintextLength, capacity: output.count)
        }

        let ssrc = input.loadBigEndianUInt32(at: 8)
        let sequenceNumber = UInt16(input[2]) << 8 | UInt16(input[3])
        let index = try streams.indexToAccept(ssrc: ssrc, sequenceNumber: sequenceNumber,
                                              initialROC: configuration.initialROC)

        let source = input.baseAddress!
        let destination = output.baseAddress!
        let inPlace = source == UnsafeRawPointer(destination)
        let cipher = keys.rtp
        let payloadLength = authenticatedEnd - headerLength
        switch profile.cipher {
        case .aesGCM:
            let opened = cipher.withRTPNonce(ssrc: ssrc, index: index) { iv in
                cipher.gcm!.open(iv: iv, aad: UnsafeRawBufferPointer(start: source, count: headerLength),
                                 input: source + headerLength, output: destination + headerLength,
                                 count: payloadLength, tag: source + authenticatedEnd)
            }
            guard opened else { throw .authenticationFailed(ssrc: ssrc) }
            if !inPlace { destination.copyMemory(from: source, byteCount: headerLength) }
            recordAccepted(ssrc: ssrc, index: index)
            return plaintextLength
        case .aesCounterMode, .null:
            guard verifyHMACTag(cipher.hmac!, authenticated: UnsafeRawBufferPointer(start: source, count: authenticatedEnd),
                                roc: UInt32(truncatingIfNeeded: index >> 16),
                                tag: source + authenticatedEnd + mki.count, tagLength: tagLength)
            else { throw .authenticationFailed(ssrc: ssrc) }
            if !inPlace { destination.copyMemory(from: source, byteCount: headerLength) }
            if let ctr = cipher.ctr {
                cipher.withCounterIV(ssrc: ssrc, index: index) { iv in
                    ctr.apply(iv: iv, input: source + headerLength, output: destination + headerLength, count: payloadLength)
                }
            } else if !inPlace {
                (destination + headerLength).copyMemory(from: source + headerLength, byteCount: payloadLength)
            }
            recordAccepted(ssrc: ssrc, index: index)
            return plaintextLength
        }
    }

    @inline(__always)
    private func recordAccepted(ssrc: UInt32, index: UInt64) {
        streams.recordAccepted(ssrc: ssrc, index: index)
        keys.srtpPackets += 1
    }

    /// Checks that the packet carries this context's MKI at `offset`.
    @inline(__always)
    package func checkMKI(_ input: UnsafeRawBufferPointer, at offset: Int) throws(SRTPError) {
        let mki = keys.mki
        guard !mki.isEmpty else { return }
        for i in 0..<mki.count where input[offset + i] != mki[i] { throw .unknownMKI }
    }
}
