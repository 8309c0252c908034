// SPDX-License-Identifier: Apache-2.0
// Copyright 2026 the swift-perc authors

import SRTP

/// Where a relayed packet goes, and what the relay changes on the way.
public struct RelayTarget {
    /// The outbound hop (its key, its ROC).
    public let hop: RelayHop
    /// The header changes for this copy.
    public var edits: HeaderEdits

    public init(hop: RelayHop, edits: HeaderEdits = .none) {
        self.hop = hop
        self.edits = edits
    }
}

extension RelayHop {
    /// The media distributor's relay step (RFC 8723 5.2) for one packet from this inbound hop
    /// to `target`: outer open, header edits recorded in the OHB, outer seal with the target's
    /// key and ROC, EKT field passed through untouched.
    /// - Throws: ``SRTPError/relayKeyReuse`` when the target uses this hop's key, the outer
    ///   layer's errors, ``SRTPError/invalidOriginalHeaderBlock(_:)``. Nothing changes then.
    public func forward(_ packet: [UInt8], to target: RelayTarget) throws(SRTPError) -> [UInt8] {
        try transformPacket(packet, extra: 3) { (i, o) throws(SRTPError) in try forwardRTP(i, to: target, into: o) }
    }

    /// Relays every packet of `batch` in place to `target`.
    public func forward(_ batch: PacketBatch, to target: RelayTarget) {
        batch.transformInPlace { (i, o) throws(SRTPError) in try forwardRTP(i, to: target, into: o) }
    }

    /// Relays every packet of `input` to `target` into the same slot of `output`.
    public func forward(_ input: PacketBatch, to target: RelayTarget, into output: PacketBatch) {
        input.transform(into: output) { (i, o) throws(SRTPError) in try forwardRTP(i, to: target, into: o) }
    }

    /// Fan-out: opens `packet` once and seals one copy per target, appended to `output` in
    /// target order (emptied first). A target that fails gets a failed slot; the others go out.
    /// - Throws: the errors of the open; then `output` is empty and no state changed.
    public func fanOut(_ packet: UnsafeRawBufferPointer, to targets: [RelayTarget], into output: PacketBatch)
        throws(SRTPError)
    {
        output.removeAll()
        try withUnsafeTemporaryAllocation(byteCount: max(packet.count, 1), alignment: 16) { scratch throws(SRTPError) in
            let opened = try openForRelay(packet, into: scratch.baseAddress!)
            for target in targets {
                output.appendResult { slot throws(SRTPError) in
                    guard slot.count >= packet.count + 3 else {
                        throw .bufferTooSmall(needed: packet.count + 3, capacity: slot.count)
                    }
                    let plaintext = opened.headerLength..<(opened.headerLength + opened.plaintextLength)
                    slot.baseAddress!.advanced(by: plaintext.lowerBound)
                        .copyMemory(from: scratch.baseAddress! + plaintext.lowerBound, byteCount: plaintext.count)
                    return try sealRelayed(opened, source: packet, to: target, into: slot.baseAddress!)
                }
            }
            streams.recordAccepted(ssrc: opened.ssrc, index: opened.index)
            keys.srtpPackets += 1
        }
    }

    /// Relays one packet; see ``forward(_:to:)``. `output` may be `input`'s memory.
    package func forwardRTP(_ input: UnsafeRawBufferPointer, to target: RelayTarget,
                            into output: UnsafeMutableRawBufferPointer) throws(SRTPError) -> Int {
        guard output.count >= input.count + 3 else {
            throw .bufferTooSmall(needed: input.count + 3, capacity: output.count)
        }
        let destination = output.baseAddress!
        let opened = try openForRelay(input, into: destination)
        let length: Int
        do throws(SRTPError) {
            length = try sealRelayed(opened, source: input, to: target, into: destination)
        } catch {
            if input.baseAddress == UnsafeRawPointer(destination) { reseal(opened, at: destination) }
            throw error
        }
        streams.recordAccepted(ssrc: opened.ssrc, index: opened.index)
        keys.srtpPackets += 1
        return length
    }
}

/// A packet this inbound hop opened: where its pieces are, and the state to commit.
struct RelayOpenedPacket {
    let ssrc: UInt32
    let index: UInt64
    let headerLength: Int
    /// Length of the outer plaintext `E2E ciphertext | E2E tag | OHB`.
    let plaintextLength: Int
    let ohb: OriginalHeaderBlock
    let received: RTPHeaderFields
    /// Length of the EKT field at the end of the input (0 when none).
    let ektLength: Int
}

