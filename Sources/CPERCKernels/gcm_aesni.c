// SPDX-License-Identifier: Apache-2.0
// Copyright 2026 the swift-perc authors
//
// AES-GCM (96-bit IV, 128-bit tag) on AES-NI + PCLMULQDQ, 128-bit vectors, VEX-encoded.
//
// CPU features: AES, PCLMUL, SSSE3, SSE4.1, AVX, AVX2 (checked by perc_cpu_has_aesni; the
// functions carry __attribute__((target)) so the package needs no global -m flags).
// ABI: plain C, System V x86_64. Symbols: perc_aesni_gcm_init (also builds the GHASH tables
// the vaes256 path uses) and the static seal/open stored in the key.
//
// Key layout (perc_internal.h, struct perc_gcm_key): round_keys[0..rounds], then h_powers[]
// = H^16*x^-1, ..., H^1*x^-1 (byte-reflected, see below) and one zero block, then h_folds[]
// (Karatsuba operands). This path aggregates 8 blocks, so it reads h_powers[8..15].
//
// ---- The GHASH field and its bit order ----
//
// GHASH works in GF(2^128) = GF(2)[x] / G(x), G(x) = x^128 + x^7 + x^2 + x + 1. GCM maps a
// 16-byte block to a polynomial "reflected": bit 7 (the MSB) of byte 0 is the coefficient of
// x^0, bit 0 of byte 15 the coefficient of x^127. We byte-swap each block (PSHUFB), which
// turns it into a 128-bit integer V whose bit 127-i is the coefficient of x^i: the whole
// polynomial is bit-reflected, not just each byte.
//
// PCLMULQDQ multiplies integers as polynomials over GF(2). For reflected A and B the 255-bit
// product has the coefficient of x^(i+j) at bit 254-(i+j). Read as a reflected 256-bit value
// (bit 255-k <-> x^k) that is x*A*B: the product comes out multiplied by x. We cancel it
// once, in the key: we store H' = H*x^-1, so that every product by H' is exactly A*H.
// Multiplying by x^-1 is a left shift of the reflected integer by one bit, and the bit that
// falls out (x^0 becoming x^-1) is reduced with x^-1 = x^127 + x^6 + x + 1, whose reflected
// form is the constant 0xc2000000000000000000000000000001 (bits 127, 126, 121 and 0).
//
// ---- Powers of H and aggregation ----
//
// GHASH is Y_i = (Y_{i-1} + X_i) * H. Unrolled over n blocks:
//     Y_n = (Y_0 + X_1)*H^n + X_2*H^(n-1) + ... + X_n*H
// so n independent multiplications, summed unreduced, and ONE reduction per n blocks. Key
// setup stores H'^k for k = 1..16 (each also carries exactly one x^-1, because
// H'^(k+1) = x * H'^k * H' by the rule above). Since a reflected product by K_k = H^k*x^-1
// gives A*H^k, the same multiply serves every power.
//
// ---- One 128x128 multiply: LO, MI, HI ----
//
// With A = a1:a0 and B = b1:b0 (64-bit halves), the 256-bit product is
//     LO = a0*b0,  MI = a0*b1 + a1*b0 (at bit 64),  HI = a1*b1 (at bit 128).
// Karatsuba gets MI with one multiply instead of two: MI = (a0+a1)*(b0+b1) + LO + HI. The
// operand (b0+b1) of each power is precomputed (h_folds), and because LO, HI and MI are
// summed over the 8 aggregated blocks before the correction, the two extra XORs are paid once
// per 8 blocks: 3 PCLMULQDQ per block instead of 4. (The vaes256 path uses the plain 4-multiply
// form: there the extra shuffle+XOR per vector costs as much as the multiply it saves.)
//
// ---- The reduction, in two folds ----
//
// In the reflected 256-bit product P = HI*2^128 + MI*2^64 + LO, integer bit j is x^(255-j):
// the LOW integer bits hold the HIGH degrees. Reducing a term x^d (d >= 128) uses
// x^128 = x^7 + x^2 + x + 1, i.e. x^d = x^(d-121) + x^(d-126) + x^(d-127) + x^(d-128): in
// integer bits, bit j (= 255-d) moves to bits j+121, j+126, j+127 and j+128. For the 64 bits
// L0 = LO[63:0] at once, that is
//     L0 * (t^57 + t^62 + t^63) placed at bit 64   -> CLMUL(L0, 0xc200000000000000)
//     L0 placed at bit 128                          -> L0 in the high half of the MI position
// and the remaining LO[127:64] also sits at bit 64. So the first fold is
//     MI += swap_halves(LO) + CLMUL(LO[63:0], 0xc2...)          ("fold LO into MI")
// leaving a 192-bit value HI:MI. The same step on MI[63:0] (now the lowest bits) gives
//     HI += swap_halves(MI) + CLMUL(MI[63:0], 0xc2...)          ("fold MI into HI")
// and HI is the reduced, reflected result. Two multiplies, two shuffles, four XORs.
//
// ---- Counter mode and the tag ----
//
// J0 = IV || 0x00000001 encrypts to the tag mask; data block j uses IV || BE32(j + 2). The
// counters are kept byte-reflected too, so the 32-bit counter is dword 0 and PADDD does
// GCM's inc32 (mod 2^32) exactly; each counter is swapped back before AES. Short packets
// (up to 240 bytes, AAD up to 256) run J0 and the data counters in one keystream run and
// hash AAD, ciphertext and length block in one pass (gcm_short); long packets encrypt J0
// alone, then 8-block chunks in place, then the tail through a buffer.
//
// Open computes GHASH over the ciphertext as it is read, decrypts into `out`, compares tags
// with a constant-time PTEST, and on failure undoes the write: runs the keystream over `out`
// again when out == in (restoring the ciphertext), zeroes `out` otherwise.
//
// Rejected: stitching the AES and GHASH instruction streams by hand (the out-of-order core
// already overlaps chunk k's GHASH with chunk k+1's AES, which do not depend on each other);
// 4-block aggregation (twice the reductions); table-driven GHASH (secret-indexed tables).
#include "perc_internal.h"

