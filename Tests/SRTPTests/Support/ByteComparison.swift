// SPDX-License-Identifier: Apache-2.0
// Copyright 2026 the swift-perc authors

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Byte-array equality with `memcmp`: the generic `==` on `[UInt8]` dominates the randomized
/// tests' run time in a debug build.
func sameBytes(_ a: [UInt8], _ b: [UInt8]) -> Bool {
    guard a.count == b.count else { return false }
    guard !a.isEmpty else { return true }
    return a.withUnsafeBytes { x in b.withUnsafeBytes { y in memcmp(x.baseAddress!, y.baseAddress!, a.count) == 0 } }
}

extension Result where Success == [UInt8] {
    /// Whether this is a success holding exactly `bytes`.
    func succeeded(with bytes: [UInt8]) -> Bool {
        if case .success(let value) = self { return sameBytes(value, bytes) }
        return false
    }
}

/// Whether `body` returns exactly `bytes` (a throw counts as no).
func returns(_ bytes: [UInt8], _ body: () throws -> [UInt8]) -> Bool {
    guard let value = try? body() else { return false }
    return sameBytes(value, bytes)
}
