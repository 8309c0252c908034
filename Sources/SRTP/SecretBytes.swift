// SPDX-License-Identifier: Apache-2.0
// Copyright 2026 the swift-perc authors

internal import CPERCKernels

/// Key material that zeroes itself when released.
///
/// The bytes are reachable only inside ``withUnsafeBytes(_:)``; equality runs in constant
/// time; `description` never prints key bytes.
public final class SecretBytes: Equatable, CustomStringConvertible, @unchecked Sendable {
    private let storage: UnsafeMutableRawBufferPointer

    /// Copies `bytes` into fresh storage.
    public init(_ bytes: some Collection<UInt8>) {
        storage = .allocate(byteCount: max(bytes.count, 1), alignment: 16)
        storage.initializeMemory(as: UInt8.self, repeating: 0)
        UnsafeMutableRawBufferPointer(rebasing: storage[0..<bytes.count]).copyBytes(from: bytes)
        count = bytes.count
    }

    /// Creates `count` bytes filled by `body`.
    public init<E: Error>(count: Int, _ body: (UnsafeMutableRawBufferPointer) throws(E) -> Void) throws(E) {
        storage = .allocate(byteCount: max(count, 1), alignment: 16)
        storage.initializeMemory(as: UInt8.self, repeating: 0)
        self.count = count
        try body(UnsafeMutableRawBufferPointer(rebasing: storage[0..<count]))
    }

    deinit {
        perc_secure_release(storage.baseAddress, storage.count)
        storage.deallocate()
    }

    /// Number of bytes.
    public let count: Int

    /// Calls `body` with the bytes. Do not let the pointer escape the closure.
    public func withUnsafeBytes<R, E: Error>(_ body: (UnsafeRawBufferPointer) throws(E) -> R) throws(E) -> R {
        try body(UnsafeRawBufferPointer(rebasing: storage[0..<count]))
    }

    /// A sub-range of the bytes as new secret storage.
    public func slice(_ range: Range<Int>) -> SecretBytes {
        precondition(range.lowerBound >= 0 && range.upperBound <= count, "slice out of range")
        return withUnsafeBytes { SecretBytes($0[range]) }
    }

    /// Constant-time comparison (the time depends on the lengths only).
    public static func == (lhs: SecretBytes, rhs: SecretBytes) -> Bool {
        guard lhs.count == rhs.count else { return false }
        return lhs.withUnsafeBytes { a in
            rhs.withUnsafeBytes { b in perc_ct_equal(a.baseAddress, b.baseAddress, a.count) == 1 }
        }
    }

    public var description: String { "SecretBytes(\(count) bytes)" }
}
