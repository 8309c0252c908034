// SPDX-License-Identifier: Apache-2.0
// Copyright 2026 the swift-perc authors
//
// A correct program: four threads increment counters under one Synchronization.Mutex.
// Built with -sanitize=thread by Tools/sanitize.sh tsan: every report ThreadSanitizer makes
// here is a false positive, which shows whether this toolchain's Mutex is visible to TSan
// when contended (on Linux its slow path hands the lock over inside the kernel, FUTEX_LOCK_PI,
// with no user-space acquire for TSan to see). Prints the final count (800000).
import Foundation
import Synchronization

final class Counters: Sendable { let values = Mutex<[Int]>([0, 0, 0]) }
let counters = Counters()
let done = Atomic<Int>(0)
for thread in 0..<4 {
    Thread {
        for i in 0..<200_000 { counters.values.withLock { $0[(i + thread) % 3] += 1 } }
        done.add(1, ordering: .releasing)
    }.start()
}
while done.load(ordering: .acquiring) < 4 { usleep(1000) }
print(counters.values.withLock { $0.reduce(0, +) })
