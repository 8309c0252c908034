// SPDX-License-Identifier: Apache-2.0
// Copyright 2026 the swift-perc authors
//
// The portable reference of reference.h. Every function follows its standard's pseudocode
// literally; the only shortcut is that the AES S-box is computed once from its definition
// (multiplicative inverse in GF(2^8), then the affine map) instead of being typed in.
#include "reference.h"

#include <stdlib.h>
#include <string.h>

// MARK: - AES (FIPS 197)

static uint8_t xtime(uint8_t a) { return (uint8_t)((a << 1) ^ ((a & 0x80) ? 0x1b : 0)); }

static uint8_t gf8_mul(uint8_t a, uint8_t b) {
    uint8_t p = 0;
    for (int i = 0; i < 8; i++) {
        if (b & 1) {
            p ^= a;
        }
        a = xtime(a);
        b >>= 1;
    }
    return p;
}

static uint8_t sbox[256];

static void init_sbox(void) {
    if (sbox[0] == 0x63) {
        return;
    }
    for (int x = 0; x < 256; x++) {
        uint8_t inv = 0;   // x^254 = x^-1 (0 maps to 0)
        if (x != 0) {
            inv = 1;
            for (int i = 0; i < 254; i++) {
                inv = gf8_mul(inv, (uint8_t)x);
            }
        }
        uint8_t s = inv;
        for (int r = 1; r <= 4; r++) {
            s ^= (uint8_t)((inv << r) | (inv >> (8 - r)));
        }
        sbox[x] = s ^ 0x63;
    }
}

int ref_aes_init(ref_aes_key *key, const uint8_t *raw, size_t len) {
    if (len != 16 && len != 24 && len != 32) {
        return 0;
    }
    init_sbox();
    const int nk = (int)len / 4;
    key->rounds = nk + 6;
    uint8_t w[60][4];
    memcpy(w, raw, len);
    uint8_t rcon = 1;
    for (int i = nk; i < 4 * (key->rounds + 1); i++) {
        uint8_t t[4];
        memcpy(t, w[i - 1], 4);
        if (i % nk == 0) {
            const uint8_t t0 = t[0];   // RotWord, SubWord, Rcon
            t[0] = sbox[t[1]] ^ rcon, t[1] = sbox[t[2]], t[2] = sbox[t[3]], t[3] = sbox[t0];
            rcon = xtime(rcon);
        } else if (nk > 6 && i % nk == 4) {
            for (int j = 0; j < 4; j++) {
                t[j] = sbox[t[j]];
            }
        }
        for (int j = 0; j < 4; j++) {
            w[i][j] = w[i - nk][j] ^ t[j];
        }
    }
    memcpy(key->rk, w, 16 * (size_t)(key->rounds + 1));
    return 1;
}

void ref_aes_encrypt(const ref_aes_key *key, const uint8_t in[16], uint8_t out[16]) {
    uint8_t s[16];   // s[r + 4c]: row r, column c
    for (int i = 0; i < 16; i++) {
        s[i] = in[i] ^ key->rk[0][i];
    }
    for (int round = 1; round <= key->rounds; round++) {
        uint8_t t[16];
        for (int c = 0; c < 4; c++) {   // SubBytes and ShiftRows
            for (int r = 0; r < 4; r++) {
                t[r + 4 * c] = sbox[s[r + 4 * ((c + r) % 4)]];
            }
        }
        if (round < key->rounds) {   // MixColumns
            for (int c = 0; c < 4; c++) {
                const uint8_t *a = t + 4 * c;
                uint8_t m[4];
                for (int r = 0; r < 4; r++) {   // {02}a[r] + {03}a[r+1] + a[r+2] + a[r+3]
                    const uint8_t b = a[(r + 1) % 4];
                    m[r] = xtime(a[r]) ^ xtime(b) ^ b ^ a[(r + 2) % 4] ^ a[(r + 3) % 4];
                }
                memcpy(t + 4 * c, m, 4);
            }
        }
        for (int i = 0; i < 16; i++) {
            s[i] = t[i] ^ key->rk[round][i];
        }
    }
    memcpy(out, s, 16);
}

// MARK: - GHASH and GCM (NIST SP 800-38D)

static uint64_t load_be64(const uint8_t *p) {
    uint64_t v = 0;
    for (int i = 0; i < 8; i++) {
        v = (v << 8) | p[i];
    }
    return v;
}

