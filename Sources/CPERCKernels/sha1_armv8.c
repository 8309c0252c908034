// SPDX-License-Identifier: Apache-2.0
// Copyright 2026 the swift-perc authors
//
// SHA-1 compression function on the ARMv8 SHA-1 instructions: the twin of sha1_portable.c
// and sha1_shani.c, with the same signature.
//
// CPU features: SHA1 (checked by perc_cpu_has_armv8_sha1 from HWCAP_SHA1); the function
// carries __attribute__((target("+crypto"))). ABI: plain C, AAPCS64, little-endian. Symbol:
// perc_sha1_compress_armv8.
//
// Register roles: `abcd` holds the working variables a, b, c, d with a in lane 0 (the state
// words load in order, no shuffle); `e` is a scalar. SHA1C / SHA1P / SHA1M (abcd, e, wk) run
// four rounds with the Ch / Parity / Maj function, where wk = W[4g..4g+3] + K[g / 5]; the
// next group's e is SHA1H(a) = rotl30(a) taken from abcd BEFORE the four rounds (the a of
// round 4g is the e of round 4g+4). w[0..3] hold the rolling 16-word schedule, four words a
// vector: after group g has used w[g % 4] = W[4g..4g+3], the words W[4g+16..4g+19] =
// rotl1(W[t-3] ^ W[t-8] ^ W[t-14] ^ W[t-16]) replace them: SHA1SU0(w[g%4], w[g+1], w[g+2])
// gives W[t-16] ^ W[t-14] ^ W[t-8], SHA1SU1(that, w[g+3]) adds W[t-3] and rotates (fixing the
// fourth word, which depends on the first). Only groups 0..15 need new words.
//
// Round functions and constants depend on the group number only (public), never on data.
// Rejected: interleaving several messages as sha1_shani.c's lanes do. On Neoverse V2 every
// SHA1 instruction issues to the one pipe V0 (Software Optimization Guide, Table 3-21):
// SHA1C/P/M latency 4, SHA1H/SU0/SU1 latency 2, all throughput 1. One block is 20 SHA1C/P/M
// in a dependent chain (80 cycles) and 72 V0 instructions in all, so a single message
// already keeps V0 about 90% busy and a second one could only fill the last 10%.
#include "perc_internal.h"

#if defined(__aarch64__)
#include "aes_armv8.h"

ARMV8 void perc_sha1_compress_armv8(uint32_t state[5], const uint8_t *blocks, size_t nblocks) {
    static const uint32_t k[4] = {0x5a827999, 0x6ed9eba1, 0x8f1bbcdc, 0xca62c1d6};
    uint32x4_t abcd = vld1q_u32(state);
    uint32_t e = state[4];
    for (; nblocks > 0; nblocks--, blocks += 64) {
        const uint32x4_t abcd_saved = abcd;
        const uint32_t e_saved = e;
        uint32x4_t w[4];
        for (int i = 0; i < 4; i++) {
            w[i] = vreinterpretq_u32_u8(vrev32q_u8(vld1q_u8(blocks + 16 * i)));   // big-endian words
        }
        _Pragma("GCC unroll 20")
        for (int g = 0; g < 20; g++) {
            const uint32x4_t wk = vaddq_u32(w[g % 4], vdupq_n_u32(k[g / 5]));
            const uint32_t e_next = vsha1h_u32(vgetq_lane_u32(abcd, 0));
            if (g < 5) {
                abcd = vsha1cq_u32(abcd, e, wk);   // rounds 0-19: Ch
            } else if (g < 10 || g >= 15) {
                abcd = vsha1pq_u32(abcd, e, wk);   // rounds 20-39 and 60-79: Parity
            } else {
                abcd = vsha1mq_u32(abcd, e, wk);   // rounds 40-59: Maj
            }
            e = e_next;
            if (g < 16) {
                w[g % 4] = vsha1su1q_u32(vsha1su0q_u32(w[g % 4], w[(g + 1) % 4], w[(g + 2) % 4]), w[(g + 3) % 4]);
            }
        }
        abcd = vaddq_u32(abcd, abcd_saved);
        e += e_saved;
    }
    vst1q_u32(state, abcd);
    state[4] = e;
}

#endif
