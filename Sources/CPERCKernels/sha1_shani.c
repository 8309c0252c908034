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
//
// perc_sha1_compress_shani_lanes runs up to four independent messages in lockstep:
// SHA1RNDS4 has a latency of several cycles and each message's rounds form one chain, so
// more chains fill the gaps (the multi-buffer idea of Intel's ipsec-mb). Measured on this
// Zen 3 per block: 1 lane 39 ns, 2 lanes 22.5, 3 lanes 19.5, 4 lanes 17.7 (register
// pressure caps the gain; 4 lanes spill some saved state to the stack).
#include "perc_internal.h"

#if defined(__x86_64__)
#include <immintrin.h>

#define SHANI __attribute__((target("sha,ssse3,sse4.1")))
#define INLINE static inline __attribute__((always_inline))
#define PERC_UNROLL _Pragma("GCC unroll 4")   // lane loops

/// The registers of one SHA-1 computation.
typedef struct {
    __m128i abcd, e0, e1, msg[4], abcd_saved, e_saved;
} sha1_lane;

/// One 64-byte block on each of `lanes` independent computations (a constant 1 or 2). The
/// lanes advance group by group in program order, so two messages keep the SHA units busy
/// while each one's SHA1RNDS4 chain waits on its own latency.
SHANI INLINE void sha1_block(sha1_lane *lane, const uint8_t *const *block, int lanes) {
    const __m128i be = _mm_set_epi64x(0x0001020304050607LL, 0x08090a0b0c0d0e0fLL);   // reverse 16 bytes
    PERC_UNROLL
    for (int l = 0; l < lanes; l++) {
        sha1_lane *x = &lane[l];
        x->abcd_saved = x->abcd;
        x->e_saved = x->e0;
        for (int i = 0; i < 4; i++) {
            x->msg[i] = _mm_shuffle_epi8(_mm_loadu_si128((const __m128i *)(block[l] + 16 * i)), be);
        }
        // Rounds 0-3: e plus W[0..3] (a plain add: there is no previous a to rotate).
        x->e0 = _mm_add_epi32(x->e0, x->msg[0]);
        x->e1 = x->abcd;
        x->abcd = _mm_sha1rnds4_epu32(x->abcd, x->e0, 0);
    }
    PERC_UNROLL
    for (int l = 0; l < lanes; l++) {   // rounds 4-7
        sha1_lane *x = &lane[l];
        x->e1 = _mm_sha1nexte_epu32(x->e1, x->msg[1]);
        x->e0 = x->abcd;
        x->abcd = _mm_sha1rnds4_epu32(x->abcd, x->e1, 0);
        x->msg[0] = _mm_sha1msg1_epu32(x->msg[0], x->msg[1]);
    }
    PERC_UNROLL
    for (int l = 0; l < lanes; l++) {   // rounds 8-11
        sha1_lane *x = &lane[l];
        x->e0 = _mm_sha1nexte_epu32(x->e0, x->msg[2]);
        x->e1 = x->abcd;
        x->abcd = _mm_sha1rnds4_epu32(x->abcd, x->e0, 0);
        x->msg[1] = _mm_sha1msg1_epu32(x->msg[1], x->msg[2]);
        x->msg[0] = _mm_xor_si128(x->msg[0], x->msg[2]);
    }
    // Rounds 12-79: the steady state. SHA1RNDS4's immediate must be a constant, so each group
    // is spelled out with its round function (rounds / 20).
#define SHA1_GROUP(g, func)                                                                        \
    PERC_UNROLL                                                                                    \
    for (int l = 0; l < lanes; l++) {                                                              \
        sha1_lane *x = &lane[l];                                                                   \
        __m128i *ea = ((g) % 2 == 0) ? &x->e0 : &x->e1, *eb = ((g) % 2 == 0) ? &x->e1 : &x->e0;    \
        const int m = (g) % 4;                                                                     \
        *ea = _mm_sha1nexte_epu32(*ea, x->msg[m]);                                                 \
        *eb = x->abcd;                                                                             \
        x->msg[(m + 1) % 4] = _mm_sha1msg2_epu32(x->msg[(m + 1) % 4], x->msg[m]);                  \
        x->abcd = _mm_sha1rnds4_epu32(x->abcd, *ea, func);                                         \
        x->msg[(m + 3) % 4] = _mm_sha1msg1_epu32(x->msg[(m + 3) % 4], x->msg[m]);                  \
        x->msg[(m + 2) % 4] = _mm_xor_si128(x->msg[(m + 2) % 4], x->msg[m]);                       \
    }
    SHA1_GROUP(3, 0)
    SHA1_GROUP(4, 0)
    SHA1_GROUP(5, 1)
    SHA1_GROUP(6, 1)
    SHA1_GROUP(7, 1)
    SHA1_GROUP(8, 1)
    SHA1_GROUP(9, 1)
    SHA1_GROUP(10, 2)
    SHA1_GROUP(11, 2)
    SHA1_GROUP(12, 2)
    SHA1_GROUP(13, 2)
    SHA1_GROUP(14, 2)
    SHA1_GROUP(15, 3)
    SHA1_GROUP(16, 3)
    SHA1_GROUP(17, 3)
    SHA1_GROUP(18, 3)
    SHA1_GROUP(19, 3)
#undef SHA1_GROUP
    PERC_UNROLL
    for (int l = 0; l < lanes; l++) {
        // Group 19 left the pre-round a in e0: derive the final e and add the saved state.
        sha1_lane *x = &lane[l];
        x->e0 = _mm_sha1nexte_epu32(x->e0, x->e_saved);
        x->abcd = _mm_add_epi32(x->abcd, x->abcd_saved);
    }
}

