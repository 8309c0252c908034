// SPDX-License-Identifier: Apache-2.0
// Copyright 2026 the swift-perc authors
//
// AES block encryption on the ARMv8 Crypto Extensions, shared by gcm_armv8.c and ctr_armv8.c
// (internal header, aarch64 only).
//
// ARMv8 splits an AES round differently from x86: AESE(s, k) = SubBytes(ShiftRows(s ^ k))
// adds the round key FIRST, and AESMC is MixColumns. So rounds 1..Nr-1 of FIPS 197 become
//     s = AESMC(AESE(s, rk[r-1]))     for r = 1 .. Nr-1
//     s = AESE(s, rk[Nr-1]) ^ rk[Nr]   (the last round has no MixColumns)
// Round keys are the FIPS 197 bytes in order (perc_aes_expand_armv8), the same layout as the
// x86 paths, loaded with LD1 (byte 0 in lane 0). Cores from Cortex-A57 on fuse an AESE with
// the AESMC that consumes it when the two are adjacent, so every helper keeps each pair
// together and interleaves independent blocks pair by pair.
#ifndef PERC_AES_ARMV8_H
#define PERC_AES_ARMV8_H

#if defined(__aarch64__)
#include <arm_neon.h>

#define ARMV8 __attribute__((target("+crypto")))
#define ARMV8_INLINE static inline __attribute__((always_inline, target("+crypto")))
#define PERC_UNROLL _Pragma("GCC unroll 16")   // lane loops: keep every lane in a register

/// Encrypts the `n` blocks in s[] in place (n a compile-time constant at every call site, so
/// the lanes stay in registers); rk holds rounds + 1 round keys.
ARMV8_INLINE void aes_encrypt_lanes(const uint8_t (*rk)[16], int rounds, uint8x16_t *s, int n) {
    for (int r = 0; r < rounds - 1; r++) {
        const uint8x16_t k = vld1q_u8(rk[r]);
        PERC_UNROLL
        for (int i = 0; i < n; i++) {
            s[i] = vaesmcq_u8(vaeseq_u8(s[i], k));
        }
    }
    const uint8x16_t k9 = vld1q_u8(rk[rounds - 1]), k10 = vld1q_u8(rk[rounds]);
    PERC_UNROLL
    for (int i = 0; i < n; i++) {
        s[i] = veorq_u8(vaeseq_u8(s[i], k9), k10);
    }
}

/// Encrypts n blocks under each of two keys (sa[] under ka, sb[] under kb) with the two
/// chains' rounds interleaved pair by pair: 2n independent states in flight (n = 8 fills 16 of
/// the 32 vector registers, leaving room for both round keys). The keys may differ in length;
/// the longer one's extra rounds run after the common ones (the round counts are public).
ARMV8_INLINE void aes_encrypt_lanes2(const uint8_t (*rka)[16], int ra, uint8x16_t *sa, const uint8_t (*rkb)[16],
                                     int rb, uint8x16_t *sb, int n) {
    const int common = (ra < rb ? ra : rb) - 1;
    for (int r = 0; r < common; r++) {
        const uint8x16_t ka = vld1q_u8(rka[r]), kb = vld1q_u8(rkb[r]);
        PERC_UNROLL
        for (int i = 0; i < n; i++) {
            sa[i] = vaesmcq_u8(vaeseq_u8(sa[i], ka));
            sb[i] = vaesmcq_u8(vaeseq_u8(sb[i], kb));
        }
    }
    for (int r = common; r < ra - 1; r++) {
        const uint8x16_t ka = vld1q_u8(rka[r]);
        PERC_UNROLL
        for (int i = 0; i < n; i++) {
            sa[i] = vaesmcq_u8(vaeseq_u8(sa[i], ka));
        }
    }
    for (int r = common; r < rb - 1; r++) {
        const uint8x16_t kb = vld1q_u8(rkb[r]);
        PERC_UNROLL
        for (int i = 0; i < n; i++) {
            sb[i] = vaesmcq_u8(vaeseq_u8(sb[i], kb));
        }
    }
    const uint8x16_t ka9 = vld1q_u8(rka[ra - 1]), ka10 = vld1q_u8(rka[ra]);
    const uint8x16_t kb9 = vld1q_u8(rkb[rb - 1]), kb10 = vld1q_u8(rkb[rb]);
    PERC_UNROLL
    for (int i = 0; i < n; i++) {
        sa[i] = veorq_u8(vaeseq_u8(sa[i], ka9), ka10);
        sb[i] = veorq_u8(vaeseq_u8(sb[i], kb9), kb10);
    }
}

/// One block.
ARMV8_INLINE uint8x16_t aes_encrypt_block(const uint8_t (*rk)[16], int rounds, uint8x16_t s) {
    aes_encrypt_lanes(rk, rounds, &s, 1);
    return s;
}

#endif
#endif
