// SPDX-License-Identifier: Apache-2.0
// Copyright 2026 the swift-perc authors

import PERC
import SRTP

/// The EKTKeys of one conference: the current parameter set, fresh ones on rekey and before
/// the TTL runs out, each under an SPI not used before in this Key Distributor.
///
/// A new set always gets a new SPI, key and salt (RFC 8870 4.5: a new EKTKey means a new
/// SPI; RFC 8871: endpoints then pick new end-to-end keys).
public struct EKTKeySchedule {
    public let cipher: EKTCipher
    /// Lifetime given to each EKTKey, in seconds.
    public let ttl: UInt32
    /// Fraction of the TTL after which a set is renewed even without a membership change.
    public let renewalFraction: Double
    /// The set in force.
    public private(set) var current: EKTParameterSet
    /// When `current` was made (seconds on the caller's clock).
    public private(set) var createdAt: Double

    private var allocator: SPIAllocator

    /// - Parameter allocator: hands out SPIs unique across the Key Distributor.
    public init(cipher: EKTCipher, ttl: UInt32 = 86_400, renewalFraction: Double = 0.5, now: Double,
                allocator: SPIAllocator) throws {
        self.cipher = cipher
        self.ttl = ttl
        self.renewalFraction = renewalFraction
        self.allocator = allocator
        current = try Self.makeSet(cipher: cipher, ttl: ttl, spi: allocator.next())
        createdAt = now
    }

    /// A schedule that goes on with a set made earlier (a Key Distributor restored from its
    /// state): `current` stays in force, with its own cipher and TTL, until it is rotated.
    /// - Parameter createdAt: when `current` was made, on the caller's clock (negative when
    ///   before the clock's origin).
    public init(cipher: EKTCipher, ttl: UInt32 = 86_400, renewalFraction: Double = 0.5, restoring current: EKTParameterSet,
                createdAt: Double, allocator: SPIAllocator) {
        self.cipher = cipher
        self.ttl = ttl
        self.renewalFraction = renewalFraction
        self.allocator = allocator
        self.current = current
        self.createdAt = createdAt
    }

    /// Whether the current set should be renewed at `now` because its TTL is running out.
    public func needsRenewal(at now: Double) -> Bool {
        now - createdAt >= Double(current.ttl) * renewalFraction
    }

    /// Whether the current set's TTL has run out at `now` (it must not be used any more).
    public func hasExpired(at now: Double) -> Bool {
        now - createdAt >= Double(current.ttl)
    }

    /// Replaces the current set with a fresh one and returns it.
    @discardableResult
    public mutating func rotate(at now: Double) throws -> EKTParameterSet {
        current = try Self.makeSet(cipher: cipher, ttl: ttl, spi: allocator.next())
        createdAt = now
        return current
    }

    private static func makeSet(cipher: EKTCipher, ttl: UInt32, spi: UInt16) throws -> EKTParameterSet {
        var rng = SystemRandomNumberGenerator()
        let key = (0..<cipher.keyLength).map { _ in UInt8.random(in: 0...255, using: &rng) }
        let salt = (0..<12).map { _ in UInt8.random(in: 0...255, using: &rng) }
        return try EKTParameterSet(spi: spi, cipher: cipher, key: key, masterSalt: salt, ttl: ttl)
    }
}

/// Hands out 16-bit SPIs, never the same one twice until all 65535 were used.
public final class SPIAllocator: @unchecked Sendable {
    private var nextValue: UInt16

    public init(start: UInt16 = 1) { nextValue = max(start, 1) }

    /// The SPI ``next()`` returns next (what a Key Distributor saves across a restart).
    public var upcoming: UInt16 { nextValue }

    /// The next SPI (0 is skipped so that it never appears on the wire).
    public func next() -> UInt16 {
        let value = nextValue
        nextValue = nextValue == .max ? 1 : nextValue + 1
        return value
    }
}
