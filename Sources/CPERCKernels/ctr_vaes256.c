// SPDX-License-Identifier: Apache-2.0
// Copyright 2026 the swift-perc authors
//
// AES-CTR (RFC 3711 AES-CM, full 128-bit counter) on VAES with 256-bit vectors.
//
// CPU features: VAES, AVX2 (checked by perc_cpu_has_vaes256). ABI: plain C, System V
// x86_64. Symbol: perc_vaes256_ctr_init. Key sizes 128, 192 and 256.
//
// Same counter arithmetic as ctr_aesni.c, two counters per vector: lane 0 holds ctr+2i,
// lane 1 ctr+2i+1 (byte-reflected, qword 0 = low 64 bits). A 64-bit add, an unsigned
// "sum < increment" compare built from the signed VPCMPGTQ, and the carry mask shifted into
// the high qword of its own lane (VPSLLDQ shifts within each 128-bit lane). Sixteen blocks
// (eight vectors) per iteration; round keys come from round_keys_x2 as memory operands.
#include "perc_internal.h"

#if defined(__x86_64__)
#include <immintrin.h>
#include <string.h>

#define VAES __attribute__((target("vaes,aes,ssse3,sse4.1,sse4.2,avx,avx2")))
#define INLINE static inline __attribute__((always_inline))
#define PERC_UNROLL _Pragma("GCC unroll 16")

VAES INLINE __m256i bswap256(__m256i x) {
    const __m256i rev = _mm256_set_epi8(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15,   //
                                        0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15);
    return _mm256_shuffle_epi8(x, rev);
}

/// Adds the per-lane 64-bit increments `inc` (high qwords zero) to the 128-bit counters.
VAES INLINE __m256i add128(__m256i ctr, __m256i inc) {
    const __m256i sign = _mm256_set1_epi64x((long long)0x8000000000000000ULL);
    __m256i sum = _mm256_add_epi64(ctr, inc);
    __m256i carry = _mm256_cmpgt_epi64(_mm256_xor_si256(inc, sign), _mm256_xor_si256(sum, sign));   // sum < inc
    return _mm256_sub_epi64(sum, _mm256_slli_si256(carry, 8));   // into each lane's high qword
}

VAES INLINE __m256i lane_inc(long long k0, long long k1) { return _mm256_set_epi64x(0, k1, 0, k0); }

/// Encrypts 2*nvec counter blocks starting at the lane pair `ctr` = (c, c+1).
VAES INLINE void aes_ctr128(const perc_ctr_key *key, __m256i ctr, __m256i *ks, int nvec) {
    const __m256i *rk = (const __m256i *)key->round_keys_x2;
    const int rounds = key->rounds;
    PERC_UNROLL
    for (int i = 0; i < nvec; i++) {
        ks[i] = _mm256_xor_si256(bswap256(add128(ctr, lane_inc(2 * i, 2 * i))), rk[0]);
    }
    for (int r = 1; r < rounds; r++) {
        const __m256i k = rk[r];
        PERC_UNROLL
        for (int i = 0; i < nvec; i++) {
            ks[i] = _mm256_aesenc_epi128(ks[i], k);
        }
    }
    PERC_UNROLL
    for (int i = 0; i < nvec; i++) {
        ks[i] = _mm256_aesenclast_epi128(ks[i], rk[rounds]);
    }
}

VAES static int vaes256_ctr_xor(perc_ctr_key *key, const uint8_t iv[16], const uint8_t *in, uint8_t *out,
                                size_t len) {
    const __m128i c = _mm_shuffle_epi8(_mm_loadu_si128((const __m128i *)iv),
                                       _mm_set_epi8(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15));
    __m256i ctr = add128(_mm256_broadcastsi128_si256(c), lane_inc(0, 1));
    __m256i ks[8];
    for (; len >= 256; len -= 256, in += 256, out += 256) {
        aes_ctr128(key, ctr, ks, 8);
        ctr = add128(ctr, lane_inc(16, 16));
        PERC_UNROLL
        for (int i = 0; i < 8; i++) {
            __m256i d = _mm256_loadu_si256((const __m256i *)(in + 32 * i));
            _mm256_storeu_si256((__m256i *)(out + 32 * i), _mm256_xor_si256(d, ks[i]));
        }
    }
    if (len > 0) {
        // The tail: whole 32-byte vectors in place, then a 16-byte half, then the last partial
        // block through a 16-byte buffer (no libc call for the bulk of a short packet).
        if (len <= 64) {
            aes_ctr128(key, ctr, ks, 2);
        } else if (len <= 128) {
            aes_ctr128(key, ctr, ks, 4);
        } else if (len <= 192) {
            aes_ctr128(key, ctr, ks, 6);
        } else {
            aes_ctr128(key, ctr, ks, 8);
        }
        size_t v = 0;
        for (; len >= 32; v++, len -= 32, in += 32, out += 32) {
            __m256i d = _mm256_loadu_si256((const __m256i *)in);
            _mm256_storeu_si256((__m256i *)out, _mm256_xor_si256(d, ks[v]));
        }
        __m128i k = _mm256_castsi256_si128(ks[v]);
        if (len >= 16) {
            __m128i d = _mm_loadu_si128((const __m128i *)in);
            _mm_storeu_si128((__m128i *)out, _mm_xor_si128(d, k));
            k = _mm256_extracti128_si256(ks[v], 1);
            len -= 16, in += 16, out += 16;
        }
        if (len > 0) {
            _Alignas(16) uint8_t last[16];
            memcpy(last, in, len);
            _mm_store_si128((__m128i *)last, _mm_xor_si128(_mm_load_si128((const __m128i *)last), k));
            memcpy(out, last, len);
            perc_secure_zero(last, sizeof(last));
        }
    }
    PERC_UNROLL
    for (int i = 0; i < 8; i++) {
        ks[i] = _mm256_setzero_si256();
    }
    return 1;
}

int perc_vaes256_ctr_init(perc_ctr_key *key, const uint8_t *raw, size_t len) {
    if (!perc_aesni_ctr_init(key, raw, len)) {   // expands the round keys (both layouts)
        return 0;
    }
    key->xor_stream = vaes256_ctr_xor;
    return 1;
}

#endif
