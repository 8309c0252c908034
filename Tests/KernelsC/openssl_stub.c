// SPDX-License-Identifier: Apache-2.0
// Copyright 2026 the swift-perc authors
//
// Stand-ins for the OpenSSL path (backend_openssl.c) so the C kernel test driver links
// dispatch.c without libcrypto (there is no arm64 libcrypto in the cross sysroot). Every
// init fails, so an OpenSSL key can never be created in the driver: the driver checks that
// perc_*_key_new(PERC_BACKEND_OPENSSL, ...) returns NULL rather than silently testing these.
#include "perc_internal.h"

int perc_openssl_gcm_init(perc_gcm_key *key, const uint8_t *raw, size_t len) {
    (void)key, (void)raw, (void)len;
    return 0;
}

void perc_openssl_gcm_cleanup(perc_gcm_key *key) { (void)key; }

int perc_openssl_ctr_init(perc_ctr_key *key, const uint8_t *raw, size_t len) {
    (void)key, (void)raw, (void)len;
    return 0;
}

void perc_openssl_ctr_cleanup(perc_ctr_key *key) { (void)key; }

int perc_openssl_hmac_sha1_init(perc_hmac_sha1_key *key, const uint8_t *raw, size_t len) {
    (void)key, (void)raw, (void)len;
    return 0;
}

int perc_openssl_gcm_keystream(perc_gcm_key *key, const uint8_t iv[12], size_t offset, uint8_t *ks, size_t n) {
    (void)key, (void)iv, (void)offset, (void)ks, (void)n;
    return 0;
}
