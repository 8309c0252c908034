// SPDX-License-Identifier: Apache-2.0
// Copyright 2026 the swift-perc authors
//
// AES-GCM (96-bit IV, 128-bit tag) on VAES + VPCLMULQDQ with 256-bit vectors (AVX2).
//
// CPU features: VAES, VPCLMULQDQ, AVX, AVX2 (+ AES-NI/PCLMUL for key setup); checked by
// perc_cpu_has_vaes256. This is the widest path on CPUs with VAES but no AVX-512 (AMD Zen 3,
// Intel client cores without AVX-512); every vector instruction handles two blocks, one per
// 128-bit lane. ABI: plain C, System V x86_64. Symbol: perc_vaes256_gcm_init; seal/open are stored
// in the key.
//
// The field, the bit order, the x^-1 carried by every stored power of H and the two-fold
// reduction are the ones described in gcm_aesni.c (this file builds its tables with
// perc_aesni_gcm_tables). What changes with 256-bit vectors:
//
// - Aggregation is 16 blocks (8 vectors) per reduction. h_powers[] runs from H^16 down to
//   H^1, so a vector load of h_powers[i..i+1] gives the powers of two adjacent blocks, and an
//   n-block run starts at h_powers[16 - n]. An odd run is padded with a zero block at the
//   end, whose "power" is the zero block stored after H^1 (so the load stays in bounds).
// - The products use the 4-multiply schoolbook form (MI = a0*b1 + a1*b0), not Karatsuba:
//   Karatsuba's operand fold (a shuffle and an XOR per vector) costs as much as the multiply
//   it saves once VPCLMULQDQ works on two blocks per instruction (Linux's
//   aes-gcm-avx10-x86_64.S makes the same choice). LO, MI and HI are summed over the 8
//   vectors, the two lanes are XORed together, and one 128-bit reduction finishes.
// - Round keys are read from round_keys_x2 (each key twice), one memory operand per round.
//
// Short packets (up to 240 bytes, AAD up to 256) compute J0 and all data counters in one
// AES run and hash AAD, ciphertext and length block in one pass from a staging buffer (see
// gcm_short). Long packets encrypt J0 alone (an independent chain), then 16-block chunks in
// place, and the tail through a 256-byte buffer that also supplies GCM's zero padding.
//
// Open hashes the ciphertext as it is read, decrypts into `out`, checks the tag with a
// constant-time PTEST and, on failure, restores the ciphertext (out == in) or zeroes `out`.
//
// ---- The fused double transform (RFC 8723) and fan-out ----
//
// Double seal: the inner and outer data counters cover the same block positions (the outer
// plaintext starts with the inner ciphertext), so each 16-block chunk is loaded once, the
// inner keystream gives the inner ciphertext, the outer keystream applied to it gives the
// outer ciphertext, one store, and both GHASH chains absorb their ciphertext in the same
// iteration. The tail (last < 256 payload bytes, the inner tag, which exists only once the
// inner GHASH is complete, and the OHB) goes through one buffer: inner seal, tag and OHB
// appended, outer seal. Short packets (outer plaintext <= 240 bytes) take the one-pass short
// path once per layer, the outer in place over the inner's output.
//
// Double open: the receiver's inner AAD and index depend on the OHB, which lies at the end
// of the outer ciphertext. The caller decrypts those 1-4 bytes first WITHOUT trusting them
// (perc_gcm_ctr_peek: two keystream blocks), derives the inner AAD and IV, then calls the
// fused open: each chunk of outer ciphertext is hashed (outer GHASH), decrypted to the inner
// ciphertext, hashed again (inner GHASH) and decrypted. Both tags are compared without an
// early exit and the output is undone (both keystreams re-applied in place, or zeroed) unless
// both verified, so a forged OHB only costs a failed open. The alternative, verifying the
// outer tag over the whole ciphertext before touching the inner layer, needs two passes.
//
// Measured on Zen 3 (2 shared cores, noisy): the fused seal costs about what two separate
// seals cost (within 5%): both layers are bound by the AES and PCLMUL ports, which fusion
// does not relieve; it saves the second load/store pass and one call. Issuing both
// keystreams in one round loop (8 + 8 vectors) was slower: the states spill.
#include "perc_internal.h"

#if defined(__x86_64__)
#include <immintrin.h>
#include <string.h>

#define VAES __attribute__((target("vaes,vpclmulqdq,aes,pclmul,ssse3,sse4.1,avx,avx2")))
#define INLINE static inline __attribute__((always_inline))
#define PERC_UNROLL _Pragma("GCC unroll 16")   // lane loops: keep every lane in a register

#define GCM_MAX_LEN ((((uint64_t)1) << 36) - 32)

VAES INLINE __m128i bswap128(__m128i x) {
    return _mm_shuffle_epi8(x, _mm_set_epi8(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15));
}

/// Byte-reverses each 128-bit lane (VPSHUFB works per lane).
VAES INLINE __m256i bswap256(__m256i x) {
    const __m256i rev = _mm256_set_epi8(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15,   //
                                        0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15);
    return _mm256_shuffle_epi8(x, rev);
}

/// The two-fold reduction of gcm_aesni.c on the lane-summed HI:MI:LO.
VAES INLINE __m128i gf_reduce(__m128i lo, __m128i mi, __m128i hi) {
    const __m128i poly = _mm_set_epi64x((long long)0xc200000000000000ULL, 1);
    __m128i t = _mm_clmulepi64_si128(poly, lo, 0x01);            // LO[63:0] * (t^63+t^62+t^57)
    mi = _mm_xor_si128(mi, _mm_shuffle_epi32(lo, 0x4e));        // fold LO into MI
    mi = _mm_xor_si128(mi, t);
    t = _mm_clmulepi64_si128(poly, mi, 0x01);                    // MI[63:0] * (t^63+t^62+t^57)
    hi = _mm_xor_si128(hi, _mm_shuffle_epi32(mi, 0x4e));        // fold MI into HI
    return _mm_xor_si128(hi, t);
}

