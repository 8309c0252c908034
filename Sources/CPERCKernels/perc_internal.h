// SPDX-License-Identifier: Apache-2.0
// Copyright 2026 the swift-perc authors
//
// Internal layout of the kernel keys. Each key carries the function pointers of the backend
// chosen when it was created (BoringSSL's habit: dispatch once, store the choice), so the
// per-packet call is one indirect call with no re-dispatch.
#ifndef PERC_INTERNAL_H
#define PERC_INTERNAL_H

#include "perc_kernels.h"

typedef int (*perc_gcm_seal_fn)(perc_gcm_key *key, const uint8_t iv[12],
                                const uint8_t *aad, size_t aad_len, const uint8_t *aad2, size_t aad2_len,
                                const uint8_t *in, uint8_t *out, size_t len, uint8_t tag[16]);
typedef int (*perc_gcm_open_fn)(perc_gcm_key *key, const uint8_t iv[12],
                                const uint8_t *aad, size_t aad_len, const uint8_t *aad2, size_t aad2_len,
                                const uint8_t *in, uint8_t *out, size_t len, const uint8_t tag[16]);
typedef int (*perc_ctr_xor_fn)(perc_ctr_key *key, const uint8_t iv[16], const uint8_t *in, uint8_t *out,
                               size_t len);
typedef void (*perc_hmac_sha1_fn)(const perc_hmac_sha1_key *key, const uint8_t *d1, size_t l1,
                                  const uint8_t *d2, size_t l2, uint8_t mac[20]);

struct perc_gcm_key {
    perc_backend backend;
    size_t key_len;
    perc_gcm_seal_fn seal;
    perc_gcm_open_fn open;
    void *evp;   // OpenSSL path: EVP_CIPHER_CTX *
};

struct perc_ctr_key {
    perc_backend backend;
    size_t key_len;
    perc_ctr_xor_fn xor_stream;
    void *evp;   // OpenSSL path: EVP_CIPHER_CTX *
};

struct perc_hmac_sha1_key {
    perc_backend backend;
    perc_hmac_sha1_fn mac;
    // SHA-1 chaining state after absorbing (key ^ ipad) and (key ^ opad): 5 words each.
    uint32_t inner[5];
    uint32_t outer[5];
};

// OpenSSL path (backend_openssl.c).
int perc_openssl_gcm_init(perc_gcm_key *key, const uint8_t *raw, size_t len);
void perc_openssl_gcm_cleanup(perc_gcm_key *key);
int perc_openssl_ctr_init(perc_ctr_key *key, const uint8_t *raw, size_t len);
void perc_openssl_ctr_cleanup(perc_ctr_key *key);
int perc_openssl_hmac_sha1_init(perc_hmac_sha1_key *key, const uint8_t *raw, size_t len);

#endif
