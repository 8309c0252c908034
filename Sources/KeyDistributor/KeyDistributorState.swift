// SPDX-License-Identifier: Apache-2.0
// Copyright 2026 the swift-perc authors

import PERC
import PERCTunnel
import SRTP
#if canImport(Glibc)
import Glibc
#endif

/// What a Key Distributor keeps across a restart (``KeyDistributorStateFile`` stores it):
/// the registrations, the SPI counter, and per conference the EKTKey in force and the
/// associations it was given to.
///
/// The encoding is binary and versioned: `"PKMF"`, version 1, the SPI counter, the
/// registrations (four strings each), the conferences (name, SPI, cipher, key, salt, TTL,
/// creation time, pending flag, member IDs); big-endian, a length before every variable field. It is written into and read from ``SecretBytes``, so the buffers that hold an
/// EKTKey are zeroed when released; ``init(decoding:)`` checks every length before it reads.
public struct KeyDistributorState: Sendable {
    /// One conference's keying state.
    public struct Conference: Sendable {
        /// The conference name (as registered).
        public var name: String
        /// The EKTKey in force: SPI, cipher, key (in ``SecretBytes``), salt, TTL.
        public var keys: EKTParameterSet
        /// When `keys` was made, in seconds since 1970, so that its age survives a restart.
        public var createdAt: Double
        /// The associations that hold `keys` (the media distributor's IDs, which stay valid
        /// while only the Key Distributor restarts).
        public var members: [AssociationID]
        /// Whether a rekey was waiting (for its hold-off, or for restored members to leave).
        public var rekeyPending: Bool

        /// A conference's state; see the properties for each value.
        public init(name: String, keys: EKTParameterSet, createdAt: Double, members: [AssociationID],
                    rekeyPending: Bool) {
            self.name = name
            self.keys = keys
            self.createdAt = createdAt
            self.members = members
            self.rekeyPending = rekeyPending
        }
    }

    /// Every participant registered through the conference service.
    public var registrations: [Registration]
    /// The next SPI the Key Distributor hands out (SPIs are never reused across a restart).
    public var nextSPI: UInt16
    /// Every conference that has an EKTKey.
    public var conferences: [Conference]

    /// A state; see the properties for each value.
    public init(registrations: [Registration] = [], nextSPI: UInt16 = 1, conferences: [Conference] = []) {
        self.registrations = registrations
        self.nextSPI = nextSPI
        self.conferences = conferences
    }

    static let magic: [UInt8] = Array("PKMF".utf8)
    static let version: UInt8 = 1

    /// The encoding, in storage that zeroes itself when released.
    public func encoded() -> SecretBytes {
        var counter = StateWriter(into: nil)
        write(to: &counter)
        return SecretBytes(count: counter.offset) { buffer in
            var writer = StateWriter(into: buffer)
            write(to: &writer)
        }
    }

    private func write(to writer: inout StateWriter) {
        writer.bytes(Self.magic)
        writer.u8(Self.version)
        writer.u16(nextSPI)
        writer.u32(UInt32(registrations.count))
        for registration in registrations {
            for field in [registration.conference, registration.participant, registration.fingerprint, registration.tlsID] {
                writer.string(field)
            }
        }
        writer.u32(UInt32(conferences.count))
        for conference in conferences {
            writer.string(conference.name)
            writer.u16(conference.keys.spi)
            writer.u8(conference.keys.cipher.rawValue)
            conference.keys.key.withUnsafeBytes { key in
                writer.u16(UInt16(key.count))   // 16 or 32 (EKTParameterSet checks)
                writer.bytes(key)
            }
            let salt = conference.keys.masterSalt.prefix(Int(UInt16.max))
            writer.u16(UInt16(salt.count))
            writer.bytes(salt)
            writer.u32(conference.keys.ttl)
            writer.u64(conference.createdAt.bitPattern)
            writer.u8(conference.rekeyPending ? 1 : 0)
            writer.u32(UInt32(conference.members.count))
            for member in conference.members { writer.bytes(member.bytes) }
        }
    }

    /// Decodes what ``encoded()`` wrote.
    /// - Throws: ``KeyDistributorStateError/malformed(_:)`` for a wrong magic or version, a
    ///   length past the end, an invalid field or bytes left over; nothing is read past the
    ///   buffer.
    public init(decoding bytes: UnsafeRawBufferPointer) throws(KeyDistributorStateError) {
        var reader = StateReader(bytes)
        guard try reader.bytes(4).elementsEqual(Self.magic) else { throw .malformed("not a Key Distributor state file") }
        let version = try reader.u8()
        guard version == Self.version else { throw .malformed("version \(version), expected \(Self.version)") }
        nextSPI = try reader.u16()
        guard nextSPI != 0 else { throw .malformed("SPI counter 0") }
        let registrationCount = try reader.count(minimumItemLength: 8)
        registrations = []
        for _ in 0..<registrationCount {
            let conference = try reader.string(), participant = try reader.string()
            let fingerprint = try reader.string(), tlsID = try reader.string()
            registrations.append(Registration(conference: conference, participant: participant, fingerprint: fingerprint,
                                              tlsID: tlsID))
        }
        let conferenceCount = try reader.count(minimumItemLength: 26)
        conferences = []
        for _ in 0..<conferenceCount {
            let name = try reader.string()
            let spi = try reader.u16()
            guard let cipher = EKTCipher(rawValue: try reader.u8()) else { throw .malformed("unknown EKT cipher") }
            let keyLength = Int(try reader.u16())
            var key = Array(try reader.bytes(keyLength))
            defer { key.wipe() }
            let salt = Array(try reader.bytes(Int(try reader.u16())))
            let ttl = try reader.u32()
            let createdAt = Double(bitPattern: try reader.u64())
            let pending = try reader.u8()
            guard createdAt.isFinite, pending <= 1 else { throw .malformed("conference \(name): invalid field") }
            let memberCount = try reader.count(minimumItemLength: 16)
            var members: [AssociationID] = []
            for _ in 0..<memberCount { members.append(AssociationID(bytes: try reader.bytes(16))) }
            let keys: EKTParameterSet
            do { keys = try EKTParameterSet(spi: spi, cipher: cipher, key: key, masterSalt: salt, ttl: ttl) } catch {
                throw .malformed("conference \(name): \(error)")
            }
            conferences.append(Conference(name: name, keys: keys, createdAt: createdAt, members: members,
                                          rekeyPending: pending == 1))
        }
        guard reader.remaining == 0 else { throw .malformed("\(reader.remaining) bytes after the end") }
    }
}