SHANI INLINE void lane_load(sha1_lane *x, const uint32_t state[5]) {
    x->abcd = _mm_shuffle_epi32(_mm_loadu_si128((const __m128i *)state), 0x1b);
    x->e0 = _mm_set_epi32((int)state[4], 0, 0, 0);
}

SHANI INLINE void lane_store(const sha1_lane *x, uint32_t state[5]) {
    _mm_storeu_si128((__m128i *)state, _mm_shuffle_epi32(x->abcd, 0x1b));
    state[4] = (uint32_t)_mm_extract_epi32(x->e0, 3);
}

SHANI void perc_sha1_compress_shani(uint32_t state[5], const uint8_t *blocks, size_t nblocks) {
    sha1_lane lane;
    lane_load(&lane, state);
    for (; nblocks > 0; nblocks--, blocks += 64) {
        sha1_block(&lane, &blocks, 1);
    }
    lane_store(&lane, state);
}

/// `lanes` (a constant) independent computations over `nblocks` blocks each.
SHANI INLINE void compress_lanes(uint32_t *const state[], const uint8_t *const blocks[], int lanes, size_t nblocks) {
    sha1_lane lane[4];
    for (int l = 0; l < lanes; l++) {
        lane_load(&lane[l], state[l]);
    }
    for (size_t n = 0; n < nblocks; n++) {
        const uint8_t *block[4];
        for (int l = 0; l < lanes; l++) {
            block[l] = blocks[l] + 64 * n;
        }
        sha1_block(lane, block, lanes);
    }
    for (int l = 0; l < lanes; l++) {
        lane_store(&lane[l], state[l]);
    }
}

SHANI void perc_sha1_compress_shani_lanes(uint32_t *const state[], const uint8_t *const blocks[], int lanes,
                                          size_t nblocks) {
    switch (lanes) {
    case 1:
        compress_lanes(state, blocks, 1, nblocks);
        break;
    case 2:
        compress_lanes(state, blocks, 2, nblocks);
        break;
    case 3:
        compress_lanes(state, blocks, 3, nblocks);
        break;
    case 4:
        compress_lanes(state, blocks, 4, nblocks);
        break;
    default:
        break;
    }
}

#endif