/// X * Y in GF(2^128), Algorithm 1: bit 0 is the MSB of byte 0; R = 11100001 || 0^120. The
/// 128-bit values are held as two big-endian 64-bit halves (h = bits 0..63), so "bit i" is
/// the (63 - i % 64)-th bit of a half and the right shift by one moves h's last bit into l.
static void gf128_mul(const uint8_t x[16], const uint8_t y[16], uint8_t out[16]) {
    const uint64_t xh = load_be64(x), xl = load_be64(x + 8);
    uint64_t zh = 0, zl = 0, vh = load_be64(y), vl = load_be64(y + 8);
    for (int i = 0; i < 128; i++) {
        const uint64_t xi = i < 64 ? (xh >> (63 - i)) & 1 : (xl >> (127 - i)) & 1;
        if (xi) {
            zh ^= vh, zl ^= vl;
        }
        const uint64_t lsb = vl & 1;
        vl = (vl >> 1) | (vh << 63);
        vh >>= 1;
        if (lsb) {
            vh ^= 0xe100000000000000ULL;
        }
    }
    for (int i = 0; i < 8; i++) {
        out[i] = (uint8_t)(zh >> (56 - 8 * i));
        out[8 + i] = (uint8_t)(zl >> (56 - 8 * i));
    }
}

/// Y = (Y + X_i) * H over `len` bytes, the last block zero-padded.
static void ghash_update(uint8_t y[16], const uint8_t h[16], const uint8_t *p, size_t len) {
    for (size_t off = 0; off < len; off += 16) {
        uint8_t block[16] = {0};
        memcpy(block, p + off, len - off < 16 ? len - off : 16);
        for (int j = 0; j < 16; j++) {
            y[j] ^= block[j];
        }
        gf128_mul(y, h, y);
    }
}

void ref_gcm_seal(const uint8_t *raw, size_t key_len, const uint8_t iv[12], const uint8_t *a1, size_t l1,
                  const uint8_t *a2, size_t l2, const uint8_t *in, uint8_t *out, size_t len, uint8_t tag[16]) {
    ref_aes_key key;
    ref_aes_init(&key, raw, key_len);
    uint8_t h[16] = {0}, j0[16], y[16] = {0}, s[16];
    ref_aes_encrypt(&key, h, h);
    memcpy(j0, iv, 12);
    j0[12] = 0, j0[13] = 0, j0[14] = 0, j0[15] = 1;
    // C = GCTR(inc32(J0), P)
    uint8_t cb[16];
    memcpy(cb, j0, 16);
    for (size_t off = 0; off < len; off += 16) {
        uint32_t c = ((uint32_t)cb[12] << 24 | (uint32_t)cb[13] << 16 | (uint32_t)cb[14] << 8 | cb[15]) + 1;
        cb[12] = (uint8_t)(c >> 24), cb[13] = (uint8_t)(c >> 16), cb[14] = (uint8_t)(c >> 8), cb[15] = (uint8_t)c;
        uint8_t ks[16];
        ref_aes_encrypt(&key, cb, ks);
        for (size_t j = 0; j < 16 && off + j < len; j++) {
            out[off + j] = in[off + j] ^ ks[j];
        }
    }
    // S = GHASH(A || 0^v || C || 0^u || [len(A)]64 || [len(C)]64); the AAD is one string.
    uint8_t *aad = malloc(l1 + l2 + 1);
    if (l1 > 0) {
        memcpy(aad, a1, l1);
    }
    if (l2 > 0) {
        memcpy(aad + l1, a2, l2);
    }
    ghash_update(y, h, aad, l1 + l2);
    free(aad);
    ghash_update(y, h, out, len);
    uint8_t lens[16];
    const uint64_t abits = (uint64_t)(l1 + l2) * 8, cbits = (uint64_t)len * 8;
    for (int i = 0; i < 8; i++) {
        lens[i] = (uint8_t)(abits >> (56 - 8 * i));
        lens[8 + i] = (uint8_t)(cbits >> (56 - 8 * i));
    }
    ghash_update(y, h, lens, 16);
    ref_aes_encrypt(&key, j0, s);
    for (int i = 0; i < 16; i++) {
        tag[i] = y[i] ^ s[i];
    }
}

// MARK: - AES-CM (RFC 3711 4.1.1)

