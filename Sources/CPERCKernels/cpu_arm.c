// SPDX-License-Identifier: Apache-2.0
// Copyright 2026 the swift-perc authors
//
// Runtime CPU feature detection for the aarch64 kernel paths (the twin of cpu_x86.c).
//
// On Linux the kernel reports the ARMv8 Crypto Extension instructions it lets user space run
// in the auxiliary vector: getauxval(AT_HWCAP) bits HWCAP_AES (AESE/AESD/AESMC/AESIMC),
// HWCAP_PMULL (PMULL/PMULL2 on 64-bit lanes) and HWCAP_SHA1 (SHA1C/P/M/H/SU0/SU1). Reading
// the ID registers directly (MRS ID_AA64ISAR0_EL1) would trap on kernels that do not emulate
// it, so the auxiliary vector is the portable source. The answer is computed once and cached;
// every check is a stub returning 0 on other architectures (and on big-endian aarch64, which
// the kernels' lane layout does not support), so dispatch.c needs no #ifdef.
#include "perc_internal.h"

#if defined(__aarch64__) && defined(__linux__) && !defined(__AARCH64EB__)
#include <sys/auxv.h>

// The bit values are part of the Linux arm64 ABI (arch/arm64/include/uapi/asm/hwcap.h); they
// are spelled out so the file does not depend on which libc headers define them.
enum {
    HWCAP_BIT_AES = 1 << 3,
    HWCAP_BIT_PMULL = 1 << 4,
    HWCAP_BIT_SHA1 = 1 << 5,
};

enum {
    CAP_ARMV8 = 1 << 0,   // AES + PMULL: the AES, GCM and CTR kernels
    CAP_SHA1 = 1 << 1,    // SHA-1 instructions: the HMAC-SHA1 compression
    CAP_KNOWN = 1 << 30,
};

static int detect(void) {
    const unsigned long hwcap = getauxval(AT_HWCAP);
    int caps = CAP_KNOWN;
    if ((hwcap & HWCAP_BIT_AES) && (hwcap & HWCAP_BIT_PMULL)) {
        caps |= CAP_ARMV8;
    }
    if (hwcap & HWCAP_BIT_SHA1) {
        caps |= CAP_SHA1;
    }
    return caps;
}

static int capabilities(void) {
    static int cached = 0;   // benign race: every thread computes the same value
    if (cached == 0) {
        cached = detect();
    }
    return cached;
}

int perc_cpu_has_armv8(void) { return (capabilities() & CAP_ARMV8) != 0; }
int perc_cpu_has_armv8_sha1(void) { return (capabilities() & CAP_SHA1) != 0; }

#else

int perc_cpu_has_armv8(void) { return 0; }
int perc_cpu_has_armv8_sha1(void) { return 0; }

#endif