/// GHASH over nvec vectors (2*nvec reflected blocks) that form a run of `nblocks` blocks
/// (2*nvec - 1 when the last lane is zero padding). `yv` is Y placed in the lane of the
/// run's first real block. Returns the reduced Y. nblocks <= 16.
VAES INLINE __m128i ghash_vectors(const perc_gcm_key *key, __m256i yv, const __m256i *b, int nvec, size_t nblocks) {
    const uint8_t *pow = key->h_powers[PERC_GHASH_POWERS - nblocks];
    __m256i lo = _mm256_setzero_si256(), mi = lo, hi = lo;
    PERC_UNROLL
    for (int i = 0; i < nvec; i++) {
        __m256i x = i == 0 ? _mm256_xor_si256(b[0], yv) : b[i];
        __m256i h = _mm256_loadu_si256((const __m256i *)(pow + 32 * i));
        lo = _mm256_xor_si256(lo, _mm256_clmulepi64_epi128(x, h, 0x00));        // LO += x0*h0
        hi = _mm256_xor_si256(hi, _mm256_clmulepi64_epi128(x, h, 0x11));        // HI += x1*h1
        mi = _mm256_xor_si256(mi, _mm256_clmulepi64_epi128(x, h, 0x01));        // MI += x1*h0
        mi = _mm256_xor_si256(mi, _mm256_clmulepi64_epi128(x, h, 0x10));        //     + x0*h1
    }
    // The sum over both lanes: GHASH is linear, so fold lanes before the one reduction.
    __m128i lo1 = _mm_xor_si128(_mm256_castsi256_si128(lo), _mm256_extracti128_si256(lo, 1));
    __m128i mi1 = _mm_xor_si128(_mm256_castsi256_si128(mi), _mm256_extracti128_si256(mi, 1));
    __m128i hi1 = _mm_xor_si128(_mm256_castsi256_si128(hi), _mm256_extracti128_si256(hi, 1));
    return gf_reduce(lo1, mi1, hi1);
}

VAES static __m128i ghash_vectors_var(const perc_gcm_key *key, __m256i yv, const __m256i *b, int nvec,
                                      size_t nblocks) {
    return ghash_vectors(key, yv, b, nvec, nblocks);
}

/// GHASH over whole blocks in memory (the AAD), 16 at a time.
VAES static __m128i ghash_memory(const perc_gcm_key *key, __m128i y, const uint8_t *p, size_t nblocks) {
    __m256i b[8];
    for (; nblocks >= 16; nblocks -= 16, p += 256) {
        PERC_UNROLL
        for (int i = 0; i < 8; i++) {
            b[i] = bswap256(_mm256_loadu_si256((const __m256i *)(p + 32 * i)));
        }
        y = ghash_vectors(key, _mm256_zextsi128_si256(y), b, 8, 16);
    }
    if (nblocks > 0) {
        _Alignas(32) uint8_t buf[256] = {0};
        memcpy(buf, p, 16 * nblocks);
        int nvec = (int)(nblocks + 1) / 2;
        PERC_UNROLL
        for (int i = 0; i < nvec; i++) {
            b[i] = bswap256(_mm256_load_si256((const __m256i *)(buf + 32 * i)));
        }
        y = ghash_vectors_var(key, _mm256_zextsi128_si256(y), b, nvec, nblocks);
    }
    return y;
}

/// One zero-padded block.
VAES static __m128i ghash_one(const perc_gcm_key *key, __m128i y, const uint8_t block[16]) {
    __m256i b = _mm256_zextsi128_si256(bswap128(_mm_loadu_si128((const __m128i *)block)));
    return ghash_vectors_var(key, _mm256_zextsi128_si256(y), &b, 1, 1);
}

/// GHASH over the zero-padded AAD `a1 || a2`.
VAES static __m128i ghash_aad(const perc_gcm_key *key, const uint8_t *a1, size_t l1, const uint8_t *a2,
                              size_t l2) {
    __m128i y = ghash_memory(key, _mm_setzero_si128(), a1, l1 / 16);
    size_t r = l1 % 16;
    uint8_t block[16];
    if (r > 0) {
        memset(block, 0, sizeof(block));
        memcpy(block, a1 + (l1 - r), r);
        size_t take = l2 < 16 - r ? l2 : 16 - r;
        if (take > 0) {
            memcpy(block + r, a2, take);
            a2 += take;
            l2 -= take;
        }
        y = ghash_one(key, y, block);
    }
    y = ghash_memory(key, y, a2, l2 / 16);
    r = l2 % 16;
    if (r > 0) {
        memset(block, 0, sizeof(block));
        memcpy(block, a2 + (l2 - r), r);
        y = ghash_one(key, y, block);
    }
    return y;
}

