// SPDX-License-Identifier: Apache-2.0
// Copyright 2026 the swift-perc authors

internal import CPERCKernels

/// What happened to one slot of a batch.
public enum PacketResult: Equatable, Sendable {
    /// Not processed yet.
    case pending
    /// Processed; the slot holds the result.
    case ok
    /// Failed; the slot's bytes and every state are as before the call.
    case failed(SRTPError)
}

/// A slab of packet slots processed together: the unit of work of every transform.
///
/// The slab is allocated once; appending, processing and clearing allocate nothing. Each
/// slot has a fixed capacity (``slotCapacity``) and a current length; a transform writes its
/// result into the same slot (in place) or into the same slot of another batch, and records
/// a ``PacketResult`` per slot. A single packet is a batch of one.
public final class PacketBatch {
    /// Bytes each slot can hold.
    public let slotCapacity: Int
    /// Most slots the batch holds.
    public let maximumCount: Int
    /// Slots in use. (Read and written per packet, also from other modules' inlined loops; a
    /// batch is used by one thread at a time, so no runtime exclusivity checks.)
    @exclusivity(unchecked) public private(set) var count = 0

    private let storage: UnsafeMutableRawPointer
    private let lengths: UnsafeMutablePointer<Int>
    private let results: UnsafeMutablePointer<PacketResult>

    /// Allocates `maximumCount` slots of `slotCapacity` bytes.
    public init(maximumCount: Int, slotCapacity: Int = 2048) {
        precondition(maximumCount > 0 && slotCapacity > 0, "a batch needs at least one slot of one byte")
        self.maximumCount = maximumCount
        self.slotCapacity = slotCapacity
        storage = .allocate(byteCount: maximumCount * slotCapacity, alignment: 64)
        lengths = .allocate(capacity: maximumCount)
        lengths.initialize(repeating: 0, count: maximumCount)
        results = .allocate(capacity: maximumCount)
        results.initialize(repeating: .pending, count: maximumCount)
    }

    deinit {
        storage.deallocate()
        lengths.deallocate()
        results.deinitialize(count: maximumCount)
        results.deallocate()
    }

    /// Copies `bytes` into the next slot. Returns false when the batch is full or the packet
    /// is larger than a slot.
    @discardableResult
    public func append(_ bytes: some Collection<UInt8>) -> Bool {
        guard count < maximumCount, bytes.count <= slotCapacity else { return false }
        let slot = UnsafeMutableRawBufferPointer(start: storage + count * slotCapacity, count: slotCapacity)
        slot.copyBytes(from: bytes)
        lengths[count] = bytes.count
        results[count] = .pending
        count += 1
        return true
    }

    /// Appends an empty slot and lets `body` fill it; `body` returns the length it wrote.
    @discardableResult
    public func append(filling body: (UnsafeMutableRawBufferPointer) -> Int) -> Bool {
        guard count < maximumCount else { return false }
        let slot = UnsafeMutableRawBufferPointer(start: storage + count * slotCapacity, count: slotCapacity)
        let length = body(slot)
        precondition(length >= 0 && length <= slotCapacity, "filled length out of range")
        lengths[count] = length
        results[count] = .pending
        count += 1
        return true
    }

    /// Appends a slot filled by `transform`, recording its result: on a throw the slot is kept
    /// with length 0 and a failed result. Returns false when the batch is full.
    @discardableResult
    package func appendResult(_ transform: (UnsafeMutableRawBufferPointer) throws(SRTPError) -> Int) -> Bool {
        guard count < maximumCount else { return false }
        let slot = UnsafeMutableRawBufferPointer(start: storage + count * slotCapacity, count: slotCapacity)
        do {
            lengths[count] = try transform(slot)
            results[count] = .ok
        } catch {
            lengths[count] = 0
            results[count] = .failed(error)
        }
        count += 1
        return true
    }

    /// The first byte of slot `index` (fixed storage: valid as long as the batch lives).
    @inline(__always)
    package func slotAddress(_ index: Int) -> UnsafeMutableRawPointer {
        precondition(index >= 0 && index < maximumCount, "slot index out of range")
        return storage + index * slotCapacity
    }

    /// Appends the next slot as already written in place (see ``slotAddress(_:)``): `length`
    /// bytes, result ok. Returns false when the batch is full.
    @discardableResult
    package func appendFilled(length: Int) -> Bool {
        guard count < maximumCount else { return false }
        precondition(length >= 0 && length <= slotCapacity, "filled length out of range")
        lengths[count] = length
        results[count] = .ok
        count += 1
        return true
    }

    /// Appends the next slot as failed with `error` (length 0). Returns false when the batch is full.
    @discardableResult
    package func appendFailed(_ error: SRTPError) -> Bool {
        guard count < maximumCount else { return false }
        lengths[count] = 0
        results[count] = .failed(error)
        count += 1
        return true
    }

    /// Empties the batch (the slab is kept).
    public func removeAll() { count = 0 }

    /// Sets the number of slots in use (for callers that fill slots directly, e.g. `recvmmsg`).
    public func setCount(_ newCount: Int) {
        precondition(newCount >= 0 && newCount <= maximumCount, "count out of range")
        for i in count..<max(count, newCount) { results[i] = .pending }
        count = newCount
    }

    /// The bytes of slot `index` (a copy).
    public func packet(at index: Int) -> [UInt8] {
        precondition(index >= 0 && index < count, "slot index out of range")
        return Array(UnsafeRawBufferPointer(start: storage + index * slotCapacity, count: lengths[index]))
    }

    /// The length of slot `index`.
    public func length(at index: Int) -> Int {
        precondition(index >= 0 && index < count, "slot index out of range")
        return lengths[index]
    }

