// SPDX-License-Identifier: Apache-2.0
// Copyright 2026 the swift-perc authors

import SRTP

extension DoubleReceiver {
    /// Unprotects one double-protected packet from `input` into `output` (may be the same
    /// memory). Returns the original RTP packet's length.
    package func unprotectRTP(_ input: UnsafeRawBufferPointer, into output: UnsafeMutableRawBufferPointer)
        throws(SRTPError) -> Int
    {
        var length = input.count
        guard length >= 12 else { throw .malformed(.tooShort(length: length, needed: 12)) }
        let ssrc = input.loadBigEndianUInt32(at: 8)
        var offer: EKTKeyOffer? = nil
        if let ekt {
            let field = try EKTField.parse(endOf: input)
            if case .full(let full) = field { offer = try ekt.evaluate(full, packetSSRC: ssrc) }
            length -= field.length
        }
        let minimum = 12 + 16 + 16 + 1
        guard length >= minimum else { throw .malformed(.tooShort(length: length, needed: minimum)) }
        let outerEnd = length - 16
        let headerLength = try RTPHeaderView.parseHeaderLength(UnsafeRawBufferPointer(rebasing: input[0..<outerEnd]))
        guard output.count >= outerEnd else { throw .bufferTooSmall(needed: outerEnd, capacity: output.count) }
        let received = RTPHeaderFields(header: input.baseAddress!)
        let outerIndex = try outerStreams.indexToAccept(ssrc: ssrc, sequenceNumber: received.sequenceNumber,
                                                        initialROC: configuration.initialROC)
        let source = input.baseAddress!
        let destination = output.baseAddress!
        let header = UnsafeRawBufferPointer(start: source, count: headerLength)
        let payload = destination + headerLength
        let outerKeys = hopByHop.keys
        if offer == nil,
           let opened = openFused(source: source, destination: destination, headerLength: headerLength,
                                  count: outerEnd - headerLength, received: received, ssrc: ssrc,
                                  outerIndex: outerIndex, outerKeys: outerKeys) {
            return opened
        }
        guard DoubleLayers.open(outerKeys, ssrc: ssrc, index: outerIndex, aad: header, source: source + headerLength,
                                payload: payload, count: outerEnd - headerLength)
        else { throw .authenticationFailed(ssrc: ssrc) }

        let opened: InnerOpening
        do throws(SRTPError) {
            opened = try openInner(payload: payload, count: outerEnd - headerLength, header: source,
                                   received: received, ssrc: ssrc, offer: offer)
        } catch {
            if source == UnsafeRawPointer(destination) {   // put the outer ciphertext back
                _ = DoubleLayers.seal(outerKeys, ssrc: ssrc, index: outerIndex, aad: header, payload: payload,
                                      count: outerEnd - headerLength)
            }
            throw error
        }
        if source != UnsafeRawPointer(destination) { destination.copyMemory(from: source, byteCount: headerLength) }
        opened.original.write(to: destination)
        outerStreams.recordAccepted(ssrc: ssrc, index: outerIndex)
        innerStreams.recordAccepted(ssrc: ssrc, index: opened.innerIndex)
        if let offer, let offered = opened.offered { commit(offer: offer, keys: offered) }
        hopByHop.keys.countSRTPPacket()
        opened.keys.countSRTPPacket()
        return headerLength + opened.plaintextLength
    }

