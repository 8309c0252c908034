// SPDX-License-Identifier: Apache-2.0
// Copyright 2026 the swift-perc authors
//
// SHA-1 compression function (FIPS 180-4, Section 6.1.2) in portable C: the twin of
// sha1_shani.c, with the same signature. Straight-line rounds over a 16-word rolling message
// schedule; no tables and no data-dependent branches (the round function is chosen by the
// round number, which is public).
#include "perc_internal.h"

static inline uint32_t rotl(uint32_t x, int n) { return (x << n) | (x >> (32 - n)); }

static inline uint32_t load_be32(const uint8_t *p) {
    return ((uint32_t)p[0] << 24) | ((uint32_t)p[1] << 16) | ((uint32_t)p[2] << 8) | (uint32_t)p[3];
}

void perc_sha1_compress_portable(uint32_t state[5], const uint8_t *blocks, size_t nblocks) {
    for (; nblocks > 0; nblocks--, blocks += 64) {
        uint32_t w[16];
        for (int t = 0; t < 16; t++) {
            w[t] = load_be32(blocks + 4 * t);
        }
        uint32_t a = state[0], b = state[1], c = state[2], d = state[3], e = state[4];
        for (int t = 0; t < 80; t++) {
            if (t >= 16) {
                w[t & 15] = rotl(w[(t - 3) & 15] ^ w[(t - 8) & 15] ^ w[(t - 14) & 15] ^ w[t & 15], 1);
            }
            uint32_t f, k;
            if (t < 20) {
                f = (b & c) | (~b & d);          // Ch
                k = 0x5a827999;
            } else if (t < 40) {
                f = b ^ c ^ d;                   // Parity
                k = 0x6ed9eba1;
            } else if (t < 60) {
                f = (b & c) | (b & d) | (c & d); // Maj
                k = 0x8f1bbcdc;
            } else {
                f = b ^ c ^ d;
                k = 0xca62c1d6;
            }
            uint32_t temp = rotl(a, 5) + f + e + k + w[t & 15];
            e = d;
            d = c;
            c = rotl(b, 30);
            b = a;
            a = temp;
        }
        state[0] += a;
        state[1] += b;
        state[2] += c;
        state[3] += d;
        state[4] += e;
        perc_secure_zero(w, sizeof(w));
    }
}
