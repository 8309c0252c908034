// SPDX-License-Identifier: Apache-2.0
// Copyright 2026 the swift-perc authors

/// What the control plane tells a worker; each worker applies its inbox between batches.
enum WorkerCommand: Sendable {
    /// Add or update an endpoint (its binding, its home worker, its hop keys).
    case upsert(EndpointSnapshot)
    /// Forget an endpoint (it left, timed out or was disconnected).
    case remove(slot: Int)
}

/// The control plane's view of one bound endpoint, copied to every worker.
struct EndpointSnapshot: Sendable {
    /// A small number naming the endpoint in every worker.
    let slot: Int
    let address: EndpointAddress
    /// The conference's number (per distributor) and name, and the participant.
    let conference: Int
    let conferenceName: String
    let participant: String
    /// The worker whose socket receives this endpoint's datagrams (it checks idleness).
    let homeWorker: Int
    /// The hop keys, nil before MediaKeys or after EndpointDisconnect.
    let keys: HopKeys?
}