    /// Both layers in one fused kernel call, for the common case (no EKT key offer): the OHB
    /// is read ahead (decrypted, not yet authenticated) to form the inner AAD and index, then
    /// the kernel checks both tags before releasing anything, and the packet is committed.
    /// Returns nil with no state changed and the input as it was whenever this path cannot
    /// finish alone (a tag or the OHB failed, the first inner key candidate did not open it,
    /// ...): the separate opens then run and report exactly what was wrong.
    private func openFused(source: UnsafeRawPointer, destination: UnsafeMutableRawPointer, headerLength: Int,
                           count: Int, received: RTPHeaderFields, ssrc: UInt32, outerIndex: UInt64,
                           outerKeys: SRTPKeys) -> Int? {
        // The portable path has no fused kernel, and its read-ahead costs a pass over the
        // packet: the separate opens are cheaper there.
        guard outerKeys.rtp.gcm?.backend != .openssl else { return nil }
        let peekLength = min(4, count)
        var tail: UInt32 = 0
        let ohb: OriginalHeaderBlock? = withUnsafeMutableBytes(of: &tail) { bytes in
            guard DoubleLayers.peekOuterTail(outerKeys, ssrc: ssrc, index: outerIndex, source: source + headerLength,
                                             count: count, length: peekLength, into: bytes.baseAddress!)
            else { return nil }
            return try? OriginalHeaderBlock(parsingEndOf: UnsafeRawBufferPointer(rebasing: bytes[0..<peekLength]))
        }
        guard let ohb, count - ohb.encodedLength - 16 >= 0,
              let candidates = try? innerKeys(ssrc: ssrc, offer: nil) else { return nil }
        let ciphertextLength = count - ohb.encodedLength - 16
        let original = ohb.original(of: received)
        guard let innerIndex = try? innerStreams.indexToAccept(ssrc: ssrc, sequenceNumber: original.sequenceNumber,
                                                               initialROC: candidates.roc) else { return nil }
        let keys = candidates.first
        let result = DoubleLayers.withSyntheticHeader(
            source, baseLength: DoubleLayers.baseHeaderLength(source), fields: original
        ) { aad in
            DoubleLayers.openDouble(inner: keys, innerIndex: innerIndex, outer: outerKeys, outerIndex: outerIndex,
                                    ssrc: ssrc, innerAAD: aad,
                                    outerAAD: UnsafeRawBufferPointer(start: source, count: headerLength),
                                    source: source + headerLength, payload: destination + headerLength,
                                    count: count, ohbLength: ohb.encodedLength)
        }
        guard result == .opened else { return nil }
        if source != UnsafeRawPointer(destination) { destination.copyMemory(from: source, byteCount: headerLength) }
        original.write(to: destination)
        outerStreams.recordAccepted(ssrc: ssrc, index: outerIndex)
        innerStreams.recordAccepted(ssrc: ssrc, index: innerIndex)
        outerKeys.countSRTPPacket()
        keys.countSRTPPacket()
        return headerLength + ciphertextLength
    }

    /// An opened inner layer: what to commit once the packet passed.
    struct InnerOpening {
        let plaintextLength: Int
        let innerIndex: UInt64
        /// The keys that opened it.
        let keys: SRTPKeys
        /// The keys of this packet's EKT offer, if any.
        let offered: SRTPKeys?
        let original: RTPHeaderFields
    }

    /// Parses the OHB at the end of the outer plaintext and opens the inner layer in place,
    /// trying the second candidate key when the first fails (a failed open leaves the
    /// ciphertext in place).
    private func openInner(payload: UnsafeMutableRawPointer, count: Int, header: UnsafeRawPointer,
                           received: RTPHeaderFields, ssrc: UInt32, offer: EKTKeyOffer?)
        throws(SRTPError) -> InnerOpening
    {
        let ohb = try OriginalHeaderBlock(parsingEndOf: UnsafeRawBufferPointer(start: payload, count: count))
        let ciphertextLength = count - ohb.encodedLength - 16
        guard ciphertextLength >= 0 else {
            throw .invalidOriginalHeaderBlock("no room for the end-to-end tag before the OHB")
        }
        let original = ohb.original(of: received)
        let candidates = try innerKeys(ssrc: ssrc, offer: offer)
        let innerIndex: UInt64
        do throws(SRTPError) {
            innerIndex = try innerStreams.indexToAccept(ssrc: ssrc, sequenceNumber: original.sequenceNumber,
                                                        initialROC: candidates.roc)
        } catch {
            throw .inner(error)
        }
        let baseLength = DoubleLayers.baseHeaderLength(header)
        func opens(_ keys: SRTPKeys) -> Bool {
            DoubleLayers.withSyntheticHeader(header, baseLength: baseLength, fields: original) { aad in
                DoubleLayers.open(keys, ssrc: ssrc, index: innerIndex, aad: aad, source: payload, payload: payload,
                                  count: ciphertextLength)
            }
        }
        var keys = candidates.first
        if !opens(keys) {
            guard let second = candidates.second, second !== keys, opens(second) else {
                throw .inner(.authenticationFailed(ssrc: ssrc))
            }
            keys = second
        }
        return InnerOpening(plaintextLength: ciphertextLength, innerIndex: innerIndex, keys: keys,
                            offered: candidates.offered, original: original)
    }
}
