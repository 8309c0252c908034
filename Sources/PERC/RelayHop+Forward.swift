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
    ///   layer's errors, ``SRTPError/invalidOriginalHeaderBlock(_:)``, and the target's
    ///   ``SRTPError/replayed(ssrc:index:)`` or ``SRTPError/tooOld(ssrc:index:)`` for an index
    ///   it sealed already (see ``RelayHop``). Nothing changes then.
    public func forward(_ packet: [UInt8], to target: RelayTarget) throws(SRTPError) -> [UInt8] {
        try transformPacket(packet, extra: 3) { (i, o) throws(SRTPError) in try forwardRTP(i, to: target, into: o) }
    }

    /// Relays every packet of `batch` in place to `target`.
    public func forward(_ batch: PacketBatch, to target: RelayTarget) {
        batch.prefetchRTPStreams(streams, target.hop.streams)
        batch.transformInPlace { (i, o) throws(SRTPError) in try forwardRTP(i, to: target, into: o) }
    }

    /// Relays every packet of `input` to `target` into the same slot of `output`.
    public func forward(_ input: PacketBatch, to target: RelayTarget, into output: PacketBatch) {
        input.prefetchRTPStreams(streams, target.hop.streams)
        input.transform(into: output) { (i, o) throws(SRTPError) in try forwardRTP(i, to: target, into: o) }
    }

    /// Fan-out: opens `packet` once and seals one copy per target, appended to `output` in
    /// target order (emptied first). A target that fails gets a failed slot; the others go out.
    /// - Throws: the errors of the open; then `output` is empty and no state changed.
    public func fanOut(_ packet: UnsafeRawBufferPointer, to targets: [RelayTarget], into output: PacketBatch)
        throws(SRTPError)
    {
        output.removeAll()
        try scratch.withBytes(max(packet.count, 1)) { scratch throws(SRTPError) in
            let opened = try openForRelay(packet, into: scratch.baseAddress!)
            if !Self.repeatsHop(targets) {
                // In groups small enough for the per-copy plans to live on the stack.
                var start = targets.startIndex
                while start < targets.endIndex {
                    let end = min(start + Self.fanOutGroup, targets.endIndex)
                    sealFannedOut(opened, source: packet, plaintext: scratch.baseAddress!, to: targets[start..<end],
                                  into: output)
                    start = end
                }
                streams.recordAccepted(ssrc: opened.ssrc, index: opened.index)
                keys.countSRTPPacket()
                return
            }
            // A hop named twice: its second copy's index depends on the first copy's commit,
            // so seal one copy after the other.
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
            keys.countSRTPPacket()
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
        keys.countSRTPPacket()
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
        let plan = try planRelayed(opened, to: target)
        let hop = target.hop, fields = plan.fields, ohb = plan.ohb, index = plan.index
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
        hop.streams.recordSealed(ssrc: opened.ssrc, index: index)
        hop.keys.countSRTPPacket()
        return end + opened.ektLength
    }
}

/// What the relay decided for one copy before writing it: the edited header fields, the
/// updated OHB and the outbound index.
struct RelayCopyPlan {
    let fields: RTPHeaderFields
    let ohb: OriginalHeaderBlock
    let index: UInt64
}

extension RelayHop {
    /// Every check and decision of ``sealRelayed(_:source:to:into:)``, without writing or
    /// committing anything.
    func planRelayed(_ opened: RelayOpenedPacket, to target: RelayTarget) throws(SRTPError) -> RelayCopyPlan {
        let hop = target.hop
        guard hop.direction == .outbound else { throw .invalidParameter("relay must seal on an outbound hop") }
        guard !sharesKey(with: hop) else { throw .relayKeyReuse }
        let fields = target.edits.applied(to: opened.received)
        var ohb = opened.ohb
        ohb.record(from: opened.received, to: fields)
        let index = try hop.streams.indexToSealOnce(ssrc: opened.ssrc, sequenceNumber: fields.sequenceNumber,
                                                    initialROC: hop.configuration.initialROC)
        guard !hop.keys.srtpExhausted else { throw .keyExhausted(ssrc: opened.ssrc) }
        return RelayCopyPlan(fields: fields, ohb: ohb, index: index)
    }

    /// Copies sealed per fan-out kernel call: few enough that each call's plans, jobs and
    /// IVs fit the 1 KiB a temporary allocation may take from the stack (and at most 64, the
    /// bits of the call's plan mask).
    static let fanOutGroup = max(1, min(KernelDoubleGCM.fanOutJobsOnStack, 64,
                                        1024 / max(MemoryLayout<RelayCopyPlan>.stride, 20)))

    /// Whether a hop appears twice among `targets` (compared by identity).
    static func repeatsHop(_ targets: [RelayTarget]) -> Bool {
        for i in targets.indices {
            for j in targets.indices where j > i && targets[i].hop === targets[j].hop { return true }
        }
        return false
    }

