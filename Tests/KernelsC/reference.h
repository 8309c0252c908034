// SPDX-License-Identifier: Apache-2.0
// Copyright 2026 the swift-perc authors
//
// A small portable C reference for the kernel tests: AES (FIPS 197, byte-oriented, S-box
// computed from the field inverse), GHASH bit by bit (NIST SP 800-38D, Algorithm 1), GCM and
// AES-CM built on them, SHA-1 (FIPS 180-4) and HMAC-SHA1 (RFC 2104). Written for clarity,
// not speed or constant time: it is a test oracle, never linked into the library.
#ifndef PERC_REFERENCE_H
#define PERC_REFERENCE_H

#include <stddef.h>
#include <stdint.h>

typedef struct {
    uint8_t rk[15][16];
    int rounds;
} ref_aes_key;

/// Expands a 16-, 24- or 32-byte key; returns 0 on another length.
int ref_aes_init(ref_aes_key *key, const uint8_t *raw, size_t len);
void ref_aes_encrypt(const ref_aes_key *key, const uint8_t in[16], uint8_t out[16]);

/// GCM seal with a 96-bit IV; the AAD is a1 || a2.
void ref_gcm_seal(const uint8_t *raw, size_t key_len, const uint8_t iv[12], const uint8_t *a1, size_t l1,
                  const uint8_t *a2, size_t l2, const uint8_t *in, uint8_t *out, size_t len, uint8_t tag[16]);

/// AES-CM (RFC 3711 4.1.1): keystream of the 128-bit big-endian counter iv, iv+1, ... XORed on.
void ref_ctr_xor(const uint8_t *raw, size_t key_len, const uint8_t iv[16], const uint8_t *in, uint8_t *out,
                 size_t len);

/// SHA-1 compression over whole blocks, and HMAC-SHA1 over d1 || d2.
void ref_sha1_compress(uint32_t state[5], const uint8_t *blocks, size_t nblocks);
void ref_hmac_sha1(const uint8_t *key, size_t key_len, const uint8_t *d1, size_t l1, const uint8_t *d2, size_t l2,
                   uint8_t mac[20]);

#endif
