// SPDX-License-Identifier: Apache-2.0
// Copyright 2026 the swift-perc authors

/// Collects handshake fragments and hands out whole messages strictly in `message_seq` order
/// (RFC 6347 4.2.2), buffering a few messages ahead of the one expected.
struct HandshakeReassembler {
    /// How far ahead of the next expected message fragments are buffered.
    static let window: UInt16 = 16

    /// What adding a fragment found.
    enum Outcome {
        /// New data (or nothing wrong); whole messages, if any, are in `nextMessage()`.
        case accepted
        /// The fragment belongs to a message already handed out: the peer retransmitted.
        case duplicate(messageSeq: UInt16, type: UInt8)
        /// Too far ahead; dropped.
        case ignored
    }

    private struct Partial {
        let type: UInt8
        var body: [UInt8]
        /// Received byte ranges, sorted and merged.
        var ranges: [Range<Int>] = []
        let epoch: UInt16
        var recordNumbers: [RecordNumber] = []

        var isComplete: Bool {
            body.isEmpty || (ranges.count == 1 && ranges[0] == 0..<body.count)
        }

        mutating func insert(_ range: Range<Int>) {
            guard !range.isEmpty else { return }
            var merged = range
            var kept: [Range<Int>] = []
            for existing in ranges {
                if existing.upperBound < merged.lowerBound || existing.lowerBound > merged.upperBound {
                    kept.append(existing)
                } else {
                    merged = min(existing.lowerBound, merged.lowerBound)..<max(existing.upperBound, merged.upperBound)
                }
            }
            kept.append(merged)
            ranges = kept.sorted { $0.lowerBound < $1.lowerBound }
        }
    }

    /// The `message_seq` of the next message to hand out.
    private(set) var nextSeq: UInt16 = 0
    private var partials: [UInt16: Partial] = [:]

    /// Sets the next expected sequence number and drops anything buffered (the server does
    /// this when it accepts a ClientHello with a valid cookie).
    mutating func reset(nextSeq: UInt16) {
        self.nextSeq = nextSeq
        partials = [:]
    }

    /// Adds a fragment. Throws `DecodeError` when it contradicts earlier fragments of the same
    /// message (type, length or epoch).
    mutating func add(_ fragment: HandshakeFragment, epoch: UInt16, record: RecordNumber) throws -> Outcome {
        let seq = fragment.messageSeq
        if seq < nextSeq { return .duplicate(messageSeq: seq, type: fragment.type) }
        guard seq - nextSeq < Self.window else { return .ignored }
        var partial = partials[seq] ?? Partial(type: fragment.type, body: [UInt8](repeating: 0, count: fragment.length), epoch: epoch)
        guard partial.type == fragment.type, partial.body.count == fragment.length, partial.epoch == epoch else {
            throw ByteReader.DecodeError()
        }
        let range = fragment.fragmentOffset..<(fragment.fragmentOffset + fragment.fragment.count)
        partial.body.replaceSubrange(range, with: fragment.fragment)
        partial.insert(range)
        if !partial.recordNumbers.contains(record) { partial.recordNumbers.append(record) }
        partials[seq] = partial
        return .accepted
    }

    /// The next whole message in order, if it has arrived; advances past it.
    mutating func nextMessage() -> HandshakeMessage? {
        guard let partial = partials[nextSeq], partial.isComplete else { return nil }
        partials[nextSeq] = nil
        defer { nextSeq &+= 1 }
        return HandshakeMessage(type: partial.type, messageSeq: nextSeq, body: partial.body, epoch: partial.epoch, recordNumbers: partial.recordNumbers)
    }

    /// A whole message with any sequence number, if one is buffered (the server's first
    /// ClientHello, before it knows which `message_seq` the client uses).
    mutating func anyCompleteMessage() -> HandshakeMessage? {
        guard let (seq, partial) = partials.first(where: { $0.value.isComplete }) else { return nil }
        partials[seq] = nil
        return HandshakeMessage(type: partial.type, messageSeq: seq, body: partial.body, epoch: partial.epoch, recordNumbers: partial.recordNumbers)
    }
}