void ref_ctr_xor(const uint8_t *raw, size_t key_len, const uint8_t iv[16], const uint8_t *in, uint8_t *out,
                 size_t len) {
    ref_aes_key key;
    ref_aes_init(&key, raw, key_len);
    uint8_t cb[16];
    memcpy(cb, iv, 16);
    for (size_t off = 0; off < len; off += 16) {
        uint8_t ks[16];
        ref_aes_encrypt(&key, cb, ks);
        for (size_t j = 0; j < 16 && off + j < len; j++) {
            out[off + j] = in[off + j] ^ ks[j];
        }
        for (int j = 15; j >= 0; j--) {   // the whole block is one big-endian counter
            if (++cb[j] != 0) {
                break;
            }
        }
    }
}

// MARK: - SHA-1 (FIPS 180-4) and HMAC (RFC 2104)

static uint32_t rotl(uint32_t x, int n) { return (x << n) | (x >> (32 - n)); }

void ref_sha1_compress(uint32_t state[5], const uint8_t *blocks, size_t nblocks) {
    for (; nblocks > 0; nblocks--, blocks += 64) {
        uint32_t w[80];
        for (int t = 0; t < 16; t++) {
            w[t] = (uint32_t)blocks[4 * t] << 24 | (uint32_t)blocks[4 * t + 1] << 16 |
                   (uint32_t)blocks[4 * t + 2] << 8 | blocks[4 * t + 3];
        }
        for (int t = 16; t < 80; t++) {
            w[t] = rotl(w[t - 3] ^ w[t - 8] ^ w[t - 14] ^ w[t - 16], 1);
        }
        uint32_t a = state[0], b = state[1], c = state[2], d = state[3], e = state[4];
        for (int t = 0; t < 80; t++) {
            uint32_t f, k;
            if (t < 20) {
                f = (b & c) ^ (~b & d), k = 0x5a827999;
            } else if (t < 40) {
                f = b ^ c ^ d, k = 0x6ed9eba1;
            } else if (t < 60) {
                f = (b & c) ^ (b & d) ^ (c & d), k = 0x8f1bbcdc;
            } else {
                f = b ^ c ^ d, k = 0xca62c1d6;
            }
            const uint32_t temp = rotl(a, 5) + f + e + k + w[t];
            e = d, d = c, c = rotl(b, 30), b = a, a = temp;
        }
        state[0] += a, state[1] += b, state[2] += c, state[3] += d, state[4] += e;
    }
}

/// SHA-1 of prefix[0..lp) || d1 || d2 (the prefix is the HMAC pad block or empty).
static void sha1(const uint8_t *prefix, size_t lp, const uint8_t *d1, size_t l1, const uint8_t *d2, size_t l2,
                 uint8_t digest[20]) {
    const size_t total = lp + l1 + l2, padded = (total + 9 + 63) / 64 * 64;
    uint8_t *m = calloc(padded, 1);
    if (lp > 0) {
        memcpy(m, prefix, lp);
    }
    if (l1 > 0) {
        memcpy(m + lp, d1, l1);
    }
    if (l2 > 0) {
        memcpy(m + lp + l1, d2, l2);
    }
    m[total] = 0x80;
    const uint64_t bits = (uint64_t)total * 8;
    for (int i = 0; i < 8; i++) {
        m[padded - 8 + i] = (uint8_t)(bits >> (56 - 8 * i));
    }
    uint32_t h[5] = {0x67452301, 0xefcdab89, 0x98badcfe, 0x10325476, 0xc3d2e1f0};
    ref_sha1_compress(h, m, padded / 64);
    free(m);
    for (int i = 0; i < 5; i++) {
        digest[4 * i] = (uint8_t)(h[i] >> 24), digest[4 * i + 1] = (uint8_t)(h[i] >> 16);
        digest[4 * i + 2] = (uint8_t)(h[i] >> 8), digest[4 * i + 3] = (uint8_t)h[i];
    }
}

void ref_hmac_sha1(const uint8_t *key, size_t key_len, const uint8_t *d1, size_t l1, const uint8_t *d2, size_t l2,
                   uint8_t mac[20]) {
    uint8_t k[64] = {0}, pad[64], inner[20];
    if (key_len > 64) {
        sha1(NULL, 0, key, key_len, NULL, 0, k);
    } else if (key_len > 0) {
        memcpy(k, key, key_len);
    }
    for (int i = 0; i < 64; i++) {
        pad[i] = k[i] ^ 0x36;
    }
    sha1(pad, 64, d1, l1, d2, l2, inner);
    for (int i = 0; i < 64; i++) {
        pad[i] = k[i] ^ 0x5c;
    }
    sha1(pad, 64, inner, 20, NULL, 0, mac);
}
