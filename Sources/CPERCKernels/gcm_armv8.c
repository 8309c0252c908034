// SPDX-License-Identifier: Apache-2.0
// Copyright 2026 the swift-perc authors
//
// AES-GCM (96-bit IV, 128-bit tag) on the ARMv8 Crypto Extensions: AESE/AESMC for the
// keystream, PMULL/PMULL2 (64x64 -> 128-bit carry-less multiply) for GHASH.
//
// CPU features: AES + PMULL (checked by perc_cpu_has_armv8 from getauxval(AT_HWCAP)); the
// functions carry __attribute__((target("+crypto"))), so the package needs no global -march
// flag. ABI: plain C, AAPCS64, little-endian. Symbols: perc_armv8_gcm_init and
// perc_armv8_gcm_keystream_block (perc_gcm_ctr_peek); seal/open, the batch calls, the fused
// double seal/open and the fan-out pair are static and stored in the key. Key sizes 128 and
// 256 (dispatch.c rejects the others).
//
// Key layout (perc_internal.h, struct perc_gcm_key): round_keys[0..rounds] (FIPS 197 bytes,
// see aes_armv8.h), then h_powers[] = H^16*x^-1, ..., H^1*x^-1 and one zero block, then
// h_folds[] (Karatsuba operands): the same tables gcm_aesni.c builds, with the same meaning,
// because a uint64x2_t's lane 0 is the low 64 bits just as an __m128i's qword 0 is. This path
// aggregates 8 blocks, so it reads h_powers[8..15]. round_keys_x2 is not used.
//
// ---- The field, the bit order and the x^-1 (as in gcm_aesni.c) ----
//
// GHASH works in GF(2^128) = GF(2)[x] / G(x), G(x) = x^128 + x^7 + x^2 + x + 1, on blocks
// read "reflected" (bit 7 of byte 0 is x^0). Reversing the 16 bytes of a block (REV64 + EXT)
// gives a 128-bit integer V whose bit 127-i is the coefficient of x^i. PMULL multiplies such
// integers as polynomials; for reflected A and B the product comes out multiplied by x, which
// is cancelled once in the key: every stored power is H^k * x^-1 (computed at key setup as a
// one-bit left shift of the reflected H with a masked, branch-free reduction of the bit that
// falls out by x^-1 = x^127 + x^6 + x + 1, reflected 0xc2000000000000000000000000000001).
//
// ---- Aggregation: 8 blocks, Karatsuba, one reduction ----
//
// Y_n = (Y_0 + X_1)*H^n + ... + X_n*H: eight independent products summed unreduced. With
// A = a1:a0 and B = b1:b0 (64-bit lanes) the 256-bit product is LO = a0*b0 (PMULL),
// HI = a1*b1 (PMULL2), MI = a0*b1 + a1*b0 at bit 64, and Karatsuba's MI = (a0+a1)*(b0+b1) +
// LO + HI with (b0+b1) precomputed (h_folds): three PMULLs per block, the correction paid
// once per 8 blocks.
//
// ---- The reduction, in two folds ----
//
// In the reflected product P = HI*2^128 + MI*2^64 + LO the low integer bits hold the high
// degrees; x^d = x^(d-121) + x^(d-126) + x^(d-127) + x^(d-128) moves integer bit j to bits
// j+121, j+126, j+127 and j+128. For the 64 bits LO[63:0] at once that is
// PMULL(LO[63:0], 0xc200000000000000) at bit 64 plus LO[63:0] itself at bit 128, so
//     MI += swap_lanes(LO) + PMULL(LO.lane0, 0xc2...)      (fold LO into MI)
//     HI += swap_lanes(MI) + PMULL(MI.lane0, 0xc2...)      (fold MI into HI)
// and HI is the reduced, reflected result: two PMULLs, two EXTs, four EORs.
//
// ---- Counter mode, seal and open ----
//
// J0 = IV || 0x00000001 encrypts to the tag mask; data block j uses IV || BE32(j + 2) (GCM's
// inc32, mod 2^32). The counter is a public scalar; each block is J0 with lane 3 replaced by
// REV32(counter), 8 blocks per pass with their AESE/AESMC pairs interleaved.
//
// Seal runs 128-byte chunks: keystream and XOR into `out`, then GHASH of the 8 ciphertext
// blocks just written (chunk k's PMULLs and chunk k+1's AES rounds do not depend on each other,
// so an out-of-order core overlaps them); the tail goes through a 16-byte buffer that also
// supplies GCM's zero padding.
//
// Open hashes AAD and ciphertext FIRST, compares tags in constant time (EOR of the two tags,
// OR of the lanes, the sign bit of (v | -v)) and only then, when the tag verified, runs the
// keystream over the data. A forged packet never has plaintext written anywhere: `out` is left
// holding the ciphertext when out == in and is zeroed otherwise (perc_gcm_open's contract).
// The branch after the comparison depends on the verification result, which is public.
//
// ---- Short packets and batches ----
//
// Up to 176 bytes (11 blocks) the keystream of J0 and of every data block runs as one pass of
// up to 12 lanes before the GHASH step, so the tag mask no longer waits for a lone AES chain
// at the end; open hashes and verifies first and then XORs the keystream it already holds
// (zeroed afterwards). The batch calls take jobs two at a time: when both are short, both
// keystreams run in ONE round loop (aes_encrypt_lanes2: 8 + 8, then 4 + 4 states), then each
// job takes its GHASH and tag step; other jobs run alone.
//
// ---- The fused double transform (RFC 8723) and fan-out ----
//
// Double seal: the inner and outer data counters cover the same block positions (the outer
// plaintext starts with the inner ciphertext), so per 128-byte chunk both keystreams run in
// one round loop (16 states: aarch64 has 32 vector registers, where the x86 paths spill and
// issue the two chains one after the other), the chunk is loaded once, c1 = p ^ ksi and
// c2 = c1 ^ kso, one store, and both GHASH chains absorb their ciphertext. The tail (last
// < 128 payload bytes, the inner tag, which exists only once the inner GHASH is complete, and
// the OHB) goes through one buffer whose two keystreams also run as one interleaved pass.
//
// Double open keeps this file's rule that no plaintext is written before the tags verify.
// Pass 1 runs the outer keystream only: each chunk of outer ciphertext is hashed (outer
// GHASH), decrypted to the inner ciphertext, which is stored and hashed (inner GHASH). Both
// tags are compared without an early exit. Pass 2, only when both verified, runs the inner
// keystream over `out`. On a failure `out` is restored to the outer ciphertext (the outer
// keystream once more, in place) or zeroed. The AES and PMULL work is that of two opens; the
// passes touch an L1-resident packet.
//
// Fan-out: jobs come in pairs; per 128-byte chunk one load of the shared plaintext, both
// jobs' keystreams in one round loop, two stores and two GHASH chains; each job's tail (the
// rest of the shared part and its own 0..16 tail bytes) through a buffer.
//
// perc_gcm_ctr_peek: E(K, J0 + 1 + block) for the (at most two) blocks under the bytes
// asked for; no authentication (the caller's contract).
//
// Rejected: the x86 paths' one-pass open that decrypts and then undoes the write on failure
// (on Arm's Neoverse cores AES and PMULL issue to the same vector pipes, so fusing the two
// passes saves little, and two passes over an L1-resident packet never release plaintext);
// table-driven GHASH (secret-indexed tables); 4-block aggregation (twice the reductions).
#include "perc_internal.h"