/// Why a state file could not be read or written.
public enum KeyDistributorStateError: Error, Equatable, CustomStringConvertible {
    /// The file's contents do not decode.
    case malformed(String)
    /// A system call failed (the operation and errno's text).
    case io(String)

    public var description: String {
        switch self {
        case .malformed(let why): return "malformed Key Distributor state: \(why)"
        case .io(let why): return "Key Distributor state: \(why)"
        }
    }
}

/// Writes big-endian fields into a buffer, or only counts them (no buffer), so that the exact
/// size is known before the secret storage is made.
private struct StateWriter {
    let buffer: UnsafeMutableRawBufferPointer?
    private(set) var offset = 0

    init(into buffer: UnsafeMutableRawBufferPointer?) { self.buffer = buffer }

    mutating func bytes(_ source: some Collection<UInt8>) {
        if let buffer {
            UnsafeMutableRawBufferPointer(rebasing: buffer[offset..<offset + source.count]).copyBytes(from: source)
        }
        offset += source.count
    }

    mutating func u8(_ value: UInt8) { bytes(CollectionOfOne(value)) }
    mutating func u16(_ value: UInt16) { bytes([UInt8(value >> 8), UInt8(truncatingIfNeeded: value)]) }
    mutating func u32(_ value: UInt32) { u16(UInt16(value >> 16)); u16(UInt16(truncatingIfNeeded: value)) }
    mutating func u64(_ value: UInt64) { u32(UInt32(value >> 32)); u32(UInt32(truncatingIfNeeded: value)) }

    /// UTF-8 with a 16-bit length (registry fields are at most 255 characters; longer ones
    /// are cut, which the registry never stores).
    mutating func string(_ value: String) {
        let utf8 = Array(value.utf8.prefix(Int(UInt16.max)))
        u16(UInt16(utf8.count))
        bytes(utf8)
    }
}

/// Reads big-endian fields, throwing instead of reading past the end.
private struct StateReader {
    private let buffer: UnsafeRawBufferPointer
    private var offset = 0

    init(_ buffer: UnsafeRawBufferPointer) { self.buffer = buffer }

    var remaining: Int { buffer.count - offset }

    mutating func bytes(_ count: Int) throws(KeyDistributorStateError) -> Slice<UnsafeRawBufferPointer> {
        guard count >= 0, count <= remaining else { throw .malformed("truncated at byte \(offset)") }
        defer { offset += count }
        return buffer[offset..<offset + count]
    }

    mutating func u8() throws(KeyDistributorStateError) -> UInt8 { try bytes(1).first! }
    mutating func u16() throws(KeyDistributorStateError) -> UInt16 {
        try bytes(2).reduce(0) { $0 << 8 | UInt16($1) }
    }
    mutating func u32() throws(KeyDistributorStateError) -> UInt32 {
        try bytes(4).reduce(0) { $0 << 8 | UInt32($1) }
    }
    mutating func u64() throws(KeyDistributorStateError) -> UInt64 {
        try bytes(8).reduce(0) { $0 << 8 | UInt64($1) }
    }

    mutating func string() throws(KeyDistributorStateError) -> String {
        let length = Int(try u16())
        guard let text = String(validating: try bytes(length), as: UTF8.self) else {
            throw .malformed("invalid UTF-8 at byte \(offset - length)")
        }
        return text
    }

    /// An item count, refused when the items could not fit in what is left (so a corrupt
    /// count cannot make the caller loop or allocate for long).
    mutating func count(minimumItemLength: Int) throws(KeyDistributorStateError) -> Int {
        let count = Int(try u32())
        guard count <= remaining / minimumItemLength else { throw .malformed("count \(count) past the end") }
        return count
    }
}

extension Array where Element == UInt8 {
    /// Overwrites the bytes with zeros in a way the compiler does not remove.
    mutating func wipe() {
        withUnsafeMutableBytes { bytes in
            guard let base = bytes.baseAddress else { return }
            #if canImport(Glibc)
            explicit_bzero(base, bytes.count)
            #else
            for i in bytes.indices { bytes[i] = 0 }
            #endif
        }
    }
}
