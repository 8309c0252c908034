// SPDX-License-Identifier: Apache-2.0
// Copyright 2026 the swift-perc authors
//
// SHA-1 compression function on the x86 SHA extensions (SHA-NI); the twin of
// sha1_portable.c with the same signature.
//
// CPU features: SHA, SSSE3, SSE4.1 (checked by perc_cpu_has_shani). ABI: plain C, System V
// x86_64. Symbol: perc_sha1_compress_shani.
//
// Register roles: ABCD holds the working variables a, b, c, d (a in the top dword, hence the
// 0x1B shuffle on load and store); E0/E1 alternate as "e plus the next four message words":
// SHA1NEXTE derives the next e from the old a (rotated by 30) and adds four W words;
// SHA1RNDS4 runs four rounds with the round function chosen by its immediate (0: Ch,
// 1: Parity, 2: Maj, 3: Parity, i.e. rounds / 20). MSG0..MSG3 hold the rolling 16-word
// schedule: W[t] = rotl1(W[t-3] ^ W[t-8] ^ W[t-14] ^ W[t-16]) is computed four words at a
// time by SHA1MSG1 (the W[t-16] ^ W[t-14] part), a PXOR (W[t-8]) and SHA1MSG2 (W[t-3] and
// the rotate). Group g (rounds 4g..4g+3) consumes MSG[g % 4] and prepares later words; the
// last groups also prepare words nobody reads, which is harmless and keeps one loop body.
#include "perc_internal.h"

#if defined(__x86_64__)
#include <immintrin.h>

#define SHANI __attribute__((target("sha,ssse3,sse4.1")))

SHANI void perc_sha1_compress_shani(uint32_t state[5], const uint8_t *blocks, size_t nblocks) {
    const __m128i be = _mm_set_epi64x(0x0001020304050607LL, 0x08090a0b0c0d0e0fLL);   // reverse 16 bytes
    __m128i abcd = _mm_shuffle_epi32(_mm_loadu_si128((const __m128i *)state), 0x1b);
    __m128i e0 = _mm_set_epi32((int)state[4], 0, 0, 0);
    for (; nblocks > 0; nblocks--, blocks += 64) {
        const __m128i abcd_saved = abcd, e_saved = e0;
        __m128i msg[4], e1;
        for (int i = 0; i < 4; i++) {
            msg[i] = _mm_shuffle_epi8(_mm_loadu_si128((const __m128i *)(blocks + 16 * i)), be);
        }
        // Rounds 0-3: e plus W[0..3] (a plain add: there is no previous a to rotate).
        e0 = _mm_add_epi32(e0, msg[0]);
        e1 = abcd;
        abcd = _mm_sha1rnds4_epu32(abcd, e0, 0);
        // Rounds 4-7.
        e1 = _mm_sha1nexte_epu32(e1, msg[1]);
        e0 = abcd;
        abcd = _mm_sha1rnds4_epu32(abcd, e1, 0);
        msg[0] = _mm_sha1msg1_epu32(msg[0], msg[1]);
        // Rounds 8-11.
        e0 = _mm_sha1nexte_epu32(e0, msg[2]);
        e1 = abcd;
        abcd = _mm_sha1rnds4_epu32(abcd, e0, 0);
        msg[1] = _mm_sha1msg1_epu32(msg[1], msg[2]);
        msg[0] = _mm_xor_si128(msg[0], msg[2]);
        // Rounds 12-79: the steady state. The immediate must be a constant, so the four
        // round-function ranges are four unrolled runs of the same body.
#define SHA1_GROUP(g, func)                                                                        \
    do {                                                                                           \
        __m128i *ea = ((g) % 2 == 0) ? &e0 : &e1, *eb = ((g) % 2 == 0) ? &e1 : &e0;                \
        const int m = (g) % 4;                                                                     \
        *ea = _mm_sha1nexte_epu32(*ea, msg[m]);                                                    \
        *eb = abcd;                                                                                \
        msg[(m + 1) % 4] = _mm_sha1msg2_epu32(msg[(m + 1) % 4], msg[m]);                           \
        abcd = _mm_sha1rnds4_epu32(abcd, *ea, func);                                               \
        msg[(m + 3) % 4] = _mm_sha1msg1_epu32(msg[(m + 3) % 4], msg[m]);                           \
        msg[(m + 2) % 4] = _mm_xor_si128(msg[(m + 2) % 4], msg[m]);                                \
    } while (0)
        SHA1_GROUP(3, 0);
        SHA1_GROUP(4, 0);
        SHA1_GROUP(5, 1);
        SHA1_GROUP(6, 1);
        SHA1_GROUP(7, 1);
        SHA1_GROUP(8, 1);
        SHA1_GROUP(9, 1);
        SHA1_GROUP(10, 2);
        SHA1_GROUP(11, 2);
        SHA1_GROUP(12, 2);
        SHA1_GROUP(13, 2);
        SHA1_GROUP(14, 2);
        SHA1_GROUP(15, 3);
        SHA1_GROUP(16, 3);
        SHA1_GROUP(17, 3);
        SHA1_GROUP(18, 3);
        SHA1_GROUP(19, 3);
#undef SHA1_GROUP
        // Group 19 left the pre-round a in e0: derive the final e from it and add the saved state.
        e0 = _mm_sha1nexte_epu32(e0, e_saved);
        abcd = _mm_add_epi32(abcd, abcd_saved);
    }
    _mm_storeu_si128((__m128i *)state, _mm_shuffle_epi32(abcd, 0x1b));
    state[4] = (uint32_t)_mm_extract_epi32(e0, 3);
}

#endif