#if defined(__aarch64__)
#include "aes_armv8.h"
#include <string.h>

/// Longest GCM plaintext for a 96-bit IV: 2^32 - 2 blocks.
#define GCM_MAX_LEN ((((uint64_t)1) << 36) - 32)

/// Blocks per GHASH reduction and per AES pass.
#define GCM_LANES 8

/// The high lane of the reducing constant x^-1 (reflected): bits 127, 126 and 121.
#define GF_POLY_HI 0xc200000000000000ULL

/// A block as a reflected 128-bit integer: lane 0 = bits 0..63.
typedef uint64x2_t gf128;

/// Reverses the 16 bytes of a block: memory order <-> reflected integer.
ARMV8_INLINE gf128 reflect(uint8x16_t x) {
    const uint8x16_t r = vrev64q_u8(x);
    return vreinterpretq_u64_u8(vextq_u8(r, r, 8));
}

ARMV8_INLINE uint8x16_t unreflect(gf128 x) {
    const uint8x16_t r = vrev64q_u8(vreinterpretq_u8_u64(x));
    return vextq_u8(r, r, 8);
}

ARMV8_INLINE gf128 swap_lanes(gf128 x) { return vextq_u64(x, x, 1); }

/// a * b, 64 x 64 -> 128 bits, carry-less (PMULL).
ARMV8_INLINE gf128 pmull(uint64_t a, uint64_t b) {
    return vreinterpretq_u64_p128(vmull_p64((poly64_t)a, (poly64_t)b));
}

/// a.lane1 * b.lane1 (PMULL2).
ARMV8_INLINE gf128 pmull_high(gf128 a, gf128 b) {
    return vreinterpretq_u64_p128(vmull_high_p64(vreinterpretq_p64_u64(a), vreinterpretq_p64_u64(b)));
}

/// Reduces the reflected 256-bit product HI:MI:LO (MI at bit 64) to 128 bits.
ARMV8_INLINE gf128 gf_reduce(gf128 lo, gf128 mi, gf128 hi) {
    gf128 t = pmull(vgetq_lane_u64(lo, 0), GF_POLY_HI);          // LO[63:0] * (t^63+t^62+t^57)
    mi = veorq_u64(mi, veorq_u64(swap_lanes(lo), t));             // fold LO into MI
    t = pmull(vgetq_lane_u64(mi, 0), GF_POLY_HI);                 // MI[63:0] * (t^63+t^62+t^57)
    return veorq_u64(hi, veorq_u64(swap_lanes(mi), t));           // fold MI into HI
}

/// a * b (reflected, one carrying x^-1): the schoolbook 4-multiply form, for key setup.
ARMV8_INLINE gf128 gf_mul(gf128 a, gf128 b) {
    const gf128 lo = pmull(vgetq_lane_u64(a, 0), vgetq_lane_u64(b, 0));
    const gf128 hi = pmull_high(a, b);
    const gf128 mi = veorq_u64(pmull(vgetq_lane_u64(a, 1), vgetq_lane_u64(b, 0)),
                               pmull(vgetq_lane_u64(a, 0), vgetq_lane_u64(b, 1)));
    return gf_reduce(lo, mi, hi);
}

