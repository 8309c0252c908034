// SPDX-License-Identifier: Apache-2.0
// Copyright 2026 the swift-perc authors
//
// Runtime CPU feature detection for the x86_64 kernel paths.
//
// A path is usable only when the CPU has the instructions (CPUID) AND the operating system
// saves the register state they touch (XGETBV on XCR0): YMM state for the AVX2 paths, and the
// opmask + upper-ZMM state for AVX-512. The answer is computed once and cached; every check
// is a stub returning 0 on other architectures, so dispatch.c needs no #ifdef.
#include "perc_internal.h"

#if defined(__x86_64__)
#include <cpuid.h>

enum {
    CAP_AESNI = 1 << 0,    // AES-NI, PCLMULQDQ, SSSE3, SSE4.1/4.2, AVX, AVX2 (+ OS YMM state)
    CAP_VAES256 = 1 << 1,  // CAP_AESNI + VAES + VPCLMULQDQ (256-bit forms)
    CAP_VAES512 = 1 << 2,  // CAP_VAES256 + AVX512F/BW/VL (+ OS opmask/ZMM state)
    CAP_SHANI = 1 << 3,    // SHA extensions + SSSE3 + SSE4.1
    CAP_KNOWN = 1 << 30,
};

static uint64_t read_xcr0(void) {
    uint32_t lo, hi;
    __asm__ volatile("xgetbv" : "=a"(lo), "=d"(hi) : "c"(0));
    return ((uint64_t)hi << 32) | lo;
}

static int detect(void) {
    unsigned a, b, c, d;
    if (!__get_cpuid(1, &a, &b, &c, &d)) {
        return CAP_KNOWN;
    }
    const int ssse3 = (c >> 9) & 1, sse41 = (c >> 19) & 1, sse42 = (c >> 20) & 1, pclmul = (c >> 1) & 1, aes = (c >> 25) & 1;
    const int osxsave = (c >> 27) & 1, avx = (c >> 28) & 1;
    unsigned b7 = 0, c7 = 0;
    if (__get_cpuid_max(0, NULL) >= 7) {
        __cpuid_count(7, 0, a, b7, c7, d);
    }
    const int avx2 = (b7 >> 5) & 1, sha = (b7 >> 29) & 1;
    const int avx512f = (b7 >> 16) & 1, avx512bw = (b7 >> 30) & 1, avx512vl = (b7 >> 31) & 1;
    const int vaes = (c7 >> 9) & 1, vpclmul = (c7 >> 10) & 1;
    uint64_t xcr0 = osxsave ? read_xcr0() : 0;
    const int os_ymm = (xcr0 & 0x6) == 0x6;      // XMM (bit 1) and YMM (bit 2) state
    const int os_zmm = (xcr0 & 0xe6) == 0xe6;    // + opmask (5), ZMM_Hi256 (6), Hi16_ZMM (7)

    int caps = CAP_KNOWN;
    if (aes && pclmul && ssse3 && sse41 && sse42 && avx && avx2 && os_ymm) {
        caps |= CAP_AESNI;
        if (vaes && vpclmul) {
            caps |= CAP_VAES256;
            if (avx512f && avx512bw && avx512vl && os_zmm) {
                caps |= CAP_VAES512;
            }
        }
    }
    if (sha && ssse3 && sse41) {
        caps |= CAP_SHANI;
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

int perc_cpu_has_aesni(void) { return (capabilities() & CAP_AESNI) != 0; }
int perc_cpu_has_vaes256(void) { return (capabilities() & CAP_VAES256) != 0; }
int perc_cpu_has_vaes512(void) { return (capabilities() & CAP_VAES512) != 0; }
int perc_cpu_has_shani(void) { return (capabilities() & CAP_SHANI) != 0; }

#else

int perc_cpu_has_aesni(void) { return 0; }
int perc_cpu_has_vaes256(void) { return 0; }
int perc_cpu_has_vaes512(void) { return 0; }
int perc_cpu_has_shani(void) { return 0; }

#endif