#if defined(__x86_64__)
#include <immintrin.h>
#include <string.h>

#define AESNI __attribute__((target("aes,pclmul,ssse3,sse4.1,avx,avx2")))
#define INLINE static inline __attribute__((always_inline))
#define PERC_UNROLL _Pragma("GCC unroll 16")   // lane loops: keep every lane in a register

/// Longest GCM plaintext for a 96-bit IV: 2^32 - 2 blocks.
#define GCM_MAX_LEN ((((uint64_t)1) << 36) - 32)

AESNI INLINE __m128i bswap128(__m128i x) {
    return _mm_shuffle_epi8(x, _mm_set_epi8(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15));
}

/// x^-1 in reflected form, the reducing constant: bits 127, 126, 121 and 0.
AESNI INLINE __m128i gf_poly(void) { return _mm_set_epi64x((long long)0xc200000000000000ULL, 1); }

/// Reduces the reflected 256-bit product HI:MI:LO (MI at bit 64) to 128 bits.
AESNI INLINE __m128i gf_reduce(__m128i lo, __m128i mi, __m128i hi) {
    const __m128i poly = gf_poly();
    __m128i t = _mm_clmulepi64_si128(poly, lo, 0x01);            // LO[63:0] * (t^63+t^62+t^57)
    mi = _mm_xor_si128(mi, _mm_shuffle_epi32(lo, 0x4e));        // fold LO into MI: swapped LO
    mi = _mm_xor_si128(mi, t);                                   //   ... plus the product
    t = _mm_clmulepi64_si128(poly, mi, 0x01);                    // MI[63:0] * (t^63+t^62+t^57)
    hi = _mm_xor_si128(hi, _mm_shuffle_epi32(mi, 0x4e));        // fold MI into HI: swapped MI
    return _mm_xor_si128(hi, t);                                 //   ... plus the product
}

/// a * b (both reflected, one carrying x^-1): the schoolbook 4-multiply form, for key setup.
AESNI INLINE __m128i gf_mul(__m128i a, __m128i b) {
    __m128i lo = _mm_clmulepi64_si128(a, b, 0x00);                              // LO = a0*b0
    __m128i hi = _mm_clmulepi64_si128(a, b, 0x11);                              // HI = a1*b1
    __m128i mi = _mm_xor_si128(_mm_clmulepi64_si128(a, b, 0x01),                // MI = a1*b0
                               _mm_clmulepi64_si128(a, b, 0x10));               //    + a0*b1
    return gf_reduce(lo, mi, hi);
}

/// GHASH of n blocks (already byte-reflected) into y, with one reduction:
/// y' = (y + b[0])*H^n + b[1]*H^(n-1) + ... + b[n-1]*H. n <= 8.
AESNI INLINE __m128i ghash_blocks(const perc_gcm_key *key, __m128i y, const __m128i *b, size_t n) {
    const __m128i *pow = (const __m128i *)key->h_powers[PERC_GHASH_POWERS - n];
    const __m128i *fold = (const __m128i *)key->h_folds[PERC_GHASH_POWERS - n];
    __m128i lo = _mm_setzero_si128(), mi = lo, hi = lo;
    PERC_UNROLL
    for (size_t i = 0; i < n; i++) {
        __m128i x = i == 0 ? _mm_xor_si128(b[0], y) : b[i];
        lo = _mm_xor_si128(lo, _mm_clmulepi64_si128(x, pow[i], 0x00));          // LO += x0*h0
        hi = _mm_xor_si128(hi, _mm_clmulepi64_si128(x, pow[i], 0x11));          // HI += x1*h1
        __m128i xf = _mm_xor_si128(x, _mm_shuffle_epi32(x, 0x4e));              // x0+x1
        mi = _mm_xor_si128(mi, _mm_clmulepi64_si128(xf, fold[i], 0x00));        // MI += (x0+x1)(h0+h1)
    }
    mi = _mm_xor_si128(mi, _mm_xor_si128(lo, hi));   // Karatsuba: MI -= LO + HI (once per n)
    return gf_reduce(lo, mi, hi);
}