/// GHASH of n reflected blocks into y with one reduction (n <= 8):
/// y' = (y + b[0])*H^n + b[1]*H^(n-1) + ... + b[n-1]*H.
ARMV8_INLINE gf128 ghash_blocks(const perc_gcm_key *key, gf128 y, const gf128 *b, size_t n) {
    const uint8_t(*pow)[16] = &key->h_powers[PERC_GHASH_POWERS - n];
    const uint8_t(*fold)[16] = &key->h_folds[PERC_GHASH_POWERS - n];
    gf128 lo = vdupq_n_u64(0), mi = lo, hi = lo;
    PERC_UNROLL
    for (size_t i = 0; i < n; i++) {
        const gf128 x = i == 0 ? veorq_u64(b[0], y) : b[i];
        const gf128 h = vld1q_u64((const uint64_t *)pow[i]);
        lo = veorq_u64(lo, pmull(vgetq_lane_u64(x, 0), vgetq_lane_u64(h, 0)));           // LO += x0*h0
        hi = veorq_u64(hi, pmull_high(x, h));                                              // HI += x1*h1
        const gf128 xf = veorq_u64(x, swap_lanes(x));                                      // x0+x1
        const uint64_t hf = vget_lane_u64(vld1_u64((const uint64_t *)fold[i]), 0);         // h0+h1
        mi = veorq_u64(mi, pmull(vgetq_lane_u64(xf, 0), hf));                              // MI += (x0+x1)(h0+h1)
    }
    mi = veorq_u64(mi, veorq_u64(lo, hi));   // Karatsuba: MI -= LO + HI (once per n)
    return gf_reduce(lo, mi, hi);
}

/// GHASH over `len` bytes in memory, the last block zero-padded; whole chunks of 8 blocks
/// take the unrolled path.
ARMV8 static gf128 ghash_bytes(const perc_gcm_key *key, gf128 y, const uint8_t *p, size_t len) {
    gf128 b[GCM_LANES];
    for (; len >= 16 * GCM_LANES; len -= 16 * GCM_LANES, p += 16 * GCM_LANES) {
        PERC_UNROLL
        for (int i = 0; i < GCM_LANES; i++) {
            b[i] = reflect(vld1q_u8(p + 16 * i));
        }
        y = ghash_blocks(key, y, b, GCM_LANES);
    }
    if (len == 0) {
        return y;
    }
    const size_t full = len / 16, rem = len % 16;
    for (size_t i = 0; i < full; i++) {
        b[i] = reflect(vld1q_u8(p + 16 * i));
    }
    size_t n = full;
    if (rem > 0) {
        uint8_t last[16] = {0};
        memcpy(last, p + 16 * full, rem);
        b[n++] = reflect(vld1q_u8(last));
        perc_secure_zero(last, sizeof(last));
    }
    return ghash_blocks(key, y, b, n);   // n <= 8; the variable-count loop is fine for a tail
}

/// GHASH over the zero-padded AAD `a1 || a2` (the two parts are one string).
ARMV8 static gf128 ghash_aad(const perc_gcm_key *key, const uint8_t *a1, size_t l1, const uint8_t *a2, size_t l2) {
    const size_t head = l1 - l1 % 16;
    gf128 y = ghash_bytes(key, vdupq_n_u64(0), a1, head);
    const size_t r = l1 - head;
    if (r > 0) {
        uint8_t block[16] = {0};
        memcpy(block, a1 + head, r);
        const size_t take = l2 < 16 - r ? l2 : 16 - r;   // complete the block from the second part
        if (take > 0) {
            memcpy(block + r, a2, take);
            a2 += take;
            l2 -= take;
        }
        const gf128 b = reflect(vld1q_u8(block));
        y = ghash_blocks(key, y, &b, 1);
    }
    return ghash_bytes(key, y, a2, l2);
}

/// The length block: bit lengths of AAD and text, big-endian; reflected they are the lanes.
ARMV8_INLINE gf128 ghash_lengths(const perc_gcm_key *key, gf128 y, size_t aad_len, size_t len) {
    const gf128 lens = vcombine_u64(vcreate_u64((uint64_t)len * 8), vcreate_u64((uint64_t)aad_len * 8));
    return ghash_blocks(key, y, &lens, 1);
}

/// The counter block J0 with its last word replaced by BE32(ctr).
ARMV8_INLINE uint8x16_t counter_block(uint32x4_t j0, uint32_t ctr) {
    return vreinterpretq_u8_u32(vsetq_lane_u32(__builtin_bswap32(ctr), j0, 3));
}

