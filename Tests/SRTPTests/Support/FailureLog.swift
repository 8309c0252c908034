// SPDX-License-Identifier: Apache-2.0
// Copyright 2026 the swift-perc authors

import Testing

/// Collects failures of a long randomized run and reports the first few (with the seed).
struct FailureLog {
    let context: String
    private(set) var count = 0

    init(context: String) { self.context = context }

    mutating func check(_ condition: Bool, _ message: @autoclosure () -> String) {
        if !condition { record(message()) }
    }

    mutating func record(_ message: String) {
        count += 1
        if count <= 5 { Issue.record("\(context): \(message)") }
    }

    func finish() {
        #expect(count == 0, "\(context): \(count) failures")
    }
}
