// SPDX-License-Identifier: Apache-2.0
// Copyright 2026 the swift-perc authors
//
// AES key expansion (FIPS 197, Section 5.2) for the aarch64 paths, all three key sizes: the
// twin of aes_aesni.c with the same signature.
//
// CPU features: ARMv8 AES (checked by perc_cpu_has_armv8; the function carries
// __attribute__((target("+crypto"))) so the package needs no global -march flag). ABI: plain
// C, AAPCS64. Symbol: perc_aes_expand_armv8, returns the number of rounds (0 on a bad length).
//
// The only nonlinear step, SubWord, runs on the AES unit instead of a table: broadcast the
// word to all four columns of a state and run AESE with a zero round key, which computes
// SubBytes(ShiftRows(state ^ 0)). With four identical columns ShiftRows is the identity, so
// lane 0 holds SubWord(w). No table, no secret-dependent branch; the branches below depend
// only on the word index, which is public.
//
// Words are kept little-endian, as in aes_aesni.c: byte 0 of the key is the low byte of w[0],
// so the round keys are simply the bytes of w[], RotWord is a right rotation by 8 bits and
// Rcon is XORed into the low byte. Rejected: an unrolled sequence per key size (three copies
// of the same loop for code that runs once per key, not per packet).
#include "perc_internal.h"

#if defined(__aarch64__)
#include "aes_armv8.h"
#include <string.h>

ARMV8 static uint32_t sub_word(uint32_t w) {
    uint8x16_t state = vreinterpretq_u8_u32(vdupq_n_u32(w));
    state = vaeseq_u8(state, vdupq_n_u8(0));
    return vgetq_lane_u32(vreinterpretq_u32_u8(state), 0);
}

int perc_aes_expand_armv8(const uint8_t *raw, size_t len, uint8_t round_keys[15][16]) {
    if (len != 16 && len != 24 && len != 32) {
        return 0;
    }
    static const uint8_t rcon[10] = {0x01, 0x02, 0x04, 0x08, 0x10, 0x20, 0x40, 0x80, 0x1b, 0x36};
    const size_t nk = len / 4;            // key words: 4, 6 or 8
    const int rounds = (int)nk + 6;       // 10, 12 or 14
    const size_t total = 4 * (size_t)(rounds + 1);
    uint32_t w[60];
    memcpy(w, raw, len);
    for (size_t i = nk; i < total; i++) {
        uint32_t t = w[i - 1];
        if (i % nk == 0) {
            t = sub_word((t >> 8) | (t << 24)) ^ rcon[i / nk - 1];
        } else if (nk == 8 && i % nk == 4) {
            t = sub_word(t);
        }
        w[i] = w[i - nk] ^ t;
    }
    memcpy(round_keys, w, total * 4);
    perc_secure_zero(w, sizeof(w));
    return rounds;
}

#endif
