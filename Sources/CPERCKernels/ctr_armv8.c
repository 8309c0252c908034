// SPDX-License-Identifier: Apache-2.0
// Copyright 2026 the swift-perc authors
//
// AES-CTR as RFC 3711 AES-CM wants it, on the ARMv8 AES instructions: the twin of
// ctr_aesni.c with the same signature.
//
// CPU features: AES (checked by perc_cpu_has_armv8); functions carry
// __attribute__((target("+crypto"))). ABI: plain C, AAPCS64, little-endian. Symbol:
// perc_armv8_ctr_init; the XOR function is stored in the key. Key sizes 128, 192 and 256
// (aes_armv8.c expands all three); round keys as in aes_armv8.h.
//
// The counter is the whole 128-bit block, incremented as one big-endian integer (AES-CM's IV
// is salt-derived and may sit anywhere, so the carry out of the low 64 bits is real). It is
// kept as two native 64-bit halves (hi, lo) in general registers: adding k to lo carries
// exactly when the sum is below k, and `hi + (sum < k)` compiles to CMP + CINC (or
// ADDS + ADC), with no branch on the counter, which is secret-derived. Each block is built as
// REV64(hi) : REV64(lo) in one vector (two INS), the byte order AESE reads.
//
// Eight blocks per pass keep the AES pipes busy (AESE+AESMC latency 2-3 cycles, 2-4 pipes on
// Neoverse cores); in the tail only the last partial block goes through a 16-byte buffer.
// Rejected: a vector 64-bit add with a compare-and-subtract carry as in ctr_aesni.c (NEON
// has an unsigned 64-bit compare, but the scalar ADDS/ADC pair is shorter and the counter is
// needed in scalar form anyway to build eight blocks).
#include "perc_internal.h"

#if defined(__aarch64__)
#include "aes_armv8.h"
#include <string.h>

#define CTR_LANES 8

static inline uint64_t load_be64(const uint8_t *p) {
    uint64_t v;
    memcpy(&v, p, 8);
    return __builtin_bswap64(v);
}

/// The counter block for (hi, lo) + k as a 128-bit big-endian integer, branch-free.
ARMV8_INLINE uint8x16_t counter_block(uint64_t hi, uint64_t lo, uint64_t k) {
    const uint64_t sum = lo + k;
    const uint64_t high = hi + (uint64_t)(sum < k);   // the carry out of the low half
    return vreinterpretq_u8_u64(vcombine_u64(vcreate_u64(__builtin_bswap64(high)), vcreate_u64(__builtin_bswap64(sum))));
}

ARMV8 static int armv8_ctr_xor(perc_ctr_key *key, const uint8_t iv[16], const uint8_t *in, uint8_t *out,
                               size_t len) {
    uint64_t hi = load_be64(iv), lo = load_be64(iv + 8);
    uint8x16_t ks[CTR_LANES];
    for (; len >= 16 * CTR_LANES; len -= 16 * CTR_LANES, in += 16 * CTR_LANES, out += 16 * CTR_LANES) {
        PERC_UNROLL
        for (int i = 0; i < CTR_LANES; i++) {
            ks[i] = counter_block(hi, lo, (uint64_t)i);
        }
        const uint64_t next = lo + CTR_LANES;
        hi += (uint64_t)(next < CTR_LANES);
        lo = next;
        aes_encrypt_lanes(key->round_keys, key->rounds, ks, CTR_LANES);
        PERC_UNROLL
        for (int i = 0; i < CTR_LANES; i++) {
            vst1q_u8(out + 16 * i, veorq_u8(vld1q_u8(in + 16 * i), ks[i]));
        }
    }
    if (len > 0) {
        // The tail: whole blocks in place, the last partial block through a 16-byte buffer.
        PERC_UNROLL
        for (int i = 0; i < CTR_LANES; i++) {
            ks[i] = counter_block(hi, lo, (uint64_t)i);
        }
        if (len <= 64) {
            aes_encrypt_lanes(key->round_keys, key->rounds, ks, 4);
        } else {
            aes_encrypt_lanes(key->round_keys, key->rounds, ks, CTR_LANES);
        }
        size_t b = 0;
        for (; len >= 16; b++, len -= 16, in += 16, out += 16) {
            vst1q_u8(out, veorq_u8(vld1q_u8(in), ks[b]));
        }
        if (len > 0) {
            uint8_t last[16];
            memcpy(last, in, len);
            vst1q_u8(last, veorq_u8(vld1q_u8(last), ks[b]));
            memcpy(out, last, len);
            perc_secure_zero(last, sizeof(last));
        }
    }
    PERC_UNROLL
    for (int i = 0; i < CTR_LANES; i++) {
        ks[i] = vdupq_n_u8(0);
    }
    return 1;
}

int perc_armv8_ctr_init(perc_ctr_key *key, const uint8_t *raw, size_t len) {
    const int rounds = perc_aes_expand_armv8(raw, len, key->round_keys);
    if (rounds == 0) {
        return 0;
    }
    key->rounds = rounds;
    key->xor_stream = armv8_ctr_xor;
    return 1;
}

#endif
