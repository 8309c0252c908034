// SPDX-License-Identifier: Apache-2.0
// Copyright 2026 the swift-perc authors
//
// OpenSSL EVP peer: the way an application using libcrypto directly would do SRTP crypto
// (cipher context keyed once, the IV set per packet; HMAC context keyed once and reset).
#define OPENSSL_SUPPRESS_DEPRECATED 1   // HMAC_CTX with a retained key is the fast path in 3.0
#include "bench_peers.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <stdlib.h>

struct bench_openssl_gcm { EVP_CIPHER_CTX *enc, *dec; };
struct bench_openssl_cm { EVP_CIPHER_CTX *ctr; HMAC_CTX *hmac; };

bench_openssl_gcm *bench_openssl_gcm_new(const uint8_t *key, size_t key_len) {
    const EVP_CIPHER *cipher = key_len == 16 ? EVP_aes_128_gcm() : EVP_aes_256_gcm();
    bench_openssl_gcm *g = calloc(1, sizeof(*g));
    if (g == NULL) return NULL;
    g->enc = EVP_CIPHER_CTX_new();
    g->dec = EVP_CIPHER_CTX_new();
    if (g->enc == NULL || g->dec == NULL ||
        EVP_EncryptInit_ex(g->enc, cipher, NULL, key, NULL) != 1 ||
        EVP_DecryptInit_ex(g->dec, cipher, NULL, key, NULL) != 1) {
        bench_openssl_gcm_free(g);
        return NULL;
    }
    return g;
}

void bench_openssl_gcm_free(bench_openssl_gcm *g) {
    if (g == NULL) return;
    EVP_CIPHER_CTX_free(g->enc);
    EVP_CIPHER_CTX_free(g->dec);
    free(g);
}

int bench_openssl_gcm_seal(bench_openssl_gcm *g, const uint8_t iv[12], const uint8_t *aad, size_t aad_len,
                           const uint8_t *in, uint8_t *out, size_t len, uint8_t tag[16]) {
    int n = 0;
    return EVP_EncryptInit_ex(g->enc, NULL, NULL, NULL, iv) == 1 &&
           EVP_EncryptUpdate(g->enc, NULL, &n, aad, (int)aad_len) == 1 &&
           EVP_EncryptUpdate(g->enc, out, &n, in, (int)len) == 1 &&
           EVP_EncryptFinal_ex(g->enc, out + n, &n) == 1 &&
           EVP_CIPHER_CTX_ctrl(g->enc, EVP_CTRL_GCM_GET_TAG, 16, tag) == 1;
}

int bench_openssl_gcm_open(bench_openssl_gcm *g, const uint8_t iv[12], const uint8_t *aad, size_t aad_len,
                           const uint8_t *in, uint8_t *out, size_t len, const uint8_t tag[16]) {
    int n = 0;
    return EVP_DecryptInit_ex(g->dec, NULL, NULL, NULL, iv) == 1 &&
           EVP_DecryptUpdate(g->dec, NULL, &n, aad, (int)aad_len) == 1 &&
           EVP_DecryptUpdate(g->dec, out, &n, in, (int)len) == 1 &&
           EVP_CIPHER_CTX_ctrl(g->dec, EVP_CTRL_GCM_SET_TAG, 16, (void *)tag) == 1 &&
           EVP_DecryptFinal_ex(g->dec, out + n, &n) == 1;
}

bench_openssl_cm *bench_openssl_cm_new(const uint8_t *key, size_t key_len, const uint8_t auth_key[20]) {
    bench_openssl_cm *c = calloc(1, sizeof(*c));
    if (c == NULL) return NULL;
    c->ctr = EVP_CIPHER_CTX_new();
    c->hmac = HMAC_CTX_new();
    const EVP_CIPHER *cipher = key_len == 16 ? EVP_aes_128_ctr() : EVP_aes_256_ctr();
    if (c->ctr == NULL || c->hmac == NULL || EVP_EncryptInit_ex(c->ctr, cipher, NULL, key, NULL) != 1 ||
        HMAC_Init_ex(c->hmac, auth_key, 20, EVP_sha1(), NULL) != 1) {
        bench_openssl_cm_free(c);
        return NULL;
    }
    return c;
}

void bench_openssl_cm_free(bench_openssl_cm *c) {
    if (c == NULL) return;
    EVP_CIPHER_CTX_free(c->ctr);
    HMAC_CTX_free(c->hmac);
    free(c);
}

static int cm_mac(bench_openssl_cm *c, const uint8_t *data, size_t len, uint32_t roc, uint8_t mac[20]) {
    uint8_t roc_be[4] = {(uint8_t)(roc >> 24), (uint8_t)(roc >> 16), (uint8_t)(roc >> 8), (uint8_t)roc};
    unsigned int mac_len = 0;
    return HMAC_Init_ex(c->hmac, NULL, 0, NULL, NULL) == 1 && HMAC_Update(c->hmac, data, len) == 1 &&
           HMAC_Update(c->hmac, roc_be, 4) == 1 && HMAC_Final(c->hmac, mac, &mac_len) == 1;
}

int bench_openssl_cm_protect(bench_openssl_cm *c, const uint8_t iv[16], const uint8_t *in, uint8_t *out,
                             size_t header_len, size_t len, uint32_t roc, uint8_t *tag, size_t tag_len) {
    int n = 0;
    uint8_t mac[20];
    for (size_t i = 0; i < header_len; i++) out[i] = in[i];
    if (EVP_EncryptInit_ex(c->ctr, NULL, NULL, NULL, iv) != 1 ||
        EVP_EncryptUpdate(c->ctr, out + header_len, &n, in + header_len, (int)(len - header_len)) != 1 ||
        !cm_mac(c, out, len, roc, mac)) {
        return 0;
    }
    for (size_t i = 0; i < tag_len; i++) tag[i] = mac[i];
    return 1;
}

int bench_openssl_cm_unprotect(bench_openssl_cm *c, const uint8_t iv[16], const uint8_t *in, uint8_t *out,
                               size_t header_len, size_t len, uint32_t roc, const uint8_t *tag, size_t tag_len) {
    int n = 0;
    uint8_t mac[20];
    if (!cm_mac(c, in, len, roc, mac) || CRYPTO_memcmp(mac, tag, tag_len) != 0) return 0;
    for (size_t i = 0; i < header_len; i++) out[i] = in[i];
    return EVP_EncryptInit_ex(c->ctr, NULL, NULL, NULL, iv) == 1 &&
           EVP_EncryptUpdate(c->ctr, out + header_len, &n, in + header_len, (int)(len - header_len)) == 1;
}

const char *bench_openssl_version(void) { return OpenSSL_version(OPENSSL_VERSION); }
