// SPDX-License-Identifier: Apache-2.0
// Copyright 2026 the swift-perc authors

import ConferenceLoad
import Foundation

/// The live progress line on a terminal (standard error, rewritten in place).
enum ProgressLine {
    static func show(_ progress: LoadProgress, duration: Double) {
        let line = String(format: "\r[%5.1f/%.0f s] joined %d/%d  %.0f pkt/s  p99 %.2f ms  loss %.3f%%\u{1B}[K",
                          progress.elapsed, duration, progress.joined, progress.started, progress.receivedPerSecond,
                          progress.p99LatencyMs, progress.loss * 100)
        FileHandle.standardError.write(Data(line.utf8))
    }

    static func clear() {
        FileHandle.standardError.write(Data("\r\u{1B}[K".utf8))
    }
}
