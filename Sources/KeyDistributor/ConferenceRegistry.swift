// SPDX-License-Identifier: Apache-2.0
// Copyright 2026 the swift-perc authors

import Foundation

/// A participant registered through the conference service before joining: the identity the
/// Key Distributor checks during the DTLS handshake (RFC 8871 5.3, RFC 9185 5.2).
public struct Registration: Sendable, Equatable, Codable {
    /// The conference the participant may join.
    public let conference: String
    /// A name for logs and metrics.
    public let participant: String
    /// SHA-256 fingerprint of the endpoint's DTLS certificate (RFC 8122), lower-case hex.
    public let fingerprint: String
    /// The endpoint's `tls-id` (RFC 8842), which its ClientHello carries as
    /// `external_session_id` (RFC 8844).
    public let tlsID: String

    public init(conference: String, participant: String, fingerprint: String, tlsID: String) {
        self.conference = conference
        self.participant = participant
        self.fingerprint = Self.normalize(fingerprint)
        self.tlsID = tlsID
    }

    /// Lower-case hex without separators (accepts `AB:CD:...`).
    static func normalize(_ fingerprint: String) -> String {
        fingerprint.lowercased().filter { $0 != ":" && $0 != " " }
    }
}

/// Why a registration or a join was refused.
public enum RegistrationError: Error, Equatable, CustomStringConvertible {
    case invalidField(String)
    case unknownEndpoint
    case tlsIDMismatch

    public var description: String {
        switch self {
        case .invalidField(let what): return "invalid registration: \(what)"
        case .unknownEndpoint: return "no registration for this certificate fingerprint"
        case .tlsIDMismatch: return "external_session_id does not match the registered tls-id"
        }
    }
}

/// The out-of-band mapping the Key Distributor needs (RFC 8871 5.3): which certificate and
/// tls-id belong to which conference. Filled by the conference service.
public final class ConferenceRegistry: @unchecked Sendable {
    private let lock = NSLock()
    private var byFingerprint: [String: Registration] = [:]
    private var observer: (@Sendable () -> Void)?

    public init() {}

    /// Called after every change (a registration added, replaced or removed), on the thread
    /// that made it; the Key Distributor uses it to save its state. One observer at a time.
    public func observeChanges(_ observer: (@Sendable () -> Void)?) {
        lock.withLock { self.observer = observer }
    }

    /// Registers (or re-registers) a participant.
    /// - Throws: ``RegistrationError/invalidField(_:)`` for an empty conference, a fingerprint
    ///   that is not 32 bytes of hex, or an empty or over-long tls-id.
    public func register(_ registration: Registration) throws {
        guard !registration.conference.isEmpty, registration.conference.count <= 255 else {
            throw RegistrationError.invalidField("conference must be 1...255 characters")
        }
        guard registration.fingerprint.count == 64, registration.fingerprint.allSatisfy(\.isHexDigit) else {
            throw RegistrationError.invalidField("fingerprint must be a SHA-256 hash in hex")
        }
        guard (20...255).contains(registration.tlsID.utf8.count) else {
            throw RegistrationError.invalidField("tls-id must be 20...255 characters (RFC 8842)")
        }
        let observer = lock.withLock {
            byFingerprint[registration.fingerprint] = registration
            return self.observer
        }
        observer?()
    }

    /// Removes the registration of `fingerprint`.
    public func unregister(fingerprint: String) {
        let observer = lock.withLock {
            byFingerprint.removeValue(forKey: Registration.normalize(fingerprint)) == nil ? nil : self.observer
        }
        observer?()
    }

    /// The registration an endpoint with this certificate and `external_session_id` matches.
    /// - Throws: ``RegistrationError/unknownEndpoint`` or ``RegistrationError/tlsIDMismatch``.
    public func authorize(fingerprint: String, externalSessionID: [UInt8]?) throws -> Registration {
        guard let registration = lock.withLock({ byFingerprint[Registration.normalize(fingerprint)] }) else {
            throw RegistrationError.unknownEndpoint
        }
        guard let externalSessionID, Array(registration.tlsID.utf8) == externalSessionID else {
            throw RegistrationError.tlsIDMismatch
        }
        return registration
    }

    /// Every registration, in no particular order.
    public var all: [Registration] { lock.withLock { Array(byFingerprint.values) } }

    /// Every registration of `conference`.
    public func registrations(conference: String) -> [Registration] {
        lock.withLock { byFingerprint.values.filter { $0.conference == conference } }
    }
}
