// SPDX-License-Identifier: Apache-2.0
// Copyright 2026 the swift-perc authors

/// One item of an outgoing flight (RFC 6347 4.2.4): a handshake message in a given epoch, or
/// ChangeCipherSpec. A retransmission rebuilds the records with fresh sequence numbers.
enum FlightEntry {
    case handshake(type: HandshakeType, messageSeq: UInt16, body: [UInt8], epoch: UInt16)
    case changeCipherSpec
}

/// A retransmission timer with exponential backoff (RFC 6347 4.2.4.1).
struct RetransmissionTimer {
    private(set) var deadline: ContinuousClock.Instant?
    private(set) var timeout: Duration = .seconds(1)
    private(set) var retransmissions = 0

    /// Starts over at `initial` after a new flight was sent.
    mutating func arm(now: ContinuousClock.Instant, initial: Duration) {
        timeout = initial
        retransmissions = 0
        deadline = now + timeout
    }

    /// Doubles the timeout (up to `maximum`) after a retransmission.
    mutating func backOff(now: ContinuousClock.Instant, maximum: Duration) {
        retransmissions += 1
        timeout = min(timeout * 2, maximum)
        deadline = now + timeout
    }

    mutating func stop() { deadline = nil }

    func isDue(_ now: ContinuousClock.Instant) -> Bool { deadline.map { $0 <= now } ?? false }
}

/// Packs records into datagrams no larger than the maximum datagram size.
struct DatagramPacker {
    let maximumSize: Int
    private var current: [UInt8] = []
    private(set) var datagrams: [[UInt8]] = []

    init(maximumSize: Int) { self.maximumSize = maximumSize }

    /// Room left in the current datagram.
    var room: Int { maximumSize - current.count }
    var isCurrentEmpty: Bool { current.isEmpty }

    mutating func add(_ record: [UInt8]) {
        if !current.isEmpty && current.count + record.count > maximumSize { flush() }
        current += record
    }

    mutating func flush() {
        if !current.isEmpty { datagrams.append(current) }
        current = []
    }

    mutating func finish() -> [[UInt8]] {
        flush()
        return datagrams
    }
}