/// The same for a run length known only at run time (tails and AAD).
AESNI static __m128i ghash_blocks_var(const perc_gcm_key *key, __m128i y, const __m128i *b, size_t n) {
    return n == 0 ? y : ghash_blocks(key, y, b, n);
}

/// GHASH over whole 16-byte blocks in memory, 8 at a time.
AESNI static __m128i ghash_memory(const perc_gcm_key *key, __m128i y, const uint8_t *p, size_t nblocks) {
    __m128i b[8];
    for (; nblocks >= 8; nblocks -= 8, p += 128) {
        PERC_UNROLL
        for (int i = 0; i < 8; i++) {
            b[i] = bswap128(_mm_loadu_si128((const __m128i *)(p + 16 * i)));
        }
        y = ghash_blocks(key, y, b, 8);
    }
    for (size_t i = 0; i < nblocks; i++) {
        b[i] = bswap128(_mm_loadu_si128((const __m128i *)(p + 16 * i)));
    }
    return ghash_blocks_var(key, y, b, nblocks);
}

/// GHASH over the zero-padded AAD `a1 || a2` (the two parts are one string).
AESNI static __m128i ghash_aad(const perc_gcm_key *key, const uint8_t *a1, size_t l1, const uint8_t *a2,
                               size_t l2) {
    __m128i y = ghash_memory(key, _mm_setzero_si128(), a1, l1 / 16);
    size_t r = l1 % 16;
    uint8_t block[16];
    if (r > 0) {
        memset(block, 0, sizeof(block));
        memcpy(block, a1 + (l1 - r), r);
        size_t take = l2 < 16 - r ? l2 : 16 - r;   // complete the block from the second part
        if (take > 0) {
            memcpy(block + r, a2, take);
            a2 += take;
            l2 -= take;
        }
        __m128i b = bswap128(_mm_loadu_si128((const __m128i *)block));
        y = ghash_blocks(key, y, &b, 1);
    }
    y = ghash_memory(key, y, a2, l2 / 16);
    r = l2 % 16;
    if (r > 0) {
        memset(block, 0, sizeof(block));
        memcpy(block, a2 + (l2 - r), r);
        __m128i b = bswap128(_mm_loadu_si128((const __m128i *)block));
        y = ghash_blocks(key, y, &b, 1);
    }
    return y;
}

