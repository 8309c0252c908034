#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Copyright 2026 the swift-perc authors
# Runs swift-perc's code under the sanitizers, each part in its own scratch path:
#
#   kernels  the C kernels (Sources/CPERCKernels) under AddressSanitizer and
#            UndefinedBehaviorSanitizer: Fuzz/Kernels/kernels_fuzz.c built as a plain program
#            (-DPERC_KERNELS_SWEEP) that checks every backend this CPU runs against OpenSSL
#            (GCM seal/open/batch, CTR, HMAC-SHA1 and its batch, key unwrap) at every length
#            0..1500. Seconds; clang only.
#   asan     the Swift suites over the kernels (SRTPTests, PERCTests: vectors, differential
#            tests, forged and malformed packets) with Swift code under ASan and every C
#            target under ASan + UBSan (.build-asan). A whole test build: slow the first time.
#   tsan     ThreadSanitizer over the media distributor's data plane and the key distributor
#            (MediaDistributorTests, KeyDistributorTests; .build-tsan). Slow the first time.
#            Then a probe (Tools/tsan-mutex-probe.swift): on Linux, TSan reports races on a
#            correct program using a contended Synchronization.Mutex, so suite reports whose
#            accesses all sit inside Mutex.withLock closures are not evidence of a race.
#
#   Tools/sanitize.sh [kernels] [asan] [tsan]      (default: all three)
#
# Each part prints its result line; the script exits non-zero when a sanitizer reported
# anything or a test failed.
set -uo pipefail
cd "$(dirname "$0")/.."

parts=("$@")
[ ${#parts[@]} -eq 0 ] && parts=(kernels asan tsan)
failed=0

# A sanitizer report stops the run (no recovery) and names itself in the log.
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=0:abort_on_error=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
export TSAN_OPTIONS=${TSAN_OPTIONS:-halt_on_error=0:second_deadlock_stack=1}
export SWIFT_BACKTRACE=enable=no

report() {   # log, label, status
    local reports
    reports=$(grep -cE "ERROR: (AddressSanitizer|LeakSanitizer)|runtime error:|WARNING: ThreadSanitizer" "$1")
    if [ "$3" -ne 0 ] || [ "$reports" -ne 0 ]; then
        echo "$2: FAILED (exit $3, $reports sanitizer reports; log $1)"
        grep -E -A12 "ERROR: AddressSanitizer|runtime error:|WARNING: ThreadSanitizer" "$1" | head -40 >&2
        failed=1
    else
        echo "$2: clean ($(tail -1 "$1"))"
    fi
}

for part in "${parts[@]}"; do
    case "$part" in
    kernels)
        mkdir -p .build-sanitize
        kernels=Sources/CPERCKernels
        clang -g -O1 -fuse-ld=lld -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer \
            -DPERC_KERNELS_SWEEP -I"$kernels/include" -I"$kernels" Fuzz/Kernels/kernels_fuzz.c "$kernels"/*.c \
            -lcrypto -o .build-sanitize/kernels-sweep || { echo "kernels: build failed"; failed=1; continue; }
        .build-sanitize/kernels-sweep 1500 >.build-sanitize/kernels.log 2>&1
        report .build-sanitize/kernels.log "kernels (ASan+UBSan)" $?
        ;;
    asan)
        mkdir -p .build-asan
        flags=(--scratch-path .build-asan -Xswiftc -sanitize=address -Xcc -fsanitize=address,undefined
               -Xcc -fno-sanitize-recover=undefined)   # the ASan runtime carries the UBSan handlers
        if swift build --build-tests "${flags[@]}" >.build-asan/build.log 2>&1; then
            swift test --skip-build "${flags[@]}" --filter "SRTPTests|PERCTests" >.build-asan/test.log 2>&1
            report .build-asan/test.log "asan (SRTPTests, PERCTests)" $?
        else
            tail -20 .build-asan/build.log >&2
            echo "asan: build failed (log .build-asan/build.log)"
            failed=1
        fi
        ;;
    tsan)
        mkdir -p .build-tsan
        flags=(--scratch-path .build-tsan -Xswiftc -sanitize=thread)
        if swift build --build-tests "${flags[@]}" >.build-tsan/build.log 2>&1; then
            swift test --skip-build "${flags[@]}" --filter "MediaDistributorTests|KeyDistributorTests" \
                >.build-tsan/test.log 2>&1
            report .build-tsan/test.log "tsan (MediaDistributorTests, KeyDistributorTests)" $?
            # Is Synchronization.Mutex visible to TSan here? Reports on this correct program
            # are false positives; reports in the suite whose accesses all sit inside
            # Mutex.withLock closures are then inconclusive.
            if swiftc -sanitize=thread -O Tools/tsan-mutex-probe.swift -o .build-tsan/mutex-probe \
                    >.build-tsan/probe-build.log 2>&1; then
                probe=$(TSAN_OPTIONS=halt_on_error=0 .build-tsan/mutex-probe 2>&1 | grep -c "WARNING: ThreadSanitizer")
                echo "tsan probe: $probe reports on a correct program using a contended Synchronization.Mutex" \
                     "(Tools/tsan-mutex-probe.swift; more than 0: TSan cannot see this Mutex's hand-over)"
            fi
        else
            tail -20 .build-tsan/build.log >&2
            echo "tsan: build failed (log .build-tsan/build.log)"
            failed=1
        fi
        ;;
    *) echo "unknown part $part (kernels, asan, tsan)" >&2; exit 2 ;;
    esac
done
exit $failed
