// SPDX-License-Identifier: Apache-2.0
// Copyright 2026 the swift-perc authors
//
// The portable backend: OpenSSL libcrypto, used the fast way. The cipher is fetched and the
// key set once per key object; a packet only sets the IV. HMAC-SHA1 keeps the SHA-1 states
// after the ipad/opad blocks, so a packet costs two compressions fewer than HMAC() would.
#define OPENSSL_SUPPRESS_DEPRECATED 1   // SHA1_Update on a precomputed SHA_CTX is the fast path
#include "perc_internal.h"

#include <openssl/evp.h>
#include <openssl/sha.h>
#include <string.h>

// MARK: - GCM

static int gcm_absorb_aad(EVP_CIPHER_CTX *ctx, const uint8_t *aad, size_t aad_len, const uint8_t *aad2,
                          size_t aad2_len) {
    int outl = 0;
    if (aad_len > 0 && EVP_CipherUpdate(ctx, NULL, &outl, aad, (int)aad_len) != 1) {
        return 0;
    }
    if (aad2_len > 0 && EVP_CipherUpdate(ctx, NULL, &outl, aad2, (int)aad2_len) != 1) {
        return 0;
    }
    return 1;
}

static int openssl_gcm_seal(perc_gcm_key *key, const uint8_t iv[12], const uint8_t *aad, size_t aad_len,
                            const uint8_t *aad2, size_t aad2_len, const uint8_t *in, uint8_t *out, size_t len,
                            uint8_t tag[16]) {
    EVP_CIPHER_CTX *ctx = key->evp;
    int outl = 0;
    if (EVP_CipherInit_ex(ctx, NULL, NULL, NULL, iv, 1) != 1) {
        return 0;
    }
    if (!gcm_absorb_aad(ctx, aad, aad_len, aad2, aad2_len)) {
        return 0;
    }
    if (len > 0 && EVP_CipherUpdate(ctx, out, &outl, in, (int)len) != 1) {
        return 0;
    }
    if (EVP_CipherFinal_ex(ctx, out + outl, &outl) != 1) {
        return 0;
    }
    return EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_GET_TAG, 16, tag) == 1;
}

static int openssl_gcm_open(perc_gcm_key *key, const uint8_t iv[12], const uint8_t *aad, size_t aad_len,
                            const uint8_t *aad2, size_t aad2_len, const uint8_t *in, uint8_t *out, size_t len,
                            const uint8_t tag[16]) {
    EVP_CIPHER_CTX *ctx = key->evp;
    int outl = 0;
    uint8_t tag_copy[16];
    memcpy(tag_copy, tag, 16);
    int ok = EVP_CipherInit_ex(ctx, NULL, NULL, NULL, iv, 0) == 1 &&
             gcm_absorb_aad(ctx, aad, aad_len, aad2, aad2_len) &&
             (len == 0 || EVP_CipherUpdate(ctx, out, &outl, in, (int)len) == 1) &&
             EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_SET_TAG, 16, tag_copy) == 1;
    // EVP_CipherFinal_ex compares the tag with CRYPTO_memcmp (constant time).
    int verified = ok && EVP_CipherFinal_ex(ctx, out + outl, &outl) == 1;
    if (!verified && len > 0) {
        // Release no plaintext: restore the ciphertext in place (GCM's keystream is the same
        // for sealing and opening), or clear a separate output buffer.
        if (out == in) {
            uint8_t scratch[16];
            if (EVP_CipherInit_ex(ctx, NULL, NULL, NULL, iv, 1) != 1 ||
                EVP_CipherUpdate(ctx, out, &outl, out, (int)len) != 1 ||
                EVP_CipherFinal_ex(ctx, scratch, &outl) != 1) {
                perc_secure_zero(out, len);
            }
        } else {
            perc_secure_zero(out, len);
        }
    }
    return verified;
}

int perc_openssl_gcm_init(perc_gcm_key *key, const uint8_t *raw, size_t len) {
    EVP_CIPHER_CTX *ctx = EVP_CIPHER_CTX_new();
    if (ctx == NULL) {
        return 0;
    }
    key->evp = ctx;
    const EVP_CIPHER *cipher = len == 16 ? EVP_aes_128_gcm() : EVP_aes_256_gcm();
    if (EVP_CipherInit_ex(ctx, cipher, NULL, NULL, NULL, 1) != 1 ||
        EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_SET_IVLEN, 12, NULL) != 1 ||
        EVP_CipherInit_ex(ctx, NULL, NULL, raw, NULL, 1) != 1) {
        return 0;
    }
    key->seal = openssl_gcm_seal;
    key->open = openssl_gcm_open;
    return 1;
}

void perc_openssl_gcm_cleanup(perc_gcm_key *key) {
    if (key->evp != NULL) {
        EVP_CIPHER_CTX_free(key->evp);   // clears the expanded key
        key->evp = NULL;
    }
}