/// Encrypts the n counter blocks ctr, ctr+1, ... (reflected form, inc32) into ks[]. n is 4 or
/// 8 at every call site: a run of fewer blocks is latency-bound anyway, so the spare lanes
/// cost nothing, and a constant n keeps the lanes in registers.
AESNI INLINE void aes_ctr32(const perc_gcm_key *key, __m128i ctr, __m128i *ks, int n) {
    const __m128i *rk = (const __m128i *)key->round_keys;
    const int rounds = key->rounds;
    PERC_UNROLL
    for (int i = 0; i < n; i++) {
        __m128i c = _mm_add_epi32(ctr, _mm_set_epi32(0, 0, 0, i));
        ks[i] = _mm_xor_si128(bswap128(c), rk[0]);
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

AESNI INLINE void aes_ctr32_upto8(const perc_gcm_key *key, __m128i ctr, __m128i *ks, size_t n) {
    if (n <= 4) {
        aes_ctr32(key, ctr, ks, 4);
    } else {
        aes_ctr32(key, ctr, ks, 8);
    }
}

/// XORs 8 whole keystream blocks onto in -> out and absorbs the ciphertext into GHASH.
AESNI INLINE __m128i crypt8(const perc_gcm_key *key, __m128i y, const __m128i *ks, const uint8_t *in, uint8_t *out,
                            int open) {
    __m128i x[8];
    PERC_UNROLL
    for (int i = 0; i < 8; i++) {
        __m128i d = _mm_loadu_si128((const __m128i *)(in + 16 * i));
        __m128i o = _mm_xor_si128(d, ks[i]);
        x[i] = bswap128(open ? d : o);   // GHASH always reads the ciphertext
        _mm_storeu_si128((__m128i *)(out + 16 * i), o);
    }
    return ghash_blocks(key, y, x, 8);
}

/// The same for up to 8 blocks where the last may be partial (nbytes <= 128), through a
/// zero-padded buffer so GHASH sees the padding GCM specifies.
AESNI static __m128i crypt_partial(const perc_gcm_key *key, __m128i y, const __m128i *ks, const uint8_t *in,
                                   uint8_t *out, size_t nbytes, int open) {
    _Alignas(16) uint8_t buf[128];
    __m128i x[8];
    const size_t n = (nbytes + 15) / 16;
    memset(buf, 0, sizeof(buf));
    memcpy(buf, in, nbytes);
    for (size_t i = 0; i < n; i++) {
        __m128i d = _mm_load_si128((const __m128i *)(buf + 16 * i));
        if (open) {
            x[i] = bswap128(d);
        }
        _mm_store_si128((__m128i *)(buf + 16 * i), _mm_xor_si128(d, ks[i]));
    }
    memcpy(out, buf, nbytes);
    if (!open) {
        memset(buf + nbytes, 0, 16 * n - nbytes);
        for (size_t i = 0; i < n; i++) {
            x[i] = bswap128(_mm_load_si128((const __m128i *)(buf + 16 * i)));
        }
    }
    y = ghash_blocks_var(key, y, x, n);
    perc_secure_zero(buf, sizeof(buf));
    return y;
}

/// Counter mode alone over `out` (used to undo a failed open in place).
AESNI static void ctr_only(const perc_gcm_key *key, __m128i ctr, uint8_t *buf, size_t len) {
    __m128i ks[8];
    _Alignas(16) uint8_t tmp[16];
    for (; len > 0;) {
        aes_ctr32(key, ctr, ks, 8);
        ctr = _mm_add_epi32(ctr, _mm_set_epi32(0, 0, 0, 8));
        for (int i = 0; i < 8 && len > 0; i++) {
            size_t m = len < 16 ? len : 16;
            memcpy(tmp, buf, m);
            _mm_store_si128((__m128i *)tmp, _mm_xor_si128(_mm_load_si128((const __m128i *)tmp), ks[i]));
            memcpy(buf, tmp, m);
            buf += m;
            len -= m;
        }
    }
    perc_secure_zero(tmp, sizeof(tmp));
}

// MARK: - Short packets

/// Packets up to SHORT_MAX_LEN bytes with up to SHORT_MAX_AAD bytes of AAD take a one-pass
/// path: AAD, ciphertext and length block sit zero-padded in one staging buffer and are
/// hashed together (two reductions for a 160-byte packet with a 12-byte header instead of
/// four), and open's GHASH does not wait for AES.
#define SHORT_MAX_LEN 240
#define SHORT_MAX_AAD 256

AESNI INLINE int is_short(size_t len, size_t aad_total) { return len <= SHORT_MAX_LEN && aad_total <= SHORT_MAX_AAD; }

/// GHASH from zero over `nblocks` contiguous zero-padded blocks.
AESNI static __m128i ghash_stage(const perc_gcm_key *key, const uint8_t *stage, size_t nblocks) {
    return ghash_memory(key, _mm_setzero_si128(), stage, nblocks);
}

/// Keystream for a short packet: J0 and up to 15 data blocks, in one or two 8-block passes.
AESNI INLINE void short_keystream(const perc_gcm_key *key, __m128i ctr0, __m128i ks[16], size_t len) {
    const size_t nblocks = 1 + (len + 15) / 16;
    aes_ctr32_upto8(key, ctr0, ks, nblocks < 8 ? nblocks : 8);
    if (nblocks > 8) {
        aes_ctr32_upto8(key, _mm_add_epi32(ctr0, _mm_set_epi32(0, 0, 0, 8)), ks + 8, nblocks - 8);
    }
}

/// Seals or opens a short packet given its keystream (ks[0] = E(J0), then the data blocks).
AESNI static int gcm_short(const perc_gcm_key *key, const __m128i *ks, __m128i ctr0, const uint8_t *a1, size_t l1,
                           const uint8_t *a2, size_t l2, const uint8_t *in, uint8_t *out, size_t len, uint8_t *tag_out,
                           const uint8_t *tag_in, int open) {
    _Alignas(16) uint8_t stage[16 * 33];
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
    __m128i tag = _mm_xor_si128(bswap128(y), ks[0]);
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

/// Seal (open = 0) or open (open = 1); returns the tag check result for open.
AESNI INLINE int gcm_crypt(perc_gcm_key *key, const uint8_t iv[12], const uint8_t *aad, size_t aad_len,
                           const uint8_t *aad2, size_t aad2_len, const uint8_t *in, uint8_t *out, size_t len,
                           uint8_t *tag_out, const uint8_t *tag_in, int open) {
    if ((uint64_t)len > GCM_MAX_LEN) {
        return 0;
    }
    _Alignas(16) uint8_t j0[16];
    memcpy(j0, iv, 12);
    j0[12] = 0, j0[13] = 0, j0[14] = 0, j0[15] = 1;
    const __m128i ctr0 = bswap128(_mm_load_si128((const __m128i *)j0));
    if (is_short(len, aad_len + aad2_len)) {
        __m128i ks16[16];
        short_keystream(key, ctr0, ks16, len);
        return gcm_short(key, ks16, ctr0, aad, aad_len, aad2, aad2_len, in, out, len, tag_out, tag_in, open);
    }
    // Long packets: E(J0) alone (an independent chain the core overlaps with the bulk), the
    // data from counter 2 in 8-block chunks in place, and the tail through a buffer.
    __m128i ks[8];
    const __m128i *rk = (const __m128i *)key->round_keys;
    __m128i tag_mask = _mm_xor_si128(bswap128(ctr0), rk[0]);
    for (int r = 1; r < key->rounds; r++) {
        tag_mask = _mm_aesenc_si128(tag_mask, rk[r]);
    }
    tag_mask = _mm_aesenclast_si128(tag_mask, rk[key->rounds]);
    __m128i y = ghash_aad(key, aad, aad_len, aad2, aad2_len);
    size_t done = 0;
    __m128i ctr = _mm_add_epi32(ctr0, _mm_set_epi32(0, 0, 0, 1));
    for (; len - done >= 128; done += 128) {
        aes_ctr32(key, ctr, ks, 8);
        ctr = _mm_add_epi32(ctr, _mm_set_epi32(0, 0, 0, 8));
        y = crypt8(key, y, ks, in + done, out + done, open);
    }
    if (done < len) {
        aes_ctr32_upto8(key, ctr, ks, (len - done + 15) / 16);
        y = crypt_partial(key, y, ks, in + done, out + done, len - done, open);
    }
    // Length block: bit lengths of AAD and text, big-endian; reflected they are the halves.
    __m128i lens = _mm_set_epi64x((long long)((uint64_t)(aad_len + aad2_len) * 8), (long long)((uint64_t)len * 8));
    y = ghash_blocks(key, y, &lens, 1);
    __m128i tag = _mm_xor_si128(bswap128(y), tag_mask);
    PERC_UNROLL
    for (int i = 0; i < 8; i++) {
        ks[i] = _mm_setzero_si128();
    }
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

AESNI static int aesni_gcm_seal(perc_gcm_key *key, const uint8_t iv[12], const uint8_t *aad, size_t aad_len,
                                const uint8_t *aad2, size_t aad2_len, const uint8_t *in, uint8_t *out, size_t len,
                                uint8_t tag[16]) {
    return gcm_crypt(key, iv, aad, aad_len, aad2, aad2_len, in, out, len, tag, NULL, 0);
}

AESNI static int aesni_gcm_open(perc_gcm_key *key, const uint8_t iv[12], const uint8_t *aad, size_t aad_len,
                                const uint8_t *aad2, size_t aad2_len, const uint8_t *in, uint8_t *out, size_t len,
                                const uint8_t tag[16]) {
    return gcm_crypt(key, iv, aad, aad_len, aad2, aad2_len, in, out, len, NULL, tag, 1);
}

// MARK: - Batches

/// Packets per group.
#define BATCH_WIDTH 4

/// Seals or opens a group of jobs: long jobs run alone; for up to four short jobs the
/// keystreams are issued back to back (independent AES chains), then each job takes the
/// one-pass GHASH/XOR/tag step. See gcm_vaes256.c for what was measured and rejected.
AESNI static void gcm_batch(perc_gcm_job *jobs, size_t count, int open) {
    for (size_t base = 0; base < count; base += BATCH_WIDTH) {
        const size_t m = count - base < BATCH_WIDTH ? count - base : BATCH_WIDTH;
        perc_gcm_job *group = jobs + base;
        __m128i ctr0[BATCH_WIDTH];
        _Alignas(16) __m128i ks[BATCH_WIDTH][16];
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
                short_keystream(group[j].key, ctr0[j], ks[j], group[j].len);
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

AESNI static void aesni_gcm_seal_batch(perc_gcm_job *jobs, size_t count) { gcm_batch(jobs, count, 0); }

AESNI static void aesni_gcm_open_batch(perc_gcm_job *jobs, size_t count) { gcm_batch(jobs, count, 1); }

// MARK: - Fused double transform and fan-out
//
// The same structure as in gcm_vaes256.c (see the notes there and in perc_kernels.h), with
// 8-block chunks of 128-bit vectors: the two layers' keystreams run as independent AES
// chains, the bulk loads each chunk once and advances both GHASH chains in the same iteration, and the
// tail (last payload bytes, inner tag, OHB) goes through one buffer.

AESNI INLINE __m128i load_j0(const uint8_t iv[12]) {
    _Alignas(16) uint8_t j0[16];
    memcpy(j0, iv, 12);
    j0[12] = 0, j0[13] = 0, j0[14] = 0, j0[15] = 1;
    return bswap128(_mm_load_si128((const __m128i *)j0));
}

AESNI INLINE __m128i ctr_add(__m128i ctr, int k) { return _mm_add_epi32(ctr, _mm_set_epi32(0, 0, 0, k)); }

/// E(K, block) with the key's round keys.
AESNI INLINE __m128i aes_one(const perc_gcm_key *key, __m128i block) {
    const __m128i *rk = (const __m128i *)key->round_keys;
    block = _mm_xor_si128(block, rk[0]);
    for (int r = 1; r < key->rounds; r++) {
        block = _mm_aesenc_si128(block, rk[r]);
    }
    return _mm_aesenclast_si128(block, rk[key->rounds]);
}

AESNI void perc_aesni_gcm_keystream_block(const perc_gcm_key *key, const uint8_t iv[12], uint32_t block,
                                          uint8_t ks[16]) {
    __m128i c = ctr_add(load_j0(iv), (int)(block + 1));
    _mm_storeu_si128((__m128i *)ks, aes_one(key, bswap128(c)));
}

/// J0 and the data blocks of a short packet of `len` bytes for both keys, one key after the
/// other (independent chains the core overlaps; one round loop over both measured slower:
/// 8 + 8 states do not fit the 16 XMM registers).
AESNI INLINE void short_keystream_pair(const perc_gcm_key *ka, __m128i ca, __m128i ksa[16], const perc_gcm_key *kb,
                                       __m128i cb, __m128i ksb[16], size_t len) {
    short_keystream(ka, ca, ksa, len);
    short_keystream(kb, cb, ksb, len);
}

typedef struct layer {
    const perc_gcm_key *key;
    __m128i ctr0, y, mask;
} layer;

AESNI static void layer_begin(layer *l, const perc_gcm_key *key, const uint8_t iv[12], const uint8_t *aad,
                              size_t aad_len) {
    l->key = key;
    l->ctr0 = load_j0(iv);
    l->mask = aes_one(key, bswap128(l->ctr0));
    l->y = ghash_aad(key, aad, aad_len, NULL, 0);
}

/// Seals or opens the n bytes of `buf` in place for layer l (buf's first block is data block
/// `first`) and absorbs the ciphertext.
AESNI static void layer_buffer(layer *l, uint8_t *buf, size_t n, size_t first, int open) {
    __m128i ks[8];
    __m128i ctr = ctr_add(l->ctr0, (int)(1 + first));
    size_t t = 0;
    for (; n - t >= 128; t += 128) {
        aes_ctr32(l->key, ctr, ks, 8);
        ctr = ctr_add(ctr, 8);
        l->y = crypt8(l->key, l->y, ks, buf + t, buf + t, open);
    }
    if (t < n) {
        aes_ctr32_upto8(l->key, ctr, ks, (n - t + 15) / 16);
        l->y = crypt_partial(l->key, l->y, ks, buf + t, buf + t, n - t, open);
    }
    PERC_UNROLL
    for (int i = 0; i < 8; i++) {
        ks[i] = _mm_setzero_si128();
    }
}

AESNI static __m128i layer_tag(const layer *l, size_t aad_len, size_t len) {
    __m128i lens = _mm_set_epi64x((long long)((uint64_t)aad_len * 8), (long long)((uint64_t)len * 8));
    return _mm_xor_si128(bswap128(ghash_blocks(l->key, l->y, &lens, 1)), l->mask);
}

AESNI INLINE int tags_equal(__m128i a, const uint8_t *b) {
    __m128i diff = _mm_xor_si128(a, _mm_loadu_si128((const __m128i *)b));
    return _mm_testz_si128(diff, diff);
}

AESNI static int aesni_double_seal(perc_gcm_key *ki, const uint8_t iv_i[12], const uint8_t *aad_i, size_t la_i,
                                   perc_gcm_key *ko, const uint8_t iv_o[12], const uint8_t *aad_o, size_t la_o,
                                   const uint8_t *in, uint8_t *out, size_t len, const uint8_t *ohb, size_t ohb_len,
                                   uint8_t tag_o[16]) {
    const size_t olen = len + 16 + ohb_len;
    if (is_short(olen, la_o) && is_short(len, la_i)) {
        __m128i ksi[16], kso[16];
        const __m128i ci = load_j0(iv_i), co = load_j0(iv_o);
        short_keystream_pair(ki, ci, ksi, ko, co, kso, olen);
        gcm_short(ki, ksi, ci, aad_i, la_i, NULL, 0, in, out, len, out + len, NULL, 0);
        memcpy(out + len + 16, ohb, ohb_len);
        gcm_short(ko, kso, co, aad_o, la_o, NULL, 0, out, out, olen, tag_o, NULL, 0);
        perc_secure_zero(ksi, sizeof(ksi));
        perc_secure_zero(kso, sizeof(kso));
        return 1;
    }
    layer li, lo;
    layer_begin(&li, ki, iv_i, aad_i, la_i);
    layer_begin(&lo, ko, iv_o, aad_o, la_o);
    size_t done = 0;
    __m128i ksi[8], kso[8], xi[8], xo[8];
    for (; len - done >= 128; done += 128) {
        aes_ctr32(ki, ctr_add(li.ctr0, (int)(1 + done / 16)), ksi, 8);
        aes_ctr32(ko, ctr_add(lo.ctr0, (int)(1 + done / 16)), kso, 8);
        PERC_UNROLL
        for (int i = 0; i < 8; i++) {
            __m128i c1 = _mm_xor_si128(_mm_loadu_si128((const __m128i *)(in + done + 16 * i)), ksi[i]);
            __m128i c2 = _mm_xor_si128(c1, kso[i]);
            xi[i] = bswap128(c1);
            xo[i] = bswap128(c2);
            _mm_storeu_si128((__m128i *)(out + done + 16 * i), c2);
        }
        li.y = ghash_blocks(ki, li.y, xi, 8);
        lo.y = ghash_blocks(ko, lo.y, xo, 8);
    }
    _Alignas(16) uint8_t buf[176];   // < 128 payload bytes, the inner tag, the OHB
    memset(buf, 0, sizeof(buf));
    const size_t rem = len - done, tl = rem + 16 + ohb_len;
    if (rem > 0) {
        memcpy(buf, in + done, rem);
        layer_buffer(&li, buf, rem, done / 16, 0);
    }
    _mm_storeu_si128((__m128i *)(buf + rem), layer_tag(&li, la_i, len));
    memcpy(buf + rem + 16, ohb, ohb_len);
    layer_buffer(&lo, buf, tl, done / 16, 0);
    memcpy(out + done, buf, tl);
    _mm_storeu_si128((__m128i *)tag_o, layer_tag(&lo, la_o, olen));
    perc_secure_zero(buf, sizeof(buf));
    perc_secure_zero(ksi, sizeof(ksi));
    perc_secure_zero(kso, sizeof(kso));
    return 1;
}

AESNI static int aesni_double_open(perc_gcm_key *ki, const uint8_t iv_i[12], const uint8_t *aad_i, size_t la_i,
                                   perc_gcm_key *ko, const uint8_t iv_o[12], const uint8_t *aad_o, size_t la_o,
                                   const uint8_t *in, uint8_t *out, size_t len, size_t ohb_len,
                                   const uint8_t outer_tag[16]) {
    _Alignas(16) uint8_t tag_o[16], tag_i[16];
    memcpy(tag_o, outer_tag, 16);
    const size_t n = len - 16 - ohb_len;
    if (is_short(len, la_o) && is_short(n, la_i)) {
        __m128i ksi[16], kso[16];
        const __m128i ci = load_j0(iv_i), co = load_j0(iv_o);
        short_keystream_pair(ki, ci, ksi, ko, co, kso, len);
        int result = 0;
        if (gcm_short(ko, kso, co, aad_o, la_o, NULL, 0, in, out, len, NULL, tag_o, 1)) {
            memcpy(tag_i, out + n, 16);
            result = 1;
            if (!gcm_short(ki, ksi, ci, aad_i, la_i, NULL, 0, out, out, n, NULL, tag_i, 1)) {
                result = -1;
                if (out == in) {
                    ctr_only(ko, ctr_add(co, 1), out, len);
                } else {
                    perc_secure_zero(out, len);
                }
            }
        }
        perc_secure_zero(ksi, sizeof(ksi));
        perc_secure_zero(kso, sizeof(kso));
        return result;
    }
    layer li, lo;
    layer_begin(&li, ki, iv_i, aad_i, la_i);
    layer_begin(&lo, ko, iv_o, aad_o, la_o);
    size_t done = 0;
    __m128i ksi[8], kso[8], xi[8], xo[8];
    for (; n - done >= 128; done += 128) {
        aes_ctr32(ki, ctr_add(li.ctr0, (int)(1 + done / 16)), ksi, 8);
        aes_ctr32(ko, ctr_add(lo.ctr0, (int)(1 + done / 16)), kso, 8);
        PERC_UNROLL
        for (int i = 0; i < 8; i++) {
            __m128i c2 = _mm_loadu_si128((const __m128i *)(in + done + 16 * i));
            __m128i c1 = _mm_xor_si128(c2, kso[i]);
            xo[i] = bswap128(c2);
            xi[i] = bswap128(c1);
            _mm_storeu_si128((__m128i *)(out + done + 16 * i), _mm_xor_si128(c1, ksi[i]));
        }
        lo.y = ghash_blocks(ko, lo.y, xo, 8);
        li.y = ghash_blocks(ki, li.y, xi, 8);
    }
    _Alignas(16) uint8_t buf[176];
    memset(buf, 0, sizeof(buf));
    const size_t rem = n - done, tl = len - done;
    memcpy(buf, in + done, tl);
    layer_buffer(&lo, buf, tl, done / 16, 1);
    if (rem > 0) {
        layer_buffer(&li, buf, rem, done / 16, 1);
    }
    memcpy(out + done, buf, tl);
    const int ok_o = tags_equal(layer_tag(&lo, la_o, len), tag_o);
    const int ok_i = tags_equal(layer_tag(&li, la_i, n), buf + rem);
    perc_secure_zero(buf, sizeof(buf));
    perc_secure_zero(ksi, sizeof(ksi));
    perc_secure_zero(kso, sizeof(kso));
    if (ok_o & ok_i) {
        return 1;
    }
    if (out == in) {
        ctr_only(ki, ctr_add(li.ctr0, 1), out, n);
        ctr_only(ko, ctr_add(lo.ctr0, 1), out, len);
    } else {
        perc_secure_zero(out, len);
    }
    return ok_o ? -1 : 0;
}

/// One fan-out job on the long path: the single seal's loop reading the shared part, then
/// the last chunk with the job's own tail bytes through a buffer (see gcm_vaes256.c for why
/// the jobs of a pair no longer share each chunk's load).
AESNI static void fanout_one(const uint8_t *shared, size_t sl, perc_gcm_fanout_job *job) {
    layer l;
    layer_begin(&l, job->key, job->iv, job->aad, job->aad_len);
    size_t done = 0;
    __m128i ks[8];
    __m128i ctr = ctr_add(l.ctr0, 1);
    for (; sl - done >= 128; done += 128) {
        aes_ctr32(job->key, ctr, ks, 8);
        ctr = ctr_add(ctr, 8);
        l.y = crypt8(job->key, l.y, ks, shared + done, job->out + done, 0);
    }
    _Alignas(16) uint8_t buf[176];
    const size_t tl = sl - done + job->tail_len;
    memset(buf, 0, sizeof(buf));
    memcpy(buf, shared + done, sl - done);
    memcpy(buf + (sl - done), job->tail, job->tail_len);
    layer_buffer(&l, buf, tl, done / 16, 0);
    memcpy(job->out + done, buf, tl);
    _mm_storeu_si128((__m128i *)job->tag, layer_tag(&l, job->aad_len, sl + job->tail_len));
    job->result = 1;
    perc_secure_zero(buf, sizeof(buf));
    perc_secure_zero(ks, sizeof(ks));
}

/// Fan-out to jobs a and b (b may be NULL): see gcm_vaes256.c.
AESNI static void aesni_fanout_pair(const uint8_t *shared, size_t sl, perc_gcm_fanout_job *a, perc_gcm_fanout_job *b) {
    perc_gcm_fanout_job *jobs[2] = {a, b};
    const int m = b != NULL ? 2 : 1;
    int shortcut = 1;
    for (int j = 0; j < m; j++) {
        shortcut &= is_short(sl + jobs[j]->tail_len, jobs[j]->aad_len);
    }
    if (shortcut) {
        __m128i ks[2][16];
        __m128i c[2];
        for (int j = 0; j < m; j++) {
            c[j] = load_j0(jobs[j]->iv);
            memcpy(jobs[j]->out, shared, sl);
            memcpy(jobs[j]->out + sl, jobs[j]->tail, jobs[j]->tail_len);
        }
        const size_t longest = sl + (m == 2 && b->tail_len > a->tail_len ? b->tail_len : a->tail_len);
        if (m == 2) {
            short_keystream_pair(a->key, c[0], ks[0], b->key, c[1], ks[1], longest);
        } else {
            short_keystream(a->key, c[0], ks[0], longest);
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

/// Fills round_keys, round_keys_x2, h_powers and h_folds (shared with the vaes256 path).
AESNI int perc_aesni_gcm_tables(perc_gcm_key *key, const uint8_t *raw, size_t len) {
    int rounds = perc_aes_expand_aesni(raw, len, key->round_keys);
    if (rounds == 0) {
        return 0;
    }
    key->rounds = rounds;
    for (int r = 0; r <= rounds; r++) {
        memcpy(key->round_keys_x2[r], key->round_keys[r], 16);
        memcpy(key->round_keys_x2[r] + 16, key->round_keys[r], 16);
    }
    // H = AES_K(0^128), byte-reflected.
    const __m128i *rk = (const __m128i *)key->round_keys;
    __m128i h = _mm_xor_si128(_mm_setzero_si128(), rk[0]);
    for (int r = 1; r < rounds; r++) {
        h = _mm_aesenc_si128(h, rk[r]);
    }
    h = bswap128(_mm_aesenclast_si128(h, rk[rounds]));
    // H' = H*x^-1: shift the reflected value left by one; if bit 127 (x^0) fell out, add
    // x^-1 (the constant). The mask comes from an arithmetic shift, not a branch.
    __m128i carry = _mm_srai_epi32(_mm_shuffle_epi32(h, 0xff), 31);
    __m128i shifted = _mm_or_si128(_mm_slli_epi64(h, 1), _mm_srli_epi64(_mm_slli_si128(h, 8), 63));
    const __m128i h1 = _mm_xor_si128(shifted, _mm_and_si128(carry, gf_poly()));
    // K_1 = H', K_(k+1) = K_k * H' (each product drops one of the two x^-1, see above).
    __m128i k = h1;
    for (int i = 1; i <= PERC_GHASH_POWERS; i++) {
        _mm_store_si128((__m128i *)key->h_powers[PERC_GHASH_POWERS - i], k);
        _mm_store_si128((__m128i *)key->h_folds[PERC_GHASH_POWERS - i],
                        _mm_xor_si128(k, _mm_shuffle_epi32(k, 0x4e)));
        k = gf_mul(k, h1);
    }
    memset(key->h_powers[PERC_GHASH_POWERS], 0, 16);
    memset(key->h_folds[PERC_GHASH_POWERS], 0, 16);
    return 1;
}

int perc_aesni_gcm_init(perc_gcm_key *key, const uint8_t *raw, size_t len) {
    if (!perc_aesni_gcm_tables(key, raw, len)) {
        return 0;
    }
    key->seal = aesni_gcm_seal;
    key->open = aesni_gcm_open;
    key->seal_batch = aesni_gcm_seal_batch;
    key->open_batch = aesni_gcm_open_batch;
    key->double_seal = aesni_double_seal;
    key->double_open = aesni_double_open;
    key->fanout_pair = aesni_fanout_pair;
    return 1;
}

#endif
