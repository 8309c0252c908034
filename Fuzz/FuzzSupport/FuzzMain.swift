// SPDX-License-Identifier: Apache-2.0
// Copyright 2026 the swift-perc authors

import CFuzzerDriver
#if canImport(Glibc)
import Glibc
#endif

/// One fuzz input, as libFuzzer hands it over.
public typealias FuzzEntry = @convention(c) (UnsafePointer<UInt8>?, Int) -> Int32

/// Runs libFuzzer over `entry` with the process arguments and exits with its status.
///
/// Call it from a target's `main.swift` (top-level code: a `-parse-as-library` target runs no
/// inputs). `entry` must not capture anything; a target keeps its fixed state in globals.
public func fuzzMain(_ entry: FuzzEntry) -> Never {
    exit(CFuzzerDriver_run(CommandLine.argc, CommandLine.unsafeArgv, entry))
}

/// Copies one input into an array (libFuzzer may pass a null pointer for an empty input).
public func fuzzBytes(_ data: UnsafePointer<UInt8>?, _ size: Int) -> [UInt8] {
    guard let data, size > 0 else { return [] }
    return Array(UnsafeBufferPointer(start: data, count: size))
}

/// Stops the run when an invariant does not hold: libFuzzer reports a crash (the abort) and
/// saves the input, so a broken invariant counts exactly like a memory error.
public func require(_ condition: @autoclosure () -> Bool, _ message: @autoclosure () -> String,
                    file: StaticString = #fileID, line: UInt = #line) {
    if !condition() {
        let text = "invariant failed at \(file):\(line): \(message())\n"
        _ = text.withCString { write(2, $0, strlen($0)) }
        abort()
    }
}
