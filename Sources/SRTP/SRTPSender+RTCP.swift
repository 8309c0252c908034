// SPDX-License-Identifier: Apache-2.0
// Copyright 2026 the swift-perc authors

extension SRTPSender {
    /// Protects one RTCP compound packet (RFC 3711 3.4, RFC 7714 9) from `input` into
    /// `output`, which may start at the same address. Returns the SRTCP length.
    ///
    /// Layouts: AES-CM/NULL `header(8) | payload | E||index | MKI | tag(10)`;
    /// GCM `header(8) | payload | tag(16) | E||index | MKI`.
    @inline(__always)
    package func protectRTCP(_ input: UnsafeRawBufferPointer, into output: UnsafeMutableRawBufferPointer)
        throws(SRTPError) -> Int
    {
        try RTCPHeaderView.validate(input)
        let length = input.count
        let profile = keys.profile
        let mki = keys.mki
        let total = length + 4 + mki.count + profile.srtcpTagLength
        guard output.count >= total else { throw .bufferTooSmall(needed: total, capacity: output.count) }
        let ssrc = input.loadBigEndianUInt32(at: 4)
        let index = streams.rtcpIndexToSend(ssrc: ssrc, initialIndex: configuration.initialSRTCPIndex)
        guard index <= 0x7FFF_FFFF, keys.srtcpPackets < SRTPKeys.srtcpPacketLimit else {
            throw .keyExhausted(ssrc: ssrc)
        }
        let encrypt = configuration.encryptSRTCP ?? profile.encryptsSRTCP
        var word = ((encrypt ? 0x8000_0000 : 0) | UInt32(index)).bigEndian

        let source = input.baseAddress!
        let destination = output.baseAddress!
        let inPlace = source == UnsafeRawPointer(destination)
        if !inPlace { destination.copyMemory(from: source, byteCount: 8) }
        let cipher = keys.rtcp
        switch profile.cipher {
        case .aesGCM:
            let header = UnsafeRawBufferPointer(start: destination, count: encrypt ? 8 : length)
            if !encrypt && !inPlace { (destination + 8).copyMemory(from: source + 8, byteCount: length - 8) }
            let sealed = withUnsafeBytes(of: &word) { wordBytes in
                cipher.withRTCPNonce(ssrc: ssrc, index: UInt32(index)) { iv in
                    cipher.gcm!.seal(iv: iv, aad: header, aad2: wordBytes,
                                     input: source + 8, output: destination + 8, count: encrypt ? length - 8 : 0,
                                     tag: destination + length)
                }
            }
            guard sealed else { throw .cryptoFailure }
            (destination + length + 16).storeBytes(of: word, as: UInt32.self)
            copyMKI(mki, to: destination + length + 20)
        case .aesCounterMode, .null:
            if encrypt, let ctr = cipher.ctr {
                cipher.withCounterIV(ssrc: ssrc, index: index) { iv in
                    ctr.apply(iv: iv, input: source + 8, output: destination + 8, count: length - 8)
                }
            } else if !inPlace {
                (destination + 8).copyMemory(from: source + 8, byteCount: length - 8)
            }
            (destination + length).storeBytes(of: word, as: UInt32.self)
            copyMKI(mki, to: destination + length + 4)
            appendHMACTag(cipher.hmac!, authenticated: UnsafeRawBufferPointer(start: destination, count: length + 4),
                          roc: nil, tag: destination + length + 4 + mki.count, tagLength: profile.srtcpTagLength)
        }
        streams.recordSentRTCP(ssrc: ssrc, index: index)
        keys.srtcpPackets += 1
        return total
    }
}
