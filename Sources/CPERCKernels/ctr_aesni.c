// SPDX-License-Identifier: Apache-2.0
// Copyright 2026 the swift-perc authors
//
// AES-CTR as RFC 3711 AES-CM wants it, on AES-NI with 128-bit vectors.
//
// CPU features: AES, SSSE3, SSE4.1, SSE4.2, AVX (checked by perc_cpu_has_aesni).
// ABI: plain C, System V x86_64. Symbol: perc_aesni_ctr_init; the XOR function is stored in
// the key. Key sizes 128, 192 and 256 (aes_aesni.c expands all three).
//
// The counter is the whole 128-bit block, incremented as one big-endian integer (AES-CM's
// IV is salt-derived and may sit anywhere, so the carry out of the low 64 bits is real). We
// keep the counter byte-reflected: qword 0 holds the low 64 bits, qword 1 the high 64 bits,
// both as native integers. Adding k to the low half carries exactly when the sum is below k
// (unsigned); SSE has only a signed 64-bit compare (PCMPGTQ), so both sides get their sign
// bit flipped first. The carry mask moves to the high qword with a byte shift and is
// subtracted (-1 = +1). No branch depends on the counter, which is secret-derived.
//
// Eight blocks per round of AES keep the two AES units busy (latency 4, two per cycle);
// in the tail only the last partial block goes through a 16-byte buffer.
#include "perc_internal.h"

#if defined(__x86_64__)
#include <immintrin.h>
#include <string.h>

#define AESNI __attribute__((target("aes,ssse3,sse4.1,sse4.2,avx")))
#define INLINE static inline __attribute__((always_inline))
#define PERC_UNROLL _Pragma("GCC unroll 16")

AESNI INLINE __m128i bswap128(__m128i x) {
    return _mm_shuffle_epi8(x, _mm_set_epi8(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15));
}

/// ctr + k as a 128-bit integer (reflected form: qword 0 low, qword 1 high), branch-free.
AESNI INLINE __m128i add128(__m128i ctr, long long k) {
    const __m128i inc = _mm_set_epi64x(0, k);
    const __m128i sign = _mm_set1_epi64x((long long)0x8000000000000000ULL);
    __m128i sum = _mm_add_epi64(ctr, inc);
    __m128i carry = _mm_cmpgt_epi64(_mm_xor_si128(inc, sign), _mm_xor_si128(sum, sign));   // sum < inc
    return _mm_sub_epi64(sum, _mm_slli_si128(carry, 8));   // carry into the high qword
}

/// Encrypts the n counter blocks ctr .. ctr+n-1 into ks[] (n constant 4 or 8).
AESNI INLINE void aes_ctr128(const perc_ctr_key *key, __m128i ctr, __m128i *ks, int n) {
    const __m128i *rk = (const __m128i *)key->round_keys;
    const int rounds = key->rounds;
    PERC_UNROLL
    for (int i = 0; i < n; i++) {
        ks[i] = _mm_xor_si128(bswap128(add128(ctr, i)), rk[0]);
    }
    for (int r = 1; r < rounds; r++) {
        const __m128i k = rk[r];
        PERC_UNROLL
        for (int i = 0; i < n; i++) {
            ks[i] = _mm_aesenc_si128(ks[i], k);
        }
    }
    PERC_UNROLL
    for (int i = 0; i < n; i++) {
        ks[i] = _mm_aesenclast_si128(ks[i], rk[rounds]);
    }
}

AESNI static int aesni_ctr_xor(perc_ctr_key *key, const uint8_t iv[16], const uint8_t *in, uint8_t *out,
                               size_t len) {
    __m128i ctr = bswap128(_mm_loadu_si128((const __m128i *)iv));
    __m128i ks[8];
    for (; len >= 128; len -= 128, in += 128, out += 128) {
        aes_ctr128(key, ctr, ks, 8);
        ctr = add128(ctr, 8);
        PERC_UNROLL
        for (int i = 0; i < 8; i++) {
            __m128i d = _mm_loadu_si128((const __m128i *)(in + 16 * i));
            _mm_storeu_si128((__m128i *)(out + 16 * i), _mm_xor_si128(d, ks[i]));
        }
    }
    if (len > 0) {
        // The tail: whole blocks in place, the last partial block through a 16-byte buffer.
        if (len <= 64) {
            aes_ctr128(key, ctr, ks, 4);
        } else {
            aes_ctr128(key, ctr, ks, 8);
        }
        size_t b = 0;
        for (; len >= 16; b++, len -= 16, in += 16, out += 16) {
            _mm_storeu_si128((__m128i *)out, _mm_xor_si128(_mm_loadu_si128((const __m128i *)in), ks[b]));
        }
        if (len > 0) {
            _Alignas(16) uint8_t last[16];
            memcpy(last, in, len);
            _mm_store_si128((__m128i *)last, _mm_xor_si128(_mm_load_si128((const __m128i *)last), ks[b]));
            memcpy(out, last, len);
            perc_secure_zero(last, sizeof(last));
        }
    }
    PERC_UNROLL
    for (int i = 0; i < 8; i++) {
        ks[i] = _mm_setzero_si128();
    }
    return 1;
}

int perc_aesni_ctr_init(perc_ctr_key *key, const uint8_t *raw, size_t len) {
    int rounds = perc_aes_expand_aesni(raw, len, key->round_keys);
    if (rounds == 0) {
        return 0;
    }
    key->rounds = rounds;
    for (int r = 0; r <= rounds; r++) {
        memcpy(key->round_keys_x2[r], key->round_keys[r], 16);
        memcpy(key->round_keys_x2[r] + 16, key->round_keys[r], 16);
    }
    key->xor_stream = aesni_ctr_xor;
    return 1;
}

#endif
