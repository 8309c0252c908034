// SPDX-License-Identifier: Apache-2.0
// Copyright 2026 the swift-perc authors

import Foundation
import Synchronization

/// Collects values from any thread for a test to wait on.
public final class Collected<Value: Sendable>: Sendable {
    private let values = Mutex<[Value]>([])

    public init() {}

    public func append(_ value: Value) { values.withLock { $0.append(value) } }
    public var all: [Value] { values.withLock { $0 } }

    /// Waits until `condition` holds for the values, up to `timeout`; returns whether it did.
    public func wait(timeout: Duration = .seconds(5), until condition: ([Value]) -> Bool) async -> Bool {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            if condition(all) { return true }
            try? await Task.sleep(for: .milliseconds(10))
        }
        return condition(all)
    }
}

/// Polls `condition` until it holds or `timeout` passes.
public func eventually(timeout: Duration = .seconds(15), _ condition: () -> Bool) async -> Bool {
    let deadline = ContinuousClock.now + timeout
    while ContinuousClock.now < deadline {
        if condition() { return true }
        try? await Task.sleep(for: .milliseconds(10))
    }
    return condition()
}

/// A fresh temporary directory.
public func temporaryDirectory(_ name: String) -> String {
    let path = NSTemporaryDirectory() + "perc-\(name)-\(UInt64.random(in: 0...UInt64.max))"
    try? FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    return path
}
