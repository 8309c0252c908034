#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Copyright 2026 the swift-perc authors
# Builds and runs the libFuzzer targets (Fuzz/: one Swift executable per target, and
# CKernels, the C kernels' differential target) for N seconds each, and prints one line per
# target:
#   TARGET: E execs, C crashes
# E is libFuzzer's stat::number_of_executed_units. Exits non-zero when a target crashed (a
# memory error, a trap or a broken invariant; the input is saved under fuzz-artifacts/TARGET/)
# or ran no input at all.
#
#   Tools/fuzz.sh [--seconds N] [TARGET...]      (default: 30 seconds, every target)
#   Tools/fuzz.sh --list
#
# Each Swift target is built alone (a whole-package -sanitize=fuzzer build does not link) in
# Fuzz/.build-fuzz with AddressSanitizer; CKernels is built with clang, ASan and UBSan. Runs
# start from the seeds in Fuzz/Corpus/TARGET (made from Tests/Fixtures by Fuzz/make-corpus.py)
# plus what earlier runs found (Fuzz/.build-fuzz/corpus/TARGET). Replay one input with
#   SWIFT_BACKTRACE=enable=no Fuzz/.build-fuzz/debug/TARGET fuzz-artifacts/TARGET/crash-...
set -uo pipefail
cd "$(dirname "$0")/.."
root=$PWD

seconds=30
targets=()
while [ $# -gt 0 ]; do
    case "$1" in
        --seconds) seconds=$2; shift 2 ;;
        --seconds=*) seconds=${1#--seconds=}; shift ;;
        --list) ls Fuzz/Targets; echo CKernels; exit 0 ;;
        -h|--help) sed -n '4,19p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
        *) targets+=("$1"); shift ;;
    esac
done
if [ ${#targets[@]} -eq 0 ]; then
    targets=($(ls Fuzz/Targets) CKernels)
fi

scratch=$root/Fuzz/.build-fuzz
mkdir -p "$scratch/logs"
export SWIFT_BACKTRACE=enable=no   # let libFuzzer, not the Swift runtime, handle a crash

build() {
    local target=$1
    if [ "$target" = CKernels ]; then
        mkdir -p "$scratch/debug"
        local kernels=Sources/CPERCKernels
        clang -g -O1 -fuse-ld=lld -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined \
            -I"$kernels/include" -I"$kernels" Fuzz/Kernels/kernels_fuzz.c "$kernels"/*.c -lcrypto \
            -o "$scratch/debug/CKernels"
    else
        [ -f "Fuzz/Targets/$target/main.swift" ] || { echo "no fuzz target $target" >&2; return 1; }
        (cd Fuzz && swift build --product "$target" --scratch-path "$scratch" \
            -Xswiftc -sanitize=fuzzer,address)
    fi
}

failed=0
for target in "${targets[@]}"; do
    log=$scratch/logs/$target.log
    if ! build "$target" >"$scratch/logs/$target.build.log" 2>&1; then
        grep -E "error" "$scratch/logs/$target.build.log" | head -20 >&2
        echo "$target: 0 execs, 0 crashes (build failed, see $scratch/logs/$target.build.log)"
        failed=1
        continue
    fi
    corpus=$scratch/corpus/$target
    artifacts=$root/fuzz-artifacts/$target
    mkdir -p "$corpus" "$artifacts"
    seeds=()
    [ -d "Fuzz/Corpus/$target" ] && seeds=("Fuzz/Corpus/$target")
    before=$(ls "$artifacts" | wc -l)
    "$scratch/debug/$target" "$corpus" "${seeds[@]}" -max_total_time="$seconds" -print_final_stats=1 \
        -timeout=20 -rss_limit_mb=3072 -artifact_prefix="$artifacts/" >"$log" 2>&1
    status=$?
    execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
    crashes=$(( $(ls "$artifacts" | wc -l) - before ))
    if [ "$status" -ne 0 ] && [ "$crashes" -eq 0 ]; then crashes=1; fi
    echo "$target: ${execs:-0} execs, $crashes crashes"
    if [ "$crashes" -gt 0 ]; then
        grep -E "invariant failed|ERROR: |SUMMARY|runtime error|Fatal error" "$log" | head -5 >&2
        echo "  log: $log; input: $(ls -t "$artifacts" | head -1)" >&2
        failed=1
    elif [ "${execs:-0}" -eq 0 ]; then
        echo "  no input ran; log: $log" >&2
        failed=1
    fi
done
exit $failed
