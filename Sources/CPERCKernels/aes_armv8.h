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

/// One block.
ARMV8_INLINE uint8x16_t aes_encrypt_block(const uint8_t (*rk)[16], int rounds, uint8x16_t s) {
    aes_encrypt_lanes(rk, rounds, &s, 1);
    return s;
}

#endif
#endif
