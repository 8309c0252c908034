// SPDX-License-Identifier: Apache-2.0
// Copyright 2026 the swift-perc authors
//
// AES key expansion (FIPS 197, Section 5.2) for the x86_64 paths, all three key sizes.
//
// The only nonlinear step, SubWord, runs on the AES-NI S-box instead of a table: broadcast
// the word to all four columns of a state and run AESENCLAST with a zero round key. That
// instruction computes ShiftRows(SubBytes(state)); with four identical columns ShiftRows is
// the identity, so every column holds SubWord(w). No table, no secret-dependent branch.
// (AESKEYGENASSIST would do the same but takes Rcon as an immediate, which forces one
// unrolled sequence per key size; this loop serves 128, 192 and 256 alike, and key setup is
// not on the per-packet path.)
//
// Words are kept little-endian: byte 0 of the key is the low byte of w[0], so the round
// keys are simply the bytes of w[], RotWord is a right rotation by 8 bits and Rcon is XORed
// into the low byte.
#include "perc_internal.h"

#if defined(__x86_64__)
#include <immintrin.h>
#include <string.h>

__attribute__((target("aes,sse4.1"))) static uint32_t sub_word(uint32_t w) {
    __m128i state = _mm_set1_epi32((int)w);
    state = _mm_aesenclast_si128(state, _mm_setzero_si128());
    return (uint32_t)_mm_cvtsi128_si32(state);
}

int perc_aes_expand_aesni(const uint8_t *raw, size_t len, uint8_t round_keys[15][16]) {
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