    /// How many slots hold ``PacketResult/ok``.
    public var succeededCount: Int {
        var n = 0
        for i in 0..<count where results[i] == .ok { n += 1 }
        return n
    }

    /// The result of the last transform on slot `index`.
    public func result(at index: Int) -> PacketResult {
        precondition(index >= 0 && index < count, "slot index out of range")
        return results[index]
    }

    /// Calls `body` with slot `index`'s whole capacity and its length, which `body` may change.
    /// Do not let the pointer escape the closure.
    public func withUnsafeMutableSlot<R>(at index: Int, _ body: (UnsafeMutableRawBufferPointer, inout Int) throws -> R)
        rethrows -> R
    {
        precondition(index >= 0 && index < maximumCount, "slot index out of range")
        let slot = UnsafeMutableRawBufferPointer(start: storage + index * slotCapacity, count: slotCapacity)
        let result = try body(slot, &lengths[index])
        precondition(lengths[index] >= 0 && lengths[index] <= slotCapacity, "slot length out of range")
        return result
    }

    /// Runs `transform` on every slot in place: its input is the slot's bytes and its output the
    /// slot's whole capacity (the same memory). A throw leaves the slot as it was.
    @inline(__always)
    package func transformInPlace(
        _ transform: (UnsafeRawBufferPointer, UnsafeMutableRawBufferPointer) throws(SRTPError) -> Int
    ) {
        for i in 0..<count {
            let base = storage + i * slotCapacity
            prefetchSlot(i + 1)
            do {
                lengths[i] = try transform(UnsafeRawBufferPointer(start: base, count: lengths[i]),
                                           UnsafeMutableRawBufferPointer(start: base, count: slotCapacity))
                results[i] = .ok
            } catch {
                results[i] = .failed(error)
            }
        }
    }

    /// Runs `transform` from every slot into the same slot of `output`, which takes this
    /// batch's count. A failed slot of `output` keeps length 0.
    @inline(__always)
    package func transform(
        into output: PacketBatch,
        _ transform: (UnsafeRawBufferPointer, UnsafeMutableRawBufferPointer) throws(SRTPError) -> Int
    ) {
        precondition(output !== self, "use the in-place call for in-place processing")
        precondition(output.maximumCount >= count, "output batch has fewer slots than the input")
        output.count = count
        for i in 0..<count {
            let input = UnsafeRawBufferPointer(start: storage + i * slotCapacity, count: lengths[i])
            prefetchSlot(i + 1)
            let out = UnsafeMutableRawBufferPointer(start: output.storage + i * output.slotCapacity,
                                                    count: output.slotCapacity)
            do {
                output.lengths[i] = try transform(input, out)
                output.results[i] = .ok
                results[i] = .ok
            } catch {
                output.lengths[i] = 0
                output.results[i] = .failed(error)
                results[i] = .failed(error)
            }
        }
    }
}

// MARK: - Prefetching

extension PacketBatch {
    /// Starts loading the bytes of slot `index` (nothing when out of range): the batch loops
    /// fetch the next packet while the current one is processed, so a packet that is not in
    /// the cache (many streams, large batches) arrives by the time it is needed.
    @inline(__always)
    func prefetchSlot(_ index: Int) {
        guard index < count else { return }
        perc_prefetch_range(storage + index * slotCapacity, lengths[index])
    }

    /// Before an RTP batch goes through stream tables of many streams: fetches every packet's
    /// header, then the hash buckets of its SSRC, then its stream state and replay-window
    /// word, each pass over the whole batch, so the cache misses of the batch overlap instead
    /// of stalling one packet at a time. A hint only (slots shorter than an RTP header are
    /// skipped); it does nothing for small tables, whose state stays in the cache anyway.
    @inline(__always)
    package func prefetchRTPStreams(_ first: StreamTable, _ second: StreamTable? = nil) {
        guard first.count > Self.prefetchStreamThreshold || (second?.count ?? 0) > Self.prefetchStreamThreshold
        else { return }
        for i in 0..<count { perc_prefetch(storage + i * slotCapacity) }
        for i in 0..<count where lengths[i] >= 12 {
            let ssrc = UInt32(bigEndian: (storage + i * slotCapacity + 8).loadUnaligned(as: UInt32.self))
            first.prefetch(ssrc: ssrc)
            second?.prefetch(ssrc: ssrc)
        }
        for i in 0..<count where lengths[i] >= 12 {
            let header = storage + i * slotCapacity
            let ssrc = UInt32(bigEndian: (header + 8).loadUnaligned(as: UInt32.self))
            let sequenceNumber = UInt16(bigEndian: (header + 2).loadUnaligned(as: UInt16.self))
            first.prefetchStream(ssrc: ssrc, sequenceNumber: sequenceNumber)
            second?.prefetchStream(ssrc: ssrc, sequenceNumber: sequenceNumber)
        }
    }

    /// Streams up to which a table's state is assumed to stay cached (no prefetch pass).
    static let prefetchStreamThreshold = 256
}

/// Runs a one-packet transform over a copy of `packet`, as a batch of one would.
package func transformPacket(
    _ packet: [UInt8], extra: Int,
    _ transform: (UnsafeRawBufferPointer, UnsafeMutableRawBufferPointer) throws(SRTPError) -> Int
) throws(SRTPError) -> [UInt8] {
    var buffer = packet
    buffer.append(contentsOf: repeatElement(0, count: extra))
    let length = packet.count
    let outcome = buffer.withUnsafeMutableBytes { raw -> Result<Int, SRTPError> in
        do throws(SRTPError) {
            return .success(try transform(UnsafeRawBufferPointer(rebasing: raw[0..<length]), raw))
        } catch {
            return .failure(error)
        }
    }
    let written = try outcome.get()
    buffer.removeSubrange(written...)
    return buffer
}