/// Encrypts 2*nvec counter blocks ctr, ctr+1, ... (reflected, inc32) into ks[]; nvec is a
/// constant 2, 4, 6 or 8 at every call site.
VAES INLINE void aes_ctr32(const perc_gcm_key *key, __m128i ctr, __m256i *ks, int nvec) {
    const __m256i *rk = (const __m256i *)key->round_keys_x2;
    const int rounds = key->rounds;
    const __m256i c = _mm256_add_epi32(_mm256_broadcastsi128_si256(ctr), _mm256_set_epi32(0, 0, 0, 1, 0, 0, 0, 0));
    PERC_UNROLL
    for (int i = 0; i < nvec; i++) {
        __m256i ci = _mm256_add_epi32(c, _mm256_set_epi32(0, 0, 0, 2 * i, 0, 0, 0, 2 * i));
        ks[i] = _mm256_xor_si256(bswap256(ci), rk[0]);
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

/// Keystream for `nblocks` <= 16 blocks, with the narrowest constant width that covers them.
VAES INLINE void aes_ctr32_upto16(const perc_gcm_key *key, __m128i ctr, __m256i *ks, size_t nblocks) {
    if (nblocks <= 4) {
        aes_ctr32(key, ctr, ks, 2);
    } else if (nblocks <= 8) {
        aes_ctr32(key, ctr, ks, 4);
    } else if (nblocks <= 12) {
        aes_ctr32(key, ctr, ks, 6);
    } else {
        aes_ctr32(key, ctr, ks, 8);
    }
}

/// XORs 16 whole keystream blocks onto in -> out and absorbs the ciphertext into GHASH.
VAES INLINE __m128i crypt16(const perc_gcm_key *key, __m128i y, const __m256i *ks, const uint8_t *in, uint8_t *out,
                            int open) {
    __m256i x[8];
    PERC_UNROLL
    for (int i = 0; i < 8; i++) {
        __m256i d = _mm256_loadu_si256((const __m256i *)(in + 32 * i));
        __m256i o = _mm256_xor_si256(d, ks[i]);
        x[i] = bswap256(open ? d : o);   // GHASH reads the ciphertext
        _mm256_storeu_si256((__m256i *)(out + 32 * i), o);
    }
    return ghash_vectors(key, _mm256_zextsi128_si256(y), x, 8, 16);
}

/// XORs keystream onto the last nbytes (< 256) of a packet through a zeroed buffer, so the
/// partial last block becomes a whole vector and GHASH sees GCM's zero padding.
VAES static __m128i crypt_buffered(const perc_gcm_key *key, __m128i y, const __m256i *ks, const uint8_t *in,
                                   uint8_t *out, size_t nbytes, int open) {
    _Alignas(32) uint8_t buf[256];
    __m256i x[8];
    const int nvec = (int)((nbytes + 31) / 32);
    memset(buf, 0, sizeof(buf));
    memcpy(buf, in, nbytes);
    for (int i = 0; i < nvec; i++) {
        __m256i d = _mm256_load_si256((const __m256i *)(buf + 32 * i));
        if (open) {
            x[i] = bswap256(d);
        }
        _mm256_store_si256((__m256i *)(buf + 32 * i), _mm256_xor_si256(d, ks[i]));
    }
    memcpy(out, buf, nbytes);
    if (!open) {
        memset(buf + nbytes, 0, 32 * (size_t)nvec - nbytes);
        for (int i = 0; i < nvec; i++) {
            x[i] = bswap256(_mm256_load_si256((const __m256i *)(buf + 32 * i)));
        }
    }
    y = ghash_vectors_var(key, _mm256_zextsi128_si256(y), x, nvec, (nbytes + 15) / 16);
    perc_secure_zero(buf, sizeof(buf));
    return y;
}

/// One block through AES (128-bit AES-NI, the same round keys).
VAES static __m128i aes_block(const perc_gcm_key *key, __m128i block) {
    const __m128i *rk = (const __m128i *)key->round_keys;
    block = _mm_xor_si128(block, rk[0]);
    for (int r = 1; r < key->rounds; r++) {
        block = _mm_aesenc_si128(block, rk[r]);
    }
    return _mm_aesenclast_si128(block, rk[key->rounds]);
}

/// Counter mode alone over buf (undoes a failed in-place open). ctr is data block 0's counter.
VAES static void ctr_only(const perc_gcm_key *key, __m128i ctr, uint8_t *buf, size_t len) {
    __m256i ks[8];
    _Alignas(32) uint8_t tmp[256];
    while (len > 0) {
        size_t m = len < 256 ? len : 256;
        aes_ctr32(key, ctr, ks, 8);
        ctr = _mm_add_epi32(ctr, _mm_set_epi32(0, 0, 0, 16));
        memcpy(tmp, buf, m);
        PERC_UNROLL
        for (int i = 0; i < 8; i++) {
            __m256i *p = (__m256i *)(tmp + 32 * i);
            _mm256_store_si256(p, _mm256_xor_si256(_mm256_load_si256(p), ks[i]));
        }
        memcpy(buf, tmp, m);
        buf += m;
        len -= m;
    }
    perc_secure_zero(tmp, sizeof(tmp));
}

/// Absorbs the length block, forms the tag, and for open checks it in constant time and undoes
/// the decryption on failure. ctr0 is J0 in reflected form.
VAES static int gcm_finish(const perc_gcm_key *key, __m128i y, __m128i tag_mask, __m128i ctr0, size_t aad_total,
                           const uint8_t *in, uint8_t *out, size_t len, uint8_t *tag_out, const uint8_t *tag_in,
                           int open) {
    uint8_t lens[16];
    uint64_t abits = (uint64_t)aad_total * 8, cbits = (uint64_t)len * 8;
    for (int i = 0; i < 8; i++) {
        lens[i] = (uint8_t)(abits >> (56 - 8 * i));
        lens[8 + i] = (uint8_t)(cbits >> (56 - 8 * i));
    }
    y = ghash_one(key, y, lens);
    __m128i tag = _mm_xor_si128(bswap128(y), tag_mask);
    if (!open) {
        _mm_storeu_si128((__m128i *)tag_out, tag);
        return 1;
    }
    __m128i diff = _mm_xor_si128(tag, _mm_loadu_si128((const __m128i *)tag_in));
    int ok = _mm_testz_si128(diff, diff);   // constant time: PTEST of the XOR
    if (!ok && len > 0) {
        if (out == in) {
            ctr_only(key, _mm_add_epi32(ctr0, _mm_set_epi32(0, 0, 0, 1)), out, len);
        } else {
            perc_secure_zero(out, len);
        }
    }
    return ok;
}

// MARK: - Short packets

/// Packets up to SHORT_MAX_LEN bytes with up to SHORT_MAX_AAD bytes of AAD (RTP audio,
/// RTCP, small video packets) take a one-pass path: AAD, ciphertext and length block are
/// laid out zero-padded in one staging buffer and hashed together, so a 160-byte packet
/// with a 12-byte header pays one GHASH reduction instead of three, and open's GHASH does
/// not wait for AES at all.
#define SHORT_MAX_LEN 240
#define SHORT_MAX_AAD 256

VAES INLINE int is_short(size_t len, size_t aad_total) { return len <= SHORT_MAX_LEN && aad_total <= SHORT_MAX_AAD; }

/// GHASH from zero over `nblocks` contiguous blocks; one zero block must follow them.
VAES static __m128i ghash_stage(const perc_gcm_key *key, const uint8_t *stage, size_t nblocks) {
    __m128i y = _mm_setzero_si128();
    __m256i b[8];
    for (; nblocks >= 16; nblocks -= 16, stage += 256) {
        PERC_UNROLL
        for (int i = 0; i < 8; i++) {
            b[i] = bswap256(_mm256_load_si256((const __m256i *)(stage + 32 * i)));
        }
        y = ghash_vectors(key, _mm256_zextsi128_si256(y), b, 8, 16);
    }
    if (nblocks > 0) {
        const int nvec = (int)(nblocks + 1) / 2;
        for (int i = 0; i < nvec; i++) {
            b[i] = bswap256(_mm256_load_si256((const __m256i *)(stage + 32 * i)));
        }
        y = ghash_vectors_var(key, _mm256_zextsi128_si256(y), b, nvec, nblocks);
    }
    return y;
}

/// Seals or opens a short packet given its keystream `ks` (J0 in lane 0, then the data
/// blocks). AAD + text + length block + padding fit the stage: 16 + 15 + 1 + 1 blocks.
VAES static int gcm_short(const perc_gcm_key *key, const __m256i *ks, __m128i ctr0, const uint8_t *a1, size_t l1,
                          const uint8_t *a2, size_t l2, const uint8_t *in, uint8_t *out, size_t len, uint8_t *tag_out,
                          const uint8_t *tag_in, int open) {
    _Alignas(32) uint8_t stage[16 * 34];
    if (!is_short(len, l1 + l2)) {   // the stage holds 16 AAD blocks, 15 text blocks, lengths, padding
        return 0;
    }
    static const uint8_t tail_mask[32] = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
                                          0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff};
    const uint8_t *keystream = (const uint8_t *)ks;
    const size_t na = (l1 + l2 + 15) / 16, nc = (len + 15) / 16, nblocks = na + nc + 1;
    memset(stage, 0, 16 * (nblocks + 1));
    if (l1 > 0) {
        memcpy(stage, a1, l1);
    }
    if (l2 > 0) {
        memcpy(stage + l1, a2, l2);
    }
    uint8_t *text = stage + 16 * na;
    const size_t full = len / 16, rem = len % 16;
    const uint64_t abits = (uint64_t)(l1 + l2) * 8, cbits = (uint64_t)len * 8;
    uint8_t *lens = text + 16 * nc;
    for (int i = 0; i < 8; i++) {
        lens[i] = (uint8_t)(abits >> (56 - 8 * i));
        lens[8 + i] = (uint8_t)(cbits >> (56 - 8 * i));
    }
    // The stage only ever holds AAD and ciphertext; plaintext goes from registers to `out`
    // (the partial last block through `last`, cleared below).
    _Alignas(16) uint8_t last[16] = {0};
    __m128i last_in = _mm_setzero_si128(), last_out = last_in;
    if (rem > 0) {
        memcpy(last, in + 16 * full, rem);
        last_in = _mm_load_si128((const __m128i *)last);
        last_out = _mm_xor_si128(last_in, _mm_loadu_si128((const __m128i *)(keystream + 16 * (full + 1))));
    }
    __m128i y;
    if (open) {
        for (size_t k = 0; k < full; k++) {
            _mm_store_si128((__m128i *)(text + 16 * k), _mm_loadu_si128((const __m128i *)(in + 16 * k)));
        }
        if (rem > 0) {
            _mm_store_si128((__m128i *)(text + 16 * full), last_in);   // zero-padded
        }
        y = ghash_stage(key, stage, nblocks);                       // over the ciphertext, before any output
        for (size_t k = 0; k < full; k++) {
            __m128i c = _mm_load_si128((const __m128i *)(text + 16 * k));   // the copy: out may equal in
            _mm_storeu_si128((__m128i *)(out + 16 * k),
                             _mm_xor_si128(c, _mm_loadu_si128((const __m128i *)(keystream + 16 * (k + 1)))));
        }
    } else {
        for (size_t k = 0; k < full; k++) {
            __m128i c = _mm_xor_si128(_mm_loadu_si128((const __m128i *)(in + 16 * k)),
                                      _mm_loadu_si128((const __m128i *)(keystream + 16 * (k + 1))));
            _mm_storeu_si128((__m128i *)(out + 16 * k), c);
            _mm_store_si128((__m128i *)(text + 16 * k), c);
        }
        if (rem > 0) {
            // GCM pads the last ciphertext block with zeros: keep its first rem bytes only.
            const __m128i keep = _mm_loadu_si128((const __m128i *)(tail_mask + 16 - rem));
            _mm_store_si128((__m128i *)(text + 16 * full), _mm_and_si128(last_out, keep));
        }
        y = ghash_stage(key, stage, nblocks);
    }
    if (rem > 0) {
        _mm_store_si128((__m128i *)last, last_out);
        memcpy(out + 16 * full, last, rem);
    }
    perc_secure_zero(last, sizeof(last));
    __m128i tag = _mm_xor_si128(bswap128(y), _mm_loadu_si128((const __m128i *)keystream));
    if (!open) {
        _mm_storeu_si128((__m128i *)tag_out, tag);
        return 1;
    }
    __m128i diff = _mm_xor_si128(tag, _mm_loadu_si128((const __m128i *)tag_in));
    int ok = _mm_testz_si128(diff, diff);   // constant time: PTEST of the XOR
    if (!ok && len > 0) {
        if (out == in) {
            ctr_only(key, _mm_add_epi32(ctr0, _mm_set_epi32(0, 0, 0, 1)), out, len);
        } else {
            perc_secure_zero(out, len);
        }
    }
    return ok;
}

VAES INLINE int gcm_crypt(perc_gcm_key *key, const uint8_t iv[12], const uint8_t *aad, size_t aad_len,
                          const uint8_t *aad2, size_t aad2_len, const uint8_t *in, uint8_t *out, size_t len,
                          uint8_t *tag_out, const uint8_t *tag_in, int open) {
    if ((uint64_t)len > GCM_MAX_LEN) {
        return 0;
    }
    _Alignas(16) uint8_t j0[16];
    memcpy(j0, iv, 12);
    j0[12] = 0, j0[13] = 0, j0[14] = 0, j0[15] = 1;
    const __m128i ctr0 = bswap128(_mm_load_si128((const __m128i *)j0));
    __m256i ks[8];
    if (is_short(len, aad_len + aad2_len)) {
        aes_ctr32_upto16(key, ctr0, ks, 1 + (len + 15) / 16);
        return gcm_short(key, ks, ctr0, aad, aad_len, aad2, aad2_len, in, out, len, tag_out, tag_in, open);
    }
    // Long packets: E(J0) alone (an independent chain the core overlaps with the bulk), the
    // data from counter 2 in 16-block chunks in place, and the tail through the buffer.
    const __m128i tag_mask = aes_block(key, bswap128(ctr0));
    __m128i y = ghash_aad(key, aad, aad_len, aad2, aad2_len);
    size_t done = 0;
    __m128i ctr = _mm_add_epi32(ctr0, _mm_set_epi32(0, 0, 0, 1));
    for (; len - done >= 256; done += 256) {
        aes_ctr32(key, ctr, ks, 8);
        ctr = _mm_add_epi32(ctr, _mm_set_epi32(0, 0, 0, 16));
        y = crypt16(key, y, ks, in + done, out + done, open);
    }
    if (done < len) {
        aes_ctr32_upto16(key, ctr, ks, (len - done + 15) / 16);
        y = crypt_buffered(key, y, ks, in + done, out + done, len - done, open);
    }
    return gcm_finish(key, y, tag_mask, ctr0, aad_len + aad2_len, in, out, len, tag_out, tag_in, open);
}

VAES static int vaes256_gcm_seal(perc_gcm_key *key, const uint8_t iv[12], const uint8_t *aad, size_t aad_len,
                                 const uint8_t *aad2, size_t aad2_len, const uint8_t *in, uint8_t *out, size_t len,
                                 uint8_t tag[16]) {
    return gcm_crypt(key, iv, aad, aad_len, aad2, aad2_len, in, out, len, tag, NULL, 0);
}

VAES static int vaes256_gcm_open(perc_gcm_key *key, const uint8_t iv[12], const uint8_t *aad, size_t aad_len,
                                 const uint8_t *aad2, size_t aad2_len, const uint8_t *in, uint8_t *out, size_t len,
                                 const uint8_t tag[16]) {
    return gcm_crypt(key, iv, aad, aad_len, aad2, aad2_len, in, out, len, NULL, tag, 1);
}

// MARK: - Batches

/// Packets per group.
#define BATCH_WIDTH 4

/// Seals or opens a group of jobs. Long jobs already fill the pipelines and run alone. For
/// up to four short jobs the keystreams (J0 and data counters) are issued back to back as
/// independent AES chains, then each job takes the one-pass GHASH/XOR/tag step, whose
/// dependency chains the out-of-order core overlaps across jobs.
///
/// Measured and rejected (AMD Zen 3, 160-byte packets): filling 8-vector AES passes from
/// several packets with a key schedule per vector (the classic multi-buffer layout) ran
/// 15-30% slower than single calls, because the per-slot bookkeeping and eight round-key
/// loads per round cost more than the AES latency they hide; the back-to-back order below
/// measures the same as single calls within the noise of this shared machine. The batch
/// entry point stays so a wider path (vaes512: four packets per ZMM register) can do better.
VAES static void gcm_batch(perc_gcm_job *jobs, size_t count, int open) {
    for (size_t base = 0; base < count; base += BATCH_WIDTH) {
        const size_t m = count - base < BATCH_WIDTH ? count - base : BATCH_WIDTH;
        perc_gcm_job *group = jobs + base;
        __m128i ctr0[BATCH_WIDTH];
        _Alignas(32) __m256i ks[BATCH_WIDTH][8];
        int batched[BATCH_WIDTH];

        for (size_t j = 0; j < m; j++) {
            perc_gcm_job *job = &group[j];
            batched[j] = is_short(job->len, job->aad_len + job->aad2_len);
            if (!batched[j]) {
                job->result = gcm_crypt(job->key, job->iv, job->aad, job->aad_len, job->aad2, job->aad2_len, job->in,
                                        job->out, job->len, job->tag, job->tag, open);
                continue;
            }
            _Alignas(16) uint8_t j0[16];
            memcpy(j0, job->iv, 12);
            j0[12] = 0, j0[13] = 0, j0[14] = 0, j0[15] = 1;
            ctr0[j] = bswap128(_mm_load_si128((const __m128i *)j0));
        }

        // Phase 1: the keystreams of all short jobs, back to back (independent AES chains).
        for (size_t j = 0; j < m; j++) {
            if (batched[j]) {
                aes_ctr32_upto16(group[j].key, ctr0[j], ks[j], 1 + (group[j].len + 15) / 16);
            }
        }
        // Phase 2: GHASH, data and tag per packet.
        for (size_t j = 0; j < m; j++) {
            perc_gcm_job *job = &group[j];
            if (batched[j]) {
                job->result = gcm_short(job->key, ks[j], ctr0[j], job->aad, job->aad_len, job->aad2, job->aad2_len,
                                        job->in, job->out, job->len, job->tag, job->tag, open);
            }
        }
    }
}

VAES static void vaes256_gcm_seal_batch(perc_gcm_job *jobs, size_t count) { gcm_batch(jobs, count, 0); }

VAES static void vaes256_gcm_open_batch(perc_gcm_job *jobs, size_t count) { gcm_batch(jobs, count, 1); }

// MARK: - Fused double transform and fan-out

/// J0 = IV || 00000001 in reflected form.
VAES INLINE __m128i load_j0(const uint8_t iv[12]) {
    _Alignas(16) uint8_t j0[16];
    memcpy(j0, iv, 12);
    j0[12] = 0, j0[13] = 0, j0[14] = 0, j0[15] = 1;
    return bswap128(_mm_load_si128((const __m128i *)j0));
}

VAES INLINE __m128i ctr_add(__m128i ctr, int k) { return _mm_add_epi32(ctr, _mm_set_epi32(0, 0, 0, k)); }

/// The keystreams of `nblocks` <= 16 blocks for two keys, one after the other: the two AES
/// chains are independent, and the out-of-order core overlaps them. (Issuing both in one
/// round loop, 8 + 8 vectors, measured 5-50% slower on Zen 3: with 16 YMM registers the
/// states spill every round.)
VAES INLINE void keystreams_upto16(const perc_gcm_key *ka, __m128i ca, __m256i *ksa, const perc_gcm_key *kb,
                                   __m128i cb, __m256i *ksb, size_t nblocks) {
    aes_ctr32_upto16(ka, ca, ksa, nblocks);
    aes_ctr32_upto16(kb, cb, ksb, nblocks);
}

/// GHASH state, tag mask and J0 of one layer.
typedef struct layer {
    const perc_gcm_key *key;
    __m128i ctr0, y, mask;
} layer;

VAES static void layer_begin(layer *l, const perc_gcm_key *key, const uint8_t iv[12], const uint8_t *aad,
                             size_t aad_len) {
    l->key = key;
    l->ctr0 = load_j0(iv);
    l->mask = aes_block(key, bswap128(l->ctr0));
    l->y = ghash_aad(key, aad, aad_len, NULL, 0);
}

/// Seals the `n` < 288 bytes of `buf` (zero beyond them) in place for layer `l`, whose data
/// block `first` is buf's first block, and absorbs the ciphertext.
VAES static void layer_seal_buffer(layer *l, uint8_t *buf, size_t n, size_t first) {
    __m256i ks[8];
    __m128i ctr = ctr_add(l->ctr0, (int)(1 + first));
    size_t t = 0;
    if (n >= 256) {
        aes_ctr32(l->key, ctr, ks, 8);
        ctr = ctr_add(ctr, 16);
        l->y = crypt16(l->key, l->y, ks, buf, buf, 0);
        t = 256;
    }
    if (t < n) {
        aes_ctr32_upto16(l->key, ctr, ks, (n - t + 15) / 16);
        l->y = crypt_buffered(l->key, l->y, ks, buf + t, buf + t, n - t, 0);
    }
    PERC_UNROLL
    for (int i = 0; i < 8; i++) {
        ks[i] = _mm256_setzero_si256();
    }
}

/// The tag of a layer after its data: length block, GHASH, mask.
VAES static __m128i layer_tag(const layer *l, size_t aad_len, size_t len) {
    _Alignas(16) uint8_t tag[16];
    gcm_finish(l->key, l->y, l->mask, l->ctr0, aad_len, NULL, NULL, len, tag, NULL, 0);
    return _mm_load_si128((const __m128i *)tag);
}

/// Fused double seal (see perc_kernels.h and the notes at the top of this file).
VAES static int vaes256_double_seal(perc_gcm_key *ki, const uint8_t iv_i[12], const uint8_t *aad_i, size_t la_i,
                                    perc_gcm_key *ko, const uint8_t iv_o[12], const uint8_t *aad_o, size_t la_o,
                                    const uint8_t *in, uint8_t *out, size_t len, const uint8_t *ohb, size_t ohb_len,
                                    uint8_t tag_o[16]) {
    const size_t olen = len + 16 + ohb_len;
    if (is_short(olen, la_o) && is_short(len, la_i)) {
        // Both keystreams (J0 and data, up to 16 blocks each), then the
        // one-pass short seal of each layer, the outer in place over inner ct || tag || OHB.
        __m256i ksi[8], kso[8];
        const __m128i ci = load_j0(iv_i), co = load_j0(iv_o);
        keystreams_upto16(ki, ci, ksi, ko, co, kso, 1 + (olen + 15) / 16);
        gcm_short(ki, ksi, ci, aad_i, la_i, NULL, 0, in, out, len, out + len, NULL, 0);
        memcpy(out + len + 16, ohb, ohb_len);
        gcm_short(ko, kso, co, aad_o, la_o, NULL, 0, out, out, olen, tag_o, NULL, 0);
        PERC_UNROLL
        for (int i = 0; i < 8; i++) {
            ksi[i] = _mm256_setzero_si256(), kso[i] = _mm256_setzero_si256();
        }
        return 1;
    }
    layer li, lo;
    layer_begin(&li, ki, iv_i, aad_i, la_i);
    layer_begin(&lo, ko, iv_o, aad_o, la_o);
    // Bulk: each 16-block chunk is loaded once; the inner keystream turns it into inner
    // ciphertext, the outer keystream (same block positions) into outer ciphertext, and both
    // GHASH chains absorb their ciphertext in the same iteration.
    size_t done = 0;
    __m128i ctr_i = ctr_add(li.ctr0, 1), ctr_o = ctr_add(lo.ctr0, 1);
    __m256i ksi[8], kso[8], xi[8], xo[8];
    for (; len - done >= 256; done += 256) {
        aes_ctr32(ki, ctr_i, ksi, 8);
        aes_ctr32(ko, ctr_o, kso, 8);
        ctr_i = ctr_add(ctr_i, 16), ctr_o = ctr_add(ctr_o, 16);
        PERC_UNROLL
        for (int i = 0; i < 8; i++) {
            __m256i c1 = _mm256_xor_si256(_mm256_loadu_si256((const __m256i *)(in + done + 32 * i)), ksi[i]);
            __m256i c2 = _mm256_xor_si256(c1, kso[i]);
            xi[i] = bswap256(c1);
            xo[i] = bswap256(c2);
            _mm256_storeu_si256((__m256i *)(out + done + 32 * i), c2);
        }
        li.y = ghash_vectors(ki, _mm256_zextsi128_si256(li.y), xi, 8, 16);
        lo.y = ghash_vectors(ko, _mm256_zextsi128_si256(lo.y), xo, 8, 16);
    }
    // Tail: the last < 256 payload bytes, the inner tag and the OHB, through one buffer.
    _Alignas(32) uint8_t buf[288 + 32];
    memset(buf, 0, sizeof(buf));
    const size_t rem = len - done, tl = rem + 16 + ohb_len;
    if (rem > 0) {
        memcpy(buf, in + done, rem);
        layer_seal_buffer(&li, buf, rem, done / 16);
    }
    _mm_storeu_si128((__m128i *)(buf + rem), layer_tag(&li, la_i, len));
    memcpy(buf + rem + 16, ohb, ohb_len);
    layer_seal_buffer(&lo, buf, tl, done / 16);
    memcpy(out + done, buf, tl);
    _mm_storeu_si128((__m128i *)tag_o, layer_tag(&lo, la_o, olen));
    perc_secure_zero(buf, sizeof(buf));
    PERC_UNROLL
    for (int i = 0; i < 8; i++) {
        ksi[i] = _mm256_setzero_si256(), kso[i] = _mm256_setzero_si256();
    }
    return 1;
}

/// Constant-time tag comparison: 1 when equal.
VAES INLINE int tags_equal(__m128i a, const uint8_t *b) {
    __m128i diff = _mm_xor_si128(a, _mm_loadu_si128((const __m128i *)b));
    return _mm_testz_si128(diff, diff);
}

/// Fused double open (see perc_kernels.h and the notes at the top of this file).
VAES static int vaes256_double_open(perc_gcm_key *ki, const uint8_t iv_i[12], const uint8_t *aad_i, size_t la_i,
                                    perc_gcm_key *ko, const uint8_t iv_o[12], const uint8_t *aad_o, size_t la_o,
                                    const uint8_t *in, uint8_t *out, size_t len, size_t ohb_len,
                                    const uint8_t outer_tag[16]) {
    _Alignas(16) uint8_t tag_o[16], tag_i[16];
    memcpy(tag_o, outer_tag, 16);
    const size_t n = len - 16 - ohb_len;
    if (is_short(len, la_o) && is_short(n, la_i)) {
        // Both keystreams; the outer open (GHASH over the ciphertext, then
        // decrypt, tag checked, undone on failure), then the inner open over its output.
        __m256i ksi[8], kso[8];
        const __m128i ci = load_j0(iv_i), co = load_j0(iv_o);
        keystreams_upto16(ki, ci, ksi, ko, co, kso, 1 + (len + 15) / 16);
        int result = 0;
        if (gcm_short(ko, kso, co, aad_o, la_o, NULL, 0, in, out, len, NULL, tag_o, 1)) {
            memcpy(tag_i, out + n, 16);
            result = 1;
            if (!gcm_short(ki, ksi, ci, aad_i, la_i, NULL, 0, out, out, n, NULL, tag_i, 1)) {
                result = -1;   // out holds the outer plaintext again: re-encrypt or clear it
                if (out == in) {
                    ctr_only(ko, ctr_add(co, 1), out, len);
                } else {
                    perc_secure_zero(out, len);
                }
            }
        }
        PERC_UNROLL
        for (int i = 0; i < 8; i++) {
            ksi[i] = _mm256_setzero_si256(), kso[i] = _mm256_setzero_si256();
        }
        return result;
    }
    layer li, lo;
    layer_begin(&li, ki, iv_i, aad_i, la_i);
    layer_begin(&lo, ko, iv_o, aad_o, la_o);
    // Bulk: each chunk of outer ciphertext is loaded once and hashed (outer GHASH), the outer
    // keystream gives the inner ciphertext, which is hashed (inner GHASH) and decrypted.
    size_t done = 0;
    __m128i ctr_i = ctr_add(li.ctr0, 1), ctr_o = ctr_add(lo.ctr0, 1);
    __m256i ksi[8], kso[8], xi[8], xo[8];
    for (; n - done >= 256; done += 256) {
        aes_ctr32(ki, ctr_i, ksi, 8);
        aes_ctr32(ko, ctr_o, kso, 8);
        ctr_i = ctr_add(ctr_i, 16), ctr_o = ctr_add(ctr_o, 16);
        PERC_UNROLL
        for (int i = 0; i < 8; i++) {
            __m256i c2 = _mm256_loadu_si256((const __m256i *)(in + done + 32 * i));
            __m256i c1 = _mm256_xor_si256(c2, kso[i]);
            xo[i] = bswap256(c2);
            xi[i] = bswap256(c1);
            _mm256_storeu_si256((__m256i *)(out + done + 32 * i), _mm256_xor_si256(c1, ksi[i]));
        }
        lo.y = ghash_vectors(ko, _mm256_zextsi128_si256(lo.y), xo, 8, 16);
        li.y = ghash_vectors(ki, _mm256_zextsi128_si256(li.y), xi, 8, 16);
    }
    // Tail: the rest of the outer ciphertext (last payload bytes, inner tag, OHB) through a
    // buffer: outer open in the buffer, then the inner open of its first `rem` bytes.
    _Alignas(32) uint8_t buf[288 + 32];
    memset(buf, 0, sizeof(buf));
    const size_t rem = n - done, tl = len - done;
    memcpy(buf, in + done, tl);
    {
        __m256i ks[8];
        __m128i ctr = ctr_add(lo.ctr0, (int)(1 + done / 16));
        size_t t = 0;
        if (tl >= 256) {
            aes_ctr32(ko, ctr, ks, 8);
            ctr = ctr_add(ctr, 16);
            lo.y = crypt16(ko, lo.y, ks, buf, buf, 1);
            t = 256;
        }
        if (t < tl) {
            aes_ctr32_upto16(ko, ctr, ks, (tl - t + 15) / 16);
            lo.y = crypt_buffered(ko, lo.y, ks, buf + t, buf + t, tl - t, 1);
        }
        if (rem > 0) {
            aes_ctr32_upto16(ki, ctr_add(li.ctr0, (int)(1 + done / 16)), ks, (rem + 15) / 16);
            li.y = crypt_buffered(ki, li.y, ks, buf, buf, rem, 1);
        }
        PERC_UNROLL
        for (int i = 0; i < 8; i++) {
            ks[i] = _mm256_setzero_si256();
        }
    }
    memcpy(out + done, buf, tl);
    // Both tags, checked without an early exit; only then is the output kept.
    const int ok_o = tags_equal(layer_tag(&lo, la_o, len), tag_o);
    const int ok_i = tags_equal(layer_tag(&li, la_i, n), buf + rem);
    perc_secure_zero(buf, sizeof(buf));
    PERC_UNROLL
    for (int i = 0; i < 8; i++) {
        ksi[i] = _mm256_setzero_si256(), kso[i] = _mm256_setzero_si256();
    }
    if (ok_o & ok_i) {
        return 1;
    }
    if (out == in) {   // undo both layers: back to the outer ciphertext
        ctr_only(ki, ctr_add(li.ctr0, 1), out, n);
        ctr_only(ko, ctr_add(lo.ctr0, 1), out, len);
    } else {
        perc_secure_zero(out, len);
    }
    return ok_o ? -1 : 0;
}

/// One fan-out job on the long path: the single seal's loop (16-block chunks, keystream then
/// XOR and GHASH), reading the shared part and writing the job's output, then the last
/// chunk with the job's own tail bytes through a buffer.
VAES static void fanout_one(const uint8_t *shared, size_t sl, perc_gcm_fanout_job *job) {
    layer l;
    layer_begin(&l, job->key, job->iv, job->aad, job->aad_len);
    size_t done = 0;
    __m256i ks[8];
    __m128i ctr = ctr_add(l.ctr0, 1);
    for (; sl - done >= 256; done += 256) {
        aes_ctr32(job->key, ctr, ks, 8);
        ctr = ctr_add(ctr, 16);
        l.y = crypt16(job->key, l.y, ks, shared + done, job->out + done, 0);
    }
    _Alignas(32) uint8_t buf[288 + 32];
    const size_t tl = sl - done + job->tail_len;
    memset(buf, 0, sizeof(buf));
    memcpy(buf, shared + done, sl - done);
    memcpy(buf + (sl - done), job->tail, job->tail_len);
    layer_seal_buffer(&l, buf, tl, done / 16);
    memcpy(job->out + done, buf, tl);
    _mm_storeu_si128((__m128i *)job->tag, layer_tag(&l, job->aad_len, sl + job->tail_len));
    job->result = 1;
    perc_secure_zero(buf, sizeof(buf));
    PERC_UNROLL
    for (int i = 0; i < 8; i++) {
        ks[i] = _mm256_setzero_si256();
    }
}

/// Fan-out of one shared plaintext to jobs a and b (b may be NULL). Short packets are staged
/// per job and take the one-pass short seal, both keystreams issued first. Long packets run
/// the single seal's loop once per job, reading the shared part in place.
///
/// Replaced: sealing both jobs in one loop, each chunk of the shared part loaded once for two
/// AES chains and two GHASH chains. The two chains' 32 keystream and GHASH vectors do not fit
/// 16 vector registers and spill every chunk, while the shared part is in L1 anyway after the
/// first job reads it; on the AES-NI twin of this code a 1200-byte copy took 4.86K
/// instructions that way against 3.41K now (callgrind), and a fan-out copy cost more than a
/// single protect.
VAES static void vaes256_fanout_pair(const uint8_t *shared, size_t sl, perc_gcm_fanout_job *a, perc_gcm_fanout_job *b) {
    perc_gcm_fanout_job *jobs[2] = {a, b};
    const int m = b != NULL ? 2 : 1;
    int shortcut = 1;
    for (int j = 0; j < m; j++) {
        shortcut &= is_short(sl + jobs[j]->tail_len, jobs[j]->aad_len);
    }
    if (shortcut) {
        __m256i ks[2][8];
        __m128i c[2];
        for (int j = 0; j < m; j++) {
            c[j] = load_j0(jobs[j]->iv);
            memcpy(jobs[j]->out, shared, sl);
            memcpy(jobs[j]->out + sl, jobs[j]->tail, jobs[j]->tail_len);
        }
        const size_t longest = sl + (m == 2 && b->tail_len > a->tail_len ? b->tail_len : a->tail_len);
        const size_t nblocks = 1 + (longest + 15) / 16;   // <= 16: both are short
        for (int j = 0; j < m; j++) {
            aes_ctr32_upto16(jobs[j]->key, c[j], ks[j], nblocks);
        }
        for (int j = 0; j < m; j++) {
            perc_gcm_fanout_job *job = jobs[j];
            job->result = gcm_short(job->key, ks[j], c[j], job->aad, job->aad_len, NULL, 0, job->out, job->out,
                                    sl + job->tail_len, job->tag, NULL, 0);
        }
        perc_secure_zero(ks, sizeof(ks));
        return;
    }
    for (int j = 0; j < m; j++) {
        fanout_one(shared, sl, jobs[j]);
    }
}

int perc_vaes256_gcm_init(perc_gcm_key *key, const uint8_t *raw, size_t len) {
    if (!perc_aesni_gcm_tables(key, raw, len)) {
        return 0;
    }
    key->seal = vaes256_gcm_seal;
    key->open = vaes256_gcm_open;
    key->seal_batch = vaes256_gcm_seal_batch;
    key->open_batch = vaes256_gcm_open_batch;
    key->double_seal = vaes256_double_seal;
    key->double_open = vaes256_double_open;
    key->fanout_pair = vaes256_fanout_pair;
    return 1;
}

#endif