extension RelayHop {
    /// Outer-opens `input` into `destination + headerLength` and parses the OHB. On an OHB
    /// error the plaintext is sealed back (in place), so the input is as it was.
    func openForRelay(_ input: UnsafeRawBufferPointer, into destination: UnsafeMutableRawPointer)
        throws(SRTPError) -> RelayOpenedPacket
    {
        guard direction == .inbound else { throw .invalidParameter("relay must open on an inbound hop") }
        let ektLength = carriesEKT ? try EKTField.parse(endOf: input).length : 0
        let length = input.count - ektLength
        let minimum = 12 + 16 + 16 + 1
        guard length >= minimum else { throw .malformed(.tooShort(length: length, needed: minimum)) }
        let outerEnd = length - 16
        let headerLength = try RTPHeaderView.parseHeaderLength(UnsafeRawBufferPointer(rebasing: input[0..<outerEnd]))
        let source = input.baseAddress!
        let ssrc = input.loadBigEndianUInt32(at: 8)
        let received = RTPHeaderFields(header: source)
        let index = try streams.indexToAccept(ssrc: ssrc, sequenceNumber: received.sequenceNumber,
                                              initialROC: configuration.initialROC)
        let header = UnsafeRawBufferPointer(start: source, count: headerLength)
        let plaintextLength = outerEnd - headerLength
        guard DoubleLayers.open(keys, ssrc: ssrc, index: index, aad: header, source: source + headerLength,
                                payload: destination + headerLength, count: plaintextLength)
        else { throw .authenticationFailed(ssrc: ssrc) }
        let opened: RelayOpenedPacket
        do throws(SRTPError) {
            let ohb = try OriginalHeaderBlock(
                parsingEndOf: UnsafeRawBufferPointer(start: destination + headerLength, count: plaintextLength))
            guard plaintextLength >= ohb.encodedLength + 16 else {
                throw .invalidOriginalHeaderBlock("no room for the end-to-end tag before the OHB")
            }
            opened = RelayOpenedPacket(ssrc: ssrc, index: index, headerLength: headerLength,
                                       plaintextLength: plaintextLength, ohb: ohb, received: received,
                                       ektLength: ektLength)
        } catch {
            if source == UnsafeRawPointer(destination) {
                _ = DoubleLayers.seal(keys, ssrc: ssrc, index: index, aad: header, payload: destination + headerLength,
                                      count: plaintextLength)
            }
            throw error
        }
        return opened
    }

    /// Seals the outer plaintext at `destination + headerLength` back with this hop's key.
    func reseal(_ opened: RelayOpenedPacket, at destination: UnsafeMutableRawPointer) {
        _ = DoubleLayers.seal(keys, ssrc: opened.ssrc, index: opened.index,
                              aad: UnsafeRawBufferPointer(start: destination, count: opened.headerLength),
                              payload: destination + opened.headerLength, count: opened.plaintextLength)
    }

    /// Applies the target's edits, updates the OHB and outer-seals for the target hop.
    /// `destination + headerLength` holds the outer plaintext; `source` is the packet as
    /// received (its header and EKT field are copied from there). Throws before writing.
    func sealRelayed(_ opened: RelayOpenedPacket, source: UnsafeRawBufferPointer, to target: RelayTarget,
                     into destination: UnsafeMutableRawPointer) throws(SRTPError) -> Int {
        let hop = target.hop
        guard hop.direction == .outbound else { throw .invalidParameter("relay must seal on an outbound hop") }
        guard !sharesKey(with: hop) else { throw .relayKeyReuse }
        let fields = target.edits.applied(to: opened.received)
        var ohb = opened.ohb
        ohb.record(from: opened.received, to: fields)
        let index = try hop.streams.indexToSend(ssrc: opened.ssrc, sequenceNumber: fields.sequenceNumber,
                                                initialROC: hop.configuration.initialROC)
        guard hop.keys.srtpPackets < SRTPKeys.srtpPacketLimit else { throw .keyExhausted(ssrc: opened.ssrc) }

        let headerLength = opened.headerLength
        let ektField = source.baseAddress! + (source.count - opened.ektLength)
        if source.baseAddress != UnsafeRawPointer(destination) {
            destination.copyMemory(from: source.baseAddress!, byteCount: headerLength)
        }
        fields.write(to: destination)
        let innerLength = opened.plaintextLength - opened.ohb.encodedLength
        ohb.write(to: destination + headerLength + innerLength)
        let plaintextLength = innerLength + ohb.encodedLength
        let end = headerLength + plaintextLength + 16
        if opened.ektLength > 0 {   // move the EKT field behind the new tag, untouched
            (destination + end).copyMemory(from: ektField, byteCount: opened.ektLength)
        }
        guard DoubleLayers.seal(hop.keys, ssrc: opened.ssrc, index: index,
                                aad: UnsafeRawBufferPointer(start: destination, count: headerLength),
                                payload: destination + headerLength, count: plaintextLength)
        else { throw .cryptoFailure }
        hop.streams.recordSent(ssrc: opened.ssrc, index: index)
        hop.keys.srtpPackets += 1
        return end + opened.ektLength
    }
}
