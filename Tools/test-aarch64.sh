#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Builds the aarch64 kernel paths of Sources/CPERCKernels with the Debian cross compiler and
# runs the C kernel test driver (Tests/KernelsC) under qemu user-mode emulation with every
# Armv8 extension on (-cpu max: AES, PMULL, SHA1). No OpenSSL is needed for aarch64: the
# driver links the armv8 kernels, dispatch.c, the portable files and a stub for the OpenSSL
# path. Builds the driver with clang (when installed) and with gcc and runs both; the last line
# is the gcc build's "aarch64 kernels: N passed, M failed"; exits non-zero on a failure.
#
# With --mutate it then proves the driver can fail: for each mutant in Tests/KernelsC/mutants.py
# (one deliberate bug in a copy of the kernels: a flipped constant bit, a skipped GHASH step, a
# swapped keystream block, a tag check that ignores a bit, ...) it builds the driver with gcc
# and runs it with --fail-fast; every mutant must make it fail. The last line is then
# "aarch64 mutants: K of K caught"; a surviving mutant exits non-zero.
#
# Environment: CC (default aarch64-linux-gnu-gcc), QEMU (default qemu-aarch64-static),
# AARCH64_SYSROOT (default /usr/aarch64-linux-gnu).
set -euo pipefail
cd "$(dirname "$0")/.."

mutate=0
case "${1:-}" in
--mutate) mutate=1 ;;
"") ;;
*) echo "usage: $0 [--mutate]" >&2; exit 2 ;;
esac

CC=${CC:-aarch64-linux-gnu-gcc}
QEMU=${QEMU:-qemu-aarch64-static}
SYSROOT=${AARCH64_SYSROOT:-/usr/aarch64-linux-gnu}
if [ "$(uname -m)" = aarch64 ]; then
    run=()   # an Arm host runs the driver natively (its CPU must have AES, PMULL and SHA1)
    command -v "$CC" >/dev/null || bash Tools/bootstrap.sh
else
    run=("$QEMU" -cpu max -L "$SYSROOT")
    if ! command -v "$CC" >/dev/null || ! command -v "$QEMU" >/dev/null || [ ! -d "$SYSROOT" ]; then
        bash Tools/bootstrap.sh
    fi
fi

build=$(mktemp -d)
trap 'rm -rf "$build"' EXIT

kernels=Sources/CPERCKernels
# The library sources the driver links: the aarch64 kernels and CPU check, the dispatcher,
# the portable SHA-1/HMAC and helpers. cpu_x86.c contributes only its "not x86" stubs here.
sources=(
    "$kernels"/cpu_arm.c "$kernels"/aes_armv8.c "$kernels"/gcm_armv8.c "$kernels"/ctr_armv8.c
    "$kernels"/sha1_armv8.c "$kernels"/dispatch.c "$kernels"/hmac_sha1.c "$kernels"/sha1_portable.c
    "$kernels"/util.c "$kernels"/cpu_x86.c
    Tests/KernelsC/reference.c Tests/KernelsC/openssl_stub.c Tests/KernelsC/aarch64_kernels_test.c
)

python3 Tests/KernelsC/gen_fixtures.py Tests/Fixtures "$build/fixtures.h"

# The x86_64 kernel files must compile to nothing on aarch64 (their #if guards).
for f in "$kernels"/*aesni*.c "$kernels"/*vaes*.c "$kernels"/*shani*.c; do
    "$CC" -std=gnu11 -O2 -I"$kernels/include" -I"$kernels" -c "$f" -o "$build/x86.o"
    symbols=$(nm "$build/x86.o")
    if [ -n "$symbols" ]; then
        echo "error: $f defines symbols on aarch64 (missing #if defined(__x86_64__) guard)" >&2
        exit 1
    fi
done

flags=(-std=gnu11 -O2 -Wall -Wextra -Werror -I"$kernels/include" -I"$kernels" -I"$build" -ITests/KernelsC)

# First with clang (the C compiler SwiftPM uses on an Arm host), when there is one: compile
# for aarch64 and link with the cross gcc (which knows where the arm64 libc is).
if command -v clang >/dev/null; then
    mkdir "$build/clang"
    for f in "${sources[@]}"; do
        clang --target=aarch64-linux-gnu -isystem "$SYSROOT/include" "${flags[@]}" -c "$f" \
            -o "$build/clang/$(basename "$f" .c).o"
    done
    "$CC" "$build"/clang/*.o -o "$build/aarch64_kernels_test_clang"
    env -u PERC_CRYPTO_BACKEND "${run[@]}" "$build/aarch64_kernels_test_clang" | sed 's/^/clang build: /'
fi

"$CC" "${flags[@]}" "${sources[@]}" -o "$build/aarch64_kernels_test"

# The gcc build; its line is the closing one. PERC_CRYPTO_BACKEND is unset so the driver sees
# the default choice a service would make (HWCAP decides).
env -u PERC_CRYPTO_BACKEND "${run[@]}" "$build/aarch64_kernels_test"
# And the forced choice must agree.
PERC_CRYPTO_BACKEND=armv8 "${run[@]}" "$build/aarch64_kernels_test" --choice-only >/dev/null

if [ "$mutate" = 1 ]; then
    total=$(python3 Tests/KernelsC/mutants.py count)
    caught=0
    for ((i = 0; i < total; i++)); do
        rm -rf "$build/mutant"
        mkdir -p "$build/mutant"
        cp -r "$kernels" "$build/mutant/"
        what=$(python3 Tests/KernelsC/mutants.py apply "$build/mutant/CPERCKernels" "$i")
        mutant_sources=("${sources[@]/#$kernels\//$build/mutant/CPERCKernels/}")
        mutant_flags=()
        for f in "${flags[@]/#-I$kernels/-I$build/mutant/CPERCKernels}"; do
            [ "$f" = -Werror ] || mutant_flags+=("$f")   # a mutant may leave a value unused
        done
        "$CC" "${mutant_flags[@]}" "${mutant_sources[@]}" -o "$build/mutant/driver" 2>"$build/mutant/cc.log" || {
            cat "$build/mutant/cc.log" >&2
            echo "error: mutant $i ($what) does not compile" >&2
            exit 1
        }
        if env -u PERC_CRYPTO_BACKEND "${run[@]}" "$build/mutant/driver" --fail-fast >"$build/mutant/log" 2>&1; then
            echo "mutant $i SURVIVED: $what"
        else
            caught=$((caught + 1))
            echo "mutant $i caught: $what ($(grep -m1 '^FAIL' "$build/mutant/log" | sed 's/^FAIL [^ ]* //'))"
        fi
    done
    echo "aarch64 mutants: $caught of $total caught"
    [ "$caught" = "$total" ]
fi