/// GCM keystream bytes [offset, offset + n) of `iv` (n <= 16): encrypts zeros up to there.
/// Linear in `offset`; the portable path only needs it for the few OHB bytes of a packet.
int perc_openssl_gcm_keystream(perc_gcm_key *key, const uint8_t iv[12], size_t offset, uint8_t *ks, size_t n) {
    EVP_CIPHER_CTX *ctx = key->evp;
    uint8_t zeros[256] = {0}, stream[256];
    int outl = 0;
    if (n > 16 || EVP_CipherInit_ex(ctx, NULL, NULL, NULL, iv, 1) != 1) {
        return 0;
    }
    size_t end = offset + n, pos = 0;
    while (pos < end) {
        size_t m = end - pos < sizeof(zeros) ? end - pos : sizeof(zeros);
        if (EVP_CipherUpdate(ctx, stream, &outl, zeros, (int)m) != 1) {
            return 0;
        }
        for (size_t i = 0; i < m; i++) {   // keep the bytes of [offset, end) that fall in this chunk
            if (pos + i >= offset) {
                ks[pos + i - offset] = stream[i];
            }
        }
        pos += m;
    }
    perc_secure_zero(stream, sizeof(stream));
    return 1;
}

// MARK: - CTR

static int openssl_ctr_xor(perc_ctr_key *key, const uint8_t iv[16], const uint8_t *in, uint8_t *out, size_t len) {
    EVP_CIPHER_CTX *ctx = key->evp;
    int outl = 0;
    if (EVP_CipherInit_ex(ctx, NULL, NULL, NULL, iv, 1) != 1) {
        return 0;
    }
    return len == 0 || EVP_CipherUpdate(ctx, out, &outl, in, (int)len) == 1;
}

int perc_openssl_ctr_init(perc_ctr_key *key, const uint8_t *raw, size_t len) {
    EVP_CIPHER_CTX *ctx = EVP_CIPHER_CTX_new();
    if (ctx == NULL) {
        return 0;
    }
    key->evp = ctx;
    const EVP_CIPHER *cipher = len == 16 ? EVP_aes_128_ctr() : len == 24 ? EVP_aes_192_ctr() : EVP_aes_256_ctr();
    if (EVP_CipherInit_ex(ctx, cipher, NULL, raw, NULL, 1) != 1) {
        return 0;
    }
    key->xor_stream = openssl_ctr_xor;
    return 1;
}

void perc_openssl_ctr_cleanup(perc_ctr_key *key) {
    if (key->evp != NULL) {
        EVP_CIPHER_CTX_free(key->evp);
        key->evp = NULL;
    }
}

// MARK: - HMAC-SHA1

static void sha1_state_from(SHA_CTX *ctx, const uint32_t h[5]) {
    memset(ctx, 0, sizeof(*ctx));
    ctx->h0 = h[0];
    ctx->h1 = h[1];
    ctx->h2 = h[2];
    ctx->h3 = h[3];
    ctx->h4 = h[4];
    ctx->Nl = 512;   // one 64-byte block (the padded key) already absorbed
}

static void openssl_hmac_sha1(const perc_hmac_sha1_key *key, const uint8_t *d1, size_t l1, const uint8_t *d2,
                              size_t l2, uint8_t mac[20]) {
    SHA_CTX ctx;
    uint8_t inner[20];
    sha1_state_from(&ctx, key->inner);
    SHA1_Update(&ctx, d1, l1);
    if (l2 > 0) {
        SHA1_Update(&ctx, d2, l2);
    }
    SHA1_Final(inner, &ctx);
    sha1_state_from(&ctx, key->outer);
    SHA1_Update(&ctx, inner, sizeof(inner));
    SHA1_Final(mac, &ctx);
    perc_secure_zero(&ctx, sizeof(ctx));
}

static void absorb_pad(const uint8_t block[64], uint8_t pad, uint32_t h[5]) {
    uint8_t padded[64];
    SHA_CTX ctx;
    for (int i = 0; i < 64; i++) {
        padded[i] = block[i] ^ pad;
    }
    SHA1_Init(&ctx);
    SHA1_Update(&ctx, padded, sizeof(padded));
    h[0] = ctx.h0;
    h[1] = ctx.h1;
    h[2] = ctx.h2;
    h[3] = ctx.h3;
    h[4] = ctx.h4;
    perc_secure_zero(padded, sizeof(padded));
    perc_secure_zero(&ctx, sizeof(ctx));
}

int perc_openssl_hmac_sha1_init(perc_hmac_sha1_key *key, const uint8_t *raw, size_t len) {
    uint8_t block[64] = {0};
    if (len > 64) {
        SHA1(raw, len, block);   // RFC 2104: long keys are hashed first
    } else if (len > 0) {
        memcpy(block, raw, len);
    }
    absorb_pad(block, 0x36, key->inner);
    absorb_pad(block, 0x5c, key->outer);
    perc_secure_zero(block, sizeof(block));
    key->mac = openssl_hmac_sha1;
    return 1;
}
