// SPDX-License-Identifier: Apache-2.0
// Copyright 2026 the swift-perc authors

/// Runs a `DTLSConnection` over a `DatagramSocket`: sends what it queues, feeds it what
/// arrives and ticks its timers, until the caller is satisfied or a deadline passes.
public enum DTLSDatagramDriver {
    /// Drives `connection` until `onEvent` returns true for an event, the association fails,
    /// or `deadline` passes.
    /// - Parameters:
    ///   - onEvent: sees every event; may call into `connection` (for example `sendEKTKey`).
    ///     Return true to stop.
    /// - Throws: the association's `DTLSError` when it fails, `DTLSError.timeout` at the
    ///   deadline, `DTLSError.socket` on socket failure, or what `onEvent` throws.
    public static func run(_ connection: DTLSConnection, over socket: DatagramSocket, until deadline: ContinuousClock.Instant,
                           onEvent: (DTLSEvent) throws -> Bool) throws {
        let clock = ContinuousClock()
        while true {
            for datagram in connection.takeOutgoingDatagrams() { try socket.send(datagram) }
            let now = clock.now
            guard now < deadline else { throw DTLSError.timeout("no result before the deadline") }
            let wake = min(connection.nextDeadline ?? deadline, deadline)
            let events: [DTLSEvent]
            if let datagram = try socket.receive(timeout: max(.zero, wake - now) + .milliseconds(1)) {
                events = connection.receive(datagram: datagram, now: clock.now)
            } else {
                events = connection.handleTimer(now: clock.now)
            }
            for event in events {
                let stop = try onEvent(event)
                if case .failed(let error) = event {
                    for datagram in connection.takeOutgoingDatagrams() { try? socket.send(datagram) }
                    throw error
                }
                if stop {
                    for datagram in connection.takeOutgoingDatagrams() { try socket.send(datagram) }
                    return
                }
            }
            if case .closed = connection.state {
                for datagram in connection.takeOutgoingDatagrams() { try? socket.send(datagram) }
                throw DTLSError.notConnected
            }
        }
    }
}