    /// The fan-out's copies in one kernel call: every copy is planned (a failing one gets a
    /// failed slot), its header, OHB and EKT field are written into its slot, then one
    /// fan-out seal encrypts the shared `E2E ciphertext | E2E tag` (at `plaintext +
    /// headerLength`) with each copy's OHB under each target's key and index, and the copies
    /// that sealed are committed. No hop may appear twice in `targets`.
    ///
    /// Per copy this keeps to plain stores on the stack: plans are trivial values (a copy
    /// whose plan fails is planned again when its slot is appended, to get the error: planning
    /// changes nothing), jobs hold their key unretained, and results go into the slots directly.
    func sealFannedOut(_ opened: RelayOpenedPacket, source: UnsafeRawBufferPointer, plaintext: UnsafeRawPointer,
                       to targets: ArraySlice<RelayTarget>, into output: PacketBatch) {
        let count = min(targets.count, output.maximumCount - output.count)
        guard count > 0 else { return }
        let headerLength = opened.headerLength
        let sharedLength = opened.plaintextLength - opened.ohb.encodedLength
        let shared = UnsafeRawBufferPointer(start: plaintext + headerLength, count: sharedLength)
        let fits = output.slotCapacity >= source.count + 3
        let ektField = source.baseAddress! + (source.count - opened.ektLength)
        // Per copy: 16 bytes of IV, 4 of OHB.
        withUnsafeTemporaryAllocation(byteCount: 20 * count, alignment: 16) { scratch in
        withUnsafeTemporaryAllocation(of: RelayCopyPlan.self, capacity: count) { plans in
        withUnsafeTemporaryAllocation(of: KernelFanOutJob.self, capacity: count) { jobs in
        withUnsafeTemporaryAllocation(of: Bool.self, capacity: count) { sealed in
            var jobCount = 0
            var planned: UInt64 = 0   // bit k: copy k has a plan (count <= 64)
            let first = output.count
            for k in 0..<count {
                let target = targets[targets.startIndex + k]
                guard fits, let copy = try? planRelayed(opened, to: target) else { continue }
                planned |= 1 << UInt64(k)
                plans.initializeElement(at: k, to: copy)
                let iv = scratch.baseAddress! + 16 * k
                let ohb = scratch.baseAddress! + 16 * count + 4 * k
                copy.ohb.write(to: ohb)
                let cipher = target.hop.keys.rtp
                cipher.withRTPNonce(ssrc: opened.ssrc, index: copy.index) { iv.copyMemory(from: $0, byteCount: 12) }
                // The slot this copy is appended to below (slots are fixed storage of the batch).
                let slot = output.slotAddress(first + k)
                slot.copyMemory(from: source.baseAddress!, byteCount: headerLength)
                copy.fields.write(to: slot)
                let end = headerLength + sharedLength + copy.ohb.encodedLength + 16
                if opened.ektLength > 0 {   // the EKT field behind the new tag, untouched
                    (slot + end).copyMemory(from: ektField, byteCount: opened.ektLength)
                }
                jobs.initializeElement(at: jobCount, to: KernelFanOutJob(
                    key: cipher.gcm!, iv: UnsafeRawPointer(iv),
                    aad: UnsafeRawBufferPointer(start: slot, count: headerLength),
                    tail: UnsafeRawBufferPointer(start: ohb, count: copy.ohb.encodedLength),
                    output: slot + headerLength, tag: slot + (end - 16)))
                jobCount += 1
            }
            KernelDoubleGCM.sealFanOut(shared: shared, jobs: UnsafeBufferPointer(rebasing: jobs[0..<jobCount]),
                                       results: sealed)
            var job = 0
            for k in 0..<count {
                let target = targets[targets.startIndex + k]
                guard planned & (1 << UInt64(k)) != 0 else {
                    let error: SRTPError
                    do throws(SRTPError) {
                        guard fits else {
                            throw .bufferTooSmall(needed: source.count + 3, capacity: output.slotCapacity)
                        }
                        _ = try planRelayed(opened, to: target)
                        error = .cryptoFailure   // not reached: the plan failed a moment ago
                    } catch let planError {
                        error = planError
                    }
                    output.appendFailed(error)
                    continue
                }
                defer { job += 1 }
                guard sealed[job] else {
                    output.appendFailed(.cryptoFailure)
                    continue
                }
                let copy = plans[k]
                let hop = target.hop
                hop.streams.recordSealed(ssrc: opened.ssrc, index: copy.index)
                hop.keys.countSRTPPacket()
                output.appendFilled(length: headerLength + sharedLength + copy.ohb.encodedLength + 16 + opened.ektLength)
            }
            scratch.initializeMemory(as: UInt8.self, repeating: 0)
        }
        }
        }
        }
    }
}
