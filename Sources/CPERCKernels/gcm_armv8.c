// SPDX-License-Identifier: Apache-2.0
// Copyright 2026 the swift-perc authors
//
// AES-GCM (96-bit IV, 128-bit tag) on the ARMv8 Crypto Extensions: AESE/AESMC for the
// keystream, PMULL/PMULL2 (64x64 -> 128-bit carry-less multiply) for GHASH.
//
// CPU features: AES + PMULL (checked by perc_cpu_has_armv8 from getauxval(AT_HWCAP)); the
// functions carry __attribute__((target("+crypto"))), so the package needs no global -march
// flag. ABI: plain C, AAPCS64, little-endian. Symbol: perc_armv8_gcm_init; seal/open are
// static and stored in the key. Key sizes 128 and 256 (dispatch.c rejects the others).
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

ARMV8 static int armv8_gcm_seal(perc_gcm_key *key, const uint8_t iv[12], const uint8_t *aad, size_t aad_len,
                                const uint8_t *aad2, size_t aad2_len, const uint8_t *in, uint8_t *out, size_t len,
                                uint8_t tag[16]) {
    if ((uint64_t)len > GCM_MAX_LEN) {
        return 0;
    }
    const uint32x4_t j0 = make_j0(iv);
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
    gf128 y = ghash_aad(key, aad, aad_len, aad2, aad2_len);
    y = ghash_bytes(key, y, in, len);   // the ciphertext, before any output
    y = ghash_lengths(key, y, aad_len + aad2_len, len);
    const uint64x2_t diff = vreinterpretq_u64_u8(veorq_u8(finish_tag(key, j0, y), vld1q_u8(tag)));
    const uint64_t v = vgetq_lane_u64(diff, 0) | vgetq_lane_u64(diff, 1);
    const int ok = (int)(1 & ~((v | (0 - v)) >> 63));   // constant time: 1 iff v == 0
    if (ok) {
        ctr32_xor(key, j0, 2, in, out, len);
    } else if (out != in && len > 0) {
        perc_secure_zero(out, len);
    }
    return ok;
}

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
    key->seal_batch = NULL;   // the batch calls run seal/open per job
    key->open_batch = NULL;
    return 1;
}

#endif