/// XORs the keystream of counters ctr, ctr+1, ... (inc32) onto len bytes, 8 blocks a pass;
/// the last partial block goes through a 16-byte buffer. in may equal out.
ARMV8 static void ctr32_xor(const perc_gcm_key *key, uint32x4_t j0, uint32_t ctr, const uint8_t *in, uint8_t *out,
                            size_t len) {
    uint8x16_t ks[GCM_LANES];
    for (; len >= 16 * GCM_LANES; len -= 16 * GCM_LANES, in += 16 * GCM_LANES, out += 16 * GCM_LANES) {
        PERC_UNROLL
        for (int i = 0; i < GCM_LANES; i++) {
            ks[i] = counter_block(j0, ctr + (uint32_t)i);
        }
        ctr += GCM_LANES;
        aes_encrypt_lanes(key->round_keys, key->rounds, ks, GCM_LANES);
        PERC_UNROLL
        for (int i = 0; i < GCM_LANES; i++) {
            vst1q_u8(out + 16 * i, veorq_u8(vld1q_u8(in + 16 * i), ks[i]));
        }
    }
    if (len > 0) {
        PERC_UNROLL
        for (int i = 0; i < GCM_LANES; i++) {
            ks[i] = counter_block(j0, ctr + (uint32_t)i);
        }
        if (len <= 64) {   // a constant lane count keeps the lanes in registers
            aes_encrypt_lanes(key->round_keys, key->rounds, ks, 4);
        } else {
            aes_encrypt_lanes(key->round_keys, key->rounds, ks, GCM_LANES);
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
    for (int i = 0; i < GCM_LANES; i++) {
        ks[i] = vdupq_n_u8(0);
    }
}

/// J0 = IV || 0x00000001 as four words.
ARMV8_INLINE uint32x4_t make_j0(const uint8_t iv[12]) {
    uint8_t j0[16];
    memcpy(j0, iv, 12);
    j0[12] = 0, j0[13] = 0, j0[14] = 0, j0[15] = 1;
    return vreinterpretq_u32_u8(vld1q_u8(j0));
}

/// The tag: GHASH (reflected) back to bytes, masked with E(K, J0).
ARMV8_INLINE uint8x16_t finish_tag(const perc_gcm_key *key, uint32x4_t j0, gf128 y) {
    const uint8x16_t mask = aes_encrypt_block(key->round_keys, key->rounds, vreinterpretq_u8_u32(j0));
    return veorq_u8(unreflect(y), mask);
}

/// The tag from GHASH state y (before the length block) and the mask E(K, J0).
ARMV8_INLINE uint8x16_t masked_tag(const perc_gcm_key *key, gf128 y, size_t aad_len, size_t len, uint8x16_t mask) {
    return veorq_u8(unreflect(ghash_lengths(key, y, aad_len, len)), mask);
}

/// 1 when the computed tag equals the 16 bytes at `tag`, in constant time (EOR of the two
/// tags, OR of the lanes, the sign bit of (v | -v)); the result is public.
ARMV8_INLINE int tags_equal(uint8x16_t computed, const uint8_t *tag) {
    const uint64x2_t diff = vreinterpretq_u64_u8(veorq_u8(computed, vld1q_u8(tag)));
    const uint64_t v = vgetq_lane_u64(diff, 0) | vgetq_lane_u64(diff, 1);
    return (int)(1 & ~((v | (0 - v)) >> 63));
}

/// The counter blocks J0 with counters ctr, ctr+1, ..., ctr+n-1 (inc32).
ARMV8_INLINE void counter_blocks(uint32x4_t j0, uint32_t ctr, uint8x16_t *s, int n) {
    PERC_UNROLL
    for (int i = 0; i < n; i++) {
        s[i] = counter_block(j0, ctr + (uint32_t)i);
    }
}

/// Up to KS_MAX keystream blocks in one run.
#define KS_MAX 12

/// The keystream blocks of counters ctr .. ctr+n-1 (n <= KS_MAX) for key a, and when kb is
/// not NULL the same counters for key b, the two chains' rounds interleaved. The lane counts
/// are constants (4, 8, then 4 more) so the states stay in registers.
ARMV8 static void keystreams(const perc_gcm_key *ka, uint32x4_t ja, uint8x16_t ksa[KS_MAX], const perc_gcm_key *kb,
                             uint32x4_t jb, uint8x16_t ksb[KS_MAX], uint32_t ctr, size_t n) {
    counter_blocks(ja, ctr, ksa, KS_MAX);
    if (kb == NULL) {
        if (n <= 4) {
            aes_encrypt_lanes(ka->round_keys, ka->rounds, ksa, 4);
        } else {
            aes_encrypt_lanes(ka->round_keys, ka->rounds, ksa, 8);
        }
        if (n > 8) {
            aes_encrypt_lanes(ka->round_keys, ka->rounds, ksa + 8, 4);
        }
        return;
    }
    counter_blocks(jb, ctr, ksb, KS_MAX);
    if (n <= 4) {
        aes_encrypt_lanes2(ka->round_keys, ka->rounds, ksa, kb->round_keys, kb->rounds, ksb, 4);
    } else {
        aes_encrypt_lanes2(ka->round_keys, ka->rounds, ksa, kb->round_keys, kb->rounds, ksb, 8);
    }
    if (n > 8) {
        aes_encrypt_lanes2(ka->round_keys, ka->rounds, ksa + 8, kb->round_keys, kb->rounds, ksb + 8, 4);
    }
}

/// XORs ks[0], ks[1], ... onto `len` bytes (in may equal out); the last partial block goes
/// through a 16-byte buffer.
ARMV8 static void xor_keystream(const uint8x16_t *ks, const uint8_t *in, uint8_t *out, size_t len) {
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

// MARK: - Single packets

/// Longest packet of the short path: J0 and the data blocks in one keystream run.
#define SHORT_MAX_LEN (16 * (KS_MAX - 1))

/// Seals (open = 0) or opens a packet of len <= SHORT_MAX_LEN with its keystream computed
/// beforehand: ks[0] = E(K, J0), ks[1 + j] the keystream of data block j. Open hashes the
/// ciphertext, checks the tag and only then writes the plaintext (or zeroes `out` when
/// out != in); seal writes `tag`, open reads it.
ARMV8 static int gcm_short(const perc_gcm_key *key, const uint8x16_t *ks, const uint8_t *a1, size_t l1,
                           const uint8_t *a2, size_t l2, const uint8_t *in, uint8_t *out, size_t len, uint8_t *tag,
                           int open) {
    gf128 y = ghash_aad(key, a1, l1, a2, l2);
    if (!open) {
        xor_keystream(ks + 1, in, out, len);
        y = ghash_bytes(key, y, out, len);
        vst1q_u8(tag, masked_tag(key, y, l1 + l2, len, ks[0]));
        return 1;
    }
    y = ghash_bytes(key, y, in, len);
    const int ok = tags_equal(masked_tag(key, y, l1 + l2, len, ks[0]), tag);
    if (ok) {
        xor_keystream(ks + 1, in, out, len);
    } else if (out != in && len > 0) {
        perc_secure_zero(out, len);
    }
    return ok;
}

/// Blocks of the short-path keystream for len bytes: J0 and the data blocks.
ARMV8_INLINE size_t short_blocks(size_t len) { return 1 + (len + 15) / 16; }

ARMV8 static int armv8_gcm_seal(perc_gcm_key *key, const uint8_t iv[12], const uint8_t *aad, size_t aad_len,
                                const uint8_t *aad2, size_t aad2_len, const uint8_t *in, uint8_t *out, size_t len,
                                uint8_t tag[16]) {
    if ((uint64_t)len > GCM_MAX_LEN) {
        return 0;
    }
    const uint32x4_t j0 = make_j0(iv);
    if (len <= SHORT_MAX_LEN) {
        uint8x16_t ks[KS_MAX];
        keystreams(key, j0, ks, NULL, j0, NULL, 1, short_blocks(len));
        gcm_short(key, ks, aad, aad_len, aad2, aad2_len, in, out, len, tag, 0);
        perc_secure_zero(ks, sizeof(ks));
        return 1;
    }
    gf128 y = ghash_aad(key, aad, aad_len, aad2, aad2_len);
    uint32_t ctr = 2;
    size_t done = 0;
    for (; len - done >= 16 * GCM_LANES; done += 16 * GCM_LANES, ctr += GCM_LANES) {
        ctr32_xor(key, j0, ctr, in + done, out + done, 16 * GCM_LANES);
        y = ghash_bytes(key, y, out + done, 16 * GCM_LANES);   // the ciphertext just written
    }
    if (done < len) {
        ctr32_xor(key, j0, ctr, in + done, out + done, len - done);
        y = ghash_bytes(key, y, out + done, len - done);
    }
    y = ghash_lengths(key, y, aad_len + aad2_len, len);
    vst1q_u8(tag, finish_tag(key, j0, y));
    return 1;
}

ARMV8 static int armv8_gcm_open(perc_gcm_key *key, const uint8_t iv[12], const uint8_t *aad, size_t aad_len,
                                const uint8_t *aad2, size_t aad2_len, const uint8_t *in, uint8_t *out, size_t len,
                                const uint8_t tag[16]) {
    if ((uint64_t)len > GCM_MAX_LEN) {
        return 0;   // as the x86 paths: nothing was written
    }
    const uint32x4_t j0 = make_j0(iv);
    if (len <= SHORT_MAX_LEN) {
        uint8x16_t ks[KS_MAX];
        keystreams(key, j0, ks, NULL, j0, NULL, 1, short_blocks(len));
        const int ok = gcm_short(key, ks, aad, aad_len, aad2, aad2_len, in, out, len, (uint8_t *)tag, 1);
        perc_secure_zero(ks, sizeof(ks));
        return ok;
    }
    gf128 y = ghash_aad(key, aad, aad_len, aad2, aad2_len);
    y = ghash_bytes(key, y, in, len);   // the ciphertext, before any output
    y = ghash_lengths(key, y, aad_len + aad2_len, len);
    const int ok = tags_equal(finish_tag(key, j0, y), tag);
    if (ok) {
        ctr32_xor(key, j0, 2, in, out, len);
    } else if (out != in) {
        perc_secure_zero(out, len);
    }
    return ok;
}

/// E(K, J0 + 1 + block): the keystream block of data block `block` (perc_gcm_ctr_peek).
ARMV8 void perc_armv8_gcm_keystream_block(const perc_gcm_key *key, const uint8_t iv[12], uint32_t block,
                                          uint8_t ks[16]) {
    const uint8x16_t b = counter_block(make_j0(iv), block + 2);
    vst1q_u8(ks, aes_encrypt_block(key->round_keys, key->rounds, b));
}

// MARK: - Batches

/// Seals or opens the jobs two at a time: when both of a pair are short, the two keystreams
/// (J0 and the data blocks of each) run as one interleaved AES pass, then each job takes the
/// short path's GHASH and tag step; other jobs run alone.
ARMV8 static void gcm_batch(perc_gcm_job *jobs, size_t count, int open) {
    size_t i = 0;
    while (i < count) {
        perc_gcm_job *a = &jobs[i], *b = i + 1 < count ? &jobs[i + 1] : NULL;
        if (b == NULL || a->len > SHORT_MAX_LEN || b->len > SHORT_MAX_LEN) {
            a->result = open ? armv8_gcm_open(a->key, a->iv, a->aad, a->aad_len, a->aad2, a->aad2_len, a->in, a->out,
                                              a->len, a->tag)
                             : armv8_gcm_seal(a->key, a->iv, a->aad, a->aad_len, a->aad2, a->aad2_len, a->in, a->out,
                                              a->len, a->tag);
            i++;
            continue;
        }
        uint8x16_t ksa[KS_MAX], ksb[KS_MAX];
        const size_t longest = a->len > b->len ? a->len : b->len;
        keystreams(a->key, make_j0(a->iv), ksa, b->key, make_j0(b->iv), ksb, 1, short_blocks(longest));
        a->result = gcm_short(a->key, ksa, a->aad, a->aad_len, a->aad2, a->aad2_len, a->in, a->out, a->len, a->tag,
                              open);
        b->result = gcm_short(b->key, ksb, b->aad, b->aad_len, b->aad2, b->aad2_len, b->in, b->out, b->len, b->tag,
                              open);
        perc_secure_zero(ksa, sizeof(ksa));
        perc_secure_zero(ksb, sizeof(ksb));
        i += 2;
    }
}

ARMV8 static void armv8_gcm_seal_batch(perc_gcm_job *jobs, size_t count) { gcm_batch(jobs, count, 0); }

ARMV8 static void armv8_gcm_open_batch(perc_gcm_job *jobs, size_t count) { gcm_batch(jobs, count, 1); }

// MARK: - Fused double transform (RFC 8723)

/// Bytes of the double transform's tail buffer: < 128 payload bytes, the inner tag and up to
/// 16 bytes of OHB, rounded up to whole keystream blocks.
#define TAIL_BUF (16 * KS_MAX)

ARMV8 static int armv8_double_seal(perc_gcm_key *ki, const uint8_t iv_i[12], const uint8_t *aad_i, size_t la_i,
                                   perc_gcm_key *ko, const uint8_t iv_o[12], const uint8_t *aad_o, size_t la_o,
                                   const uint8_t *in, uint8_t *out, size_t len, const uint8_t *ohb, size_t ohb_len,
                                   uint8_t tag_o[16]) {
    const size_t olen = len + 16 + ohb_len;
    if ((uint64_t)olen > GCM_MAX_LEN || ohb_len > PERC_DOUBLE_MAX_OHB) {
        return 0;
    }
    const uint32x4_t ji = make_j0(iv_i), jo = make_j0(iv_o);
    uint8x16_t mask_i = vreinterpretq_u8_u32(ji), mask_o = vreinterpretq_u8_u32(jo);
    aes_encrypt_lanes2(ki->round_keys, ki->rounds, &mask_i, ko->round_keys, ko->rounds, &mask_o, 1);
    gf128 yi = ghash_aad(ki, aad_i, la_i, NULL, 0), yo = ghash_aad(ko, aad_o, la_o, NULL, 0);
    // The bulk: per 128-byte chunk both keystreams in one interleaved AES pass, one load, the
    // inner ciphertext c1 = p ^ ksi and the outer c2 = c1 ^ kso, one store, both GHASH chains.
    uint8x16_t ksi[GCM_LANES], kso[GCM_LANES];
    gf128 xi[GCM_LANES], xo[GCM_LANES];
    uint32_t ctr = 2;
    size_t done = 0;
    for (; len - done >= 16 * GCM_LANES; done += 16 * GCM_LANES, ctr += GCM_LANES) {
        counter_blocks(ji, ctr, ksi, GCM_LANES);
        counter_blocks(jo, ctr, kso, GCM_LANES);
        aes_encrypt_lanes2(ki->round_keys, ki->rounds, ksi, ko->round_keys, ko->rounds, kso, GCM_LANES);
        PERC_UNROLL
        for (int i = 0; i < GCM_LANES; i++) {
            const uint8x16_t inner_ct = veorq_u8(vld1q_u8(in + done + 16 * i), ksi[i]);
            const uint8x16_t outer_ct = veorq_u8(inner_ct, kso[i]);
            vst1q_u8(out + done + 16 * i, outer_ct);
            xi[i] = reflect(inner_ct);
            xo[i] = reflect(outer_ct);
        }
        yi = ghash_blocks(ki, yi, xi, GCM_LANES);
        yo = ghash_blocks(ko, yo, xo, GCM_LANES);
    }
    // The tail through one buffer: the last payload bytes sealed by the inner layer, the inner
    // tag and the OHB appended, all of it sealed by the outer layer. Both tail keystreams run
    // as one interleaved pass (the outer tail is the longer: rem + 16 + ohb_len <= 159 bytes).
    uint8_t buf[TAIL_BUF];
    uint8x16_t ti[KS_MAX], to[KS_MAX];
    const size_t rem = len - done, tl = rem + 16 + ohb_len;
    keystreams(ki, ji, ti, ko, jo, to, ctr, (tl + 15) / 16);
    memcpy(buf, in + done, rem);
    xor_keystream(ti, buf, buf, rem);
    yi = ghash_bytes(ki, yi, buf, rem);
    vst1q_u8(buf + rem, masked_tag(ki, yi, la_i, len, mask_i));
    if (ohb_len > 0) {
        memcpy(buf + rem + 16, ohb, ohb_len);
    }
    xor_keystream(to, buf, buf, tl);
    yo = ghash_bytes(ko, yo, buf, tl);
    memcpy(out + done, buf, tl);
    vst1q_u8(tag_o, masked_tag(ko, yo, la_o, olen, mask_o));
    perc_secure_zero(buf, sizeof(buf));
    perc_secure_zero(ti, sizeof(ti));
    perc_secure_zero(to, sizeof(to));
    perc_secure_zero(ksi, sizeof(ksi));
    perc_secure_zero(kso, sizeof(kso));
    return 1;
}

ARMV8 static int armv8_double_open(perc_gcm_key *ki, const uint8_t iv_i[12], const uint8_t *aad_i, size_t la_i,
                                   perc_gcm_key *ko, const uint8_t iv_o[12], const uint8_t *aad_o, size_t la_o,
                                   const uint8_t *in, uint8_t *out, size_t len, size_t ohb_len,
                                   const uint8_t outer_tag[16]) {
    if ((uint64_t)len > GCM_MAX_LEN || ohb_len > PERC_DOUBLE_MAX_OHB || len < 16 + ohb_len) {
        if (out != in) {
            perc_secure_zero(out, len);
        }
        return 0;
    }
    uint8_t tag_o[16];
    memcpy(tag_o, outer_tag, 16);   // the tag may lie in `out`, right after the ciphertext
    const size_t n = len - 16 - ohb_len;
    const uint32x4_t ji = make_j0(iv_i), jo = make_j0(iv_o);
    uint8x16_t mask_i = vreinterpretq_u8_u32(ji), mask_o = vreinterpretq_u8_u32(jo);
    aes_encrypt_lanes2(ki->round_keys, ki->rounds, &mask_i, ko->round_keys, ko->rounds, &mask_o, 1);
    gf128 yi = ghash_aad(ki, aad_i, la_i, NULL, 0), yo = ghash_aad(ko, aad_o, la_o, NULL, 0);
    // Pass 1: the outer keystream only. Each chunk of outer ciphertext c2 is hashed (outer
    // GHASH), decrypted to the inner ciphertext c1 = c2 ^ kso, which is stored and hashed
    // (inner GHASH). No inner plaintext exists yet.
    uint8x16_t kso[GCM_LANES];
    gf128 xi[GCM_LANES], xo[GCM_LANES];
    uint32_t ctr = 2;
    size_t done = 0;
    for (; n - done >= 16 * GCM_LANES; done += 16 * GCM_LANES, ctr += GCM_LANES) {
        counter_blocks(jo, ctr, kso, GCM_LANES);
        aes_encrypt_lanes(ko->round_keys, ko->rounds, kso, GCM_LANES);
        PERC_UNROLL
        for (int i = 0; i < GCM_LANES; i++) {
            const uint8x16_t outer_ct = vld1q_u8(in + done + 16 * i);
            const uint8x16_t inner_ct = veorq_u8(outer_ct, kso[i]);
            vst1q_u8(out + done + 16 * i, inner_ct);
            xo[i] = reflect(outer_ct);
            xi[i] = reflect(inner_ct);
        }
        yo = ghash_blocks(ko, yo, xo, GCM_LANES);
        yi = ghash_blocks(ki, yi, xi, GCM_LANES);
    }
    // The tail (last payload bytes, inner tag, OHB) through one buffer, the same way.
    uint8_t buf[TAIL_BUF];
    uint8x16_t to[KS_MAX];
    const size_t rem = n - done, tl = len - done;
    memcpy(buf, in + done, tl);
    yo = ghash_bytes(ko, yo, buf, tl);
    keystreams(ko, jo, to, NULL, jo, NULL, ctr, (tl + 15) / 16);
    xor_keystream(to, buf, buf, tl);
    yi = ghash_bytes(ki, yi, buf, rem);
    memcpy(out + done, buf, tl);
    // Both tags, no early exit; the branch below depends only on the (public) result.
    const int ok_o = tags_equal(masked_tag(ko, yo, la_o, len, mask_o), tag_o);
    const int ok_i = tags_equal(masked_tag(ki, yi, la_i, n, mask_i), buf + rem);
    perc_secure_zero(buf, sizeof(buf));
    perc_secure_zero(to, sizeof(to));
    perc_secure_zero(kso, sizeof(kso));
    if (ok_o & ok_i) {
        // Pass 2, only now: the inner keystream turns c1 into the plaintext.
        ctr32_xor(ki, ji, 2, out, out, n);
        return 1;
    }
    if (out == in) {
        ctr32_xor(ko, jo, 2, out, out, len);   // c1 || inner tag || OHB back to the outer ciphertext
    } else {
        perc_secure_zero(out, len);
    }
    return ok_o ? -1 : 0;
}

// MARK: - Fan-out

/// Seals fan-out jobs a and (when pair) b over one shared plaintext: per 128-byte chunk one
/// load of `shared`, both keystreams in one interleaved AES pass, both GHASH chains; each
/// job's tail (the rest of shared and its own tail bytes) through a buffer.
ARMV8_INLINE void fanout_run(const uint8_t *shared, size_t sl, perc_gcm_fanout_job *a, perc_gcm_fanout_job *b,
                             const int pair) {
    perc_gcm_fanout_job *jobs[2] = {a, b};
    const perc_gcm_key *ka = a->key, *kb = pair ? b->key : NULL;
    const uint32x4_t ja = make_j0(a->iv), jb = pair ? make_j0(b->iv) : ja;
    uint8x16_t mask[2] = {vreinterpretq_u8_u32(ja), vreinterpretq_u8_u32(jb)};
    gf128 y[2];
    if (pair) {
        aes_encrypt_lanes2(ka->round_keys, ka->rounds, &mask[0], kb->round_keys, kb->rounds, &mask[1], 1);
        y[1] = ghash_aad(kb, b->aad, b->aad_len, NULL, 0);
    } else {
        mask[0] = aes_encrypt_block(ka->round_keys, ka->rounds, mask[0]);
    }
    y[0] = ghash_aad(ka, a->aad, a->aad_len, NULL, 0);
    uint8x16_t ks[2][GCM_LANES];
    gf128 x[2][GCM_LANES];
    uint32_t ctr = 2;
    size_t done = 0;
    for (; sl - done >= 16 * GCM_LANES; done += 16 * GCM_LANES, ctr += GCM_LANES) {
        counter_blocks(ja, ctr, ks[0], GCM_LANES);
        if (pair) {
            counter_blocks(jb, ctr, ks[1], GCM_LANES);
            aes_encrypt_lanes2(ka->round_keys, ka->rounds, ks[0], kb->round_keys, kb->rounds, ks[1], GCM_LANES);
        } else {
            aes_encrypt_lanes(ka->round_keys, ka->rounds, ks[0], GCM_LANES);
        }
        PERC_UNROLL
        for (int i = 0; i < GCM_LANES; i++) {
            const uint8x16_t p = vld1q_u8(shared + done + 16 * i);
            const uint8x16_t ca = veorq_u8(p, ks[0][i]);
            vst1q_u8(a->out + done + 16 * i, ca);
            x[0][i] = reflect(ca);
            if (pair) {
                const uint8x16_t cb = veorq_u8(p, ks[1][i]);
                vst1q_u8(b->out + done + 16 * i, cb);
                x[1][i] = reflect(cb);
            }
        }
        y[0] = ghash_blocks(ka, y[0], x[0], GCM_LANES);
        if (pair) {
            y[1] = ghash_blocks(kb, y[1], x[1], GCM_LANES);
        }
    }
    const size_t rem = sl - done;
    const size_t longest = rem + (pair && b->tail_len > a->tail_len ? b->tail_len : a->tail_len);
    uint8x16_t tks[2][KS_MAX];
    keystreams(ka, ja, tks[0], kb, jb, tks[1], ctr, (longest + 15) / 16);
    uint8_t buf[TAIL_BUF];
    for (int j = 0; j < 1 + pair; j++) {
        perc_gcm_fanout_job *job = jobs[j];
        const size_t tl = rem + job->tail_len;
        memcpy(buf, shared + done, rem);
        if (job->tail_len > 0) {
            memcpy(buf + rem, job->tail, job->tail_len);
        }
        xor_keystream(tks[j], buf, buf, tl);
        y[j] = ghash_bytes(job->key, y[j], buf, tl);
        memcpy(job->out + done, buf, tl);
        vst1q_u8(job->tag, masked_tag(job->key, y[j], job->aad_len, sl + job->tail_len, mask[j]));
        job->result = 1;
    }
    perc_secure_zero(buf, sizeof(buf));
    perc_secure_zero(tks, sizeof(tks));
    perc_secure_zero(ks, sizeof(ks));
}

ARMV8 static void armv8_fanout_pair(const uint8_t *shared, size_t sl, perc_gcm_fanout_job *a, perc_gcm_fanout_job *b) {
    const int too_long = (uint64_t)sl > GCM_MAX_LEN - PERC_DOUBLE_MAX_OHB;
    if (too_long || a->tail_len > PERC_DOUBLE_MAX_OHB || (b != NULL && b->tail_len > PERC_DOUBLE_MAX_OHB)) {
        a->result = 0;
        if (b != NULL) {
            b->result = 0;
        }
        return;
    }
    if (b != NULL) {
        fanout_run(shared, sl, a, b, 1);
    } else {
        fanout_run(shared, sl, a, NULL, 0);
    }
}

// MARK: - Key setup

/// Fills round_keys, h_powers and h_folds.
ARMV8 static int armv8_gcm_tables(perc_gcm_key *key, const uint8_t *raw, size_t len) {
    const int rounds = perc_aes_expand_armv8(raw, len, key->round_keys);
    if (rounds == 0) {
        return 0;
    }
    key->rounds = rounds;
    // H = AES_K(0^128), reflected.
    const gf128 h = reflect(aes_encrypt_block(key->round_keys, rounds, vdupq_n_u8(0)));
    // H' = H*x^-1: shift the reflected value left by one; if bit 127 (x^0) fell out, add
    // x^-1. The mask is 0 - carry, not a branch.
    const uint64_t lo = vgetq_lane_u64(h, 0), hi = vgetq_lane_u64(h, 1);
    const uint64_t mask = 0 - (hi >> 63);
    const gf128 h1 = vcombine_u64(vcreate_u64((lo << 1) ^ (mask & 1)),
                                  vcreate_u64(((hi << 1) | (lo >> 63)) ^ (mask & GF_POLY_HI)));
    // K_1 = H', K_(k+1) = K_k * H' (each product drops one of the two x^-1).
    gf128 k = h1;
    for (int i = 1; i <= PERC_GHASH_POWERS; i++) {
        vst1q_u64((uint64_t *)key->h_powers[PERC_GHASH_POWERS - i], k);
        vst1q_u64((uint64_t *)key->h_folds[PERC_GHASH_POWERS - i], veorq_u64(k, swap_lanes(k)));
        k = gf_mul(k, h1);
    }
    memset(key->h_powers[PERC_GHASH_POWERS], 0, 16);
    memset(key->h_folds[PERC_GHASH_POWERS], 0, 16);
    return 1;
}

int perc_armv8_gcm_init(perc_gcm_key *key, const uint8_t *raw, size_t len) {
    if (!armv8_gcm_tables(key, raw, len)) {
        return 0;
    }
    key->seal = armv8_gcm_seal;
    key->open = armv8_gcm_open;
    key->seal_batch = armv8_gcm_seal_batch;
    key->open_batch = armv8_gcm_open_batch;
    key->double_seal = armv8_double_seal;
    key->double_open = armv8_double_open;
    key->fanout_pair = armv8_fanout_pair;
    return 1;
}

#endif
