// SPDX-License-Identifier: Apache-2.0
// Copyright 2026 the swift-perc authors
//
// Backend choice: which paths this CPU can run, the default (decided once), and the key
// constructors that store the chosen path's function pointers in the key.
#include "perc_internal.h"

#include <stdlib.h>
#include <string.h>

/// Zeroed storage aligned for the widest vector loads of the round keys and H powers.
static void *alloc_key(size_t size) {
    size_t rounded = (size + 63) & ~(size_t)63;
    void *p = aligned_alloc(64, rounded);
    if (p != NULL) {
        memset(p, 0, rounded);
    }
    return p;
}

static const char *const backend_names[PERC_BACKEND_COUNT] = {"openssl", "aesni", "vaes512", "armv8",
                                                                    "vaes256"};

const char *perc_backend_name(perc_backend backend) {
    if ((unsigned)backend >= PERC_BACKEND_COUNT) {
        return "unknown";
    }
    return backend_names[backend];
}

int perc_backend_from_name(const char *name) {
    if (name == NULL) {
        return -1;
    }
    for (int i = 0; i < PERC_BACKEND_COUNT; i++) {
        if (strcmp(name, backend_names[i]) == 0) {
            return i;
        }
    }
    return -1;
}

int perc_backend_is_available(perc_backend backend) {
    switch (backend) {
    case PERC_BACKEND_OPENSSL:
        return 1;
    case PERC_BACKEND_AESNI:
        return perc_cpu_has_aesni();
    case PERC_BACKEND_VAES256:
        return perc_cpu_has_vaes256();
    case PERC_BACKEND_ARMV8:
        return perc_cpu_has_armv8();
    default:
        return 0;
    }
}

static perc_backend most_capable_backend(void) {
    static const perc_backend order[] = {PERC_BACKEND_VAES512, PERC_BACKEND_VAES256, PERC_BACKEND_ARMV8,
                                         PERC_BACKEND_AESNI};
    for (size_t i = 0; i < sizeof(order) / sizeof(order[0]); i++) {
        if (perc_backend_is_available(order[i])) {
            return order[i];
        }
    }
    return PERC_BACKEND_OPENSSL;
}

perc_backend perc_backend_default(void) {
    static int chosen = -1;   // benign race: every thread computes the same value
    if (chosen < 0) {
        int forced = perc_backend_from_name(getenv("PERC_CRYPTO_BACKEND"));
        chosen = (forced >= 0 && perc_backend_is_available((perc_backend)forced)) ? forced
                                                                                : (int)most_capable_backend();
    }
    return (perc_backend)chosen;
}

// MARK: - GCM

perc_gcm_key *perc_gcm_key_new(perc_backend backend, const uint8_t *raw, size_t len) {
    if ((len != 16 && len != 32) || !perc_backend_is_available(backend)) {
        return NULL;
    }
    perc_gcm_key *key = alloc_key(sizeof(*key));
    if (key == NULL) {
        return NULL;
    }
    key->backend = backend;
    key->key_len = len;
    int ok = 0;
    switch (backend) {
    case PERC_BACKEND_OPENSSL:
        ok = perc_openssl_gcm_init(key, raw, len);
        break;
#if defined(__x86_64__)
    case PERC_BACKEND_AESNI:
        ok = perc_aesni_gcm_init(key, raw, len);
        break;
    case PERC_BACKEND_VAES256:
        ok = perc_vaes256_gcm_init(key, raw, len);
        break;
#endif
#if defined(__aarch64__)
    case PERC_BACKEND_ARMV8:
        ok = perc_armv8_gcm_init(key, raw, len);
        break;
#endif
    default:
        break;
    }
    if (!ok) {
        perc_gcm_key_free(key);
        return NULL;
    }
    return key;
}

void perc_gcm_key_free(perc_gcm_key *key) {
    if (key == NULL) {
        return;
    }
    perc_openssl_gcm_cleanup(key);
    perc_secure_release(key, sizeof(*key));
    free(key);
}

perc_backend perc_gcm_key_backend(const perc_gcm_key *key) { return key->backend; }

int perc_gcm_seal(perc_gcm_key *key, const uint8_t iv[12], const uint8_t *aad, size_t aad_len,
                  const uint8_t *aad2, size_t aad2_len, const uint8_t *in, uint8_t *out, size_t len,
                  uint8_t tag[16]) {
    return key->seal(key, iv, aad, aad_len, aad2, aad2_len, in, out, len, tag);
}

int perc_gcm_open(perc_gcm_key *key, const uint8_t iv[12], const uint8_t *aad, size_t aad_len,
                  const uint8_t *aad2, size_t aad2_len, const uint8_t *in, uint8_t *out, size_t len,
                  const uint8_t tag[16]) {
    return key->open(key, iv, aad, aad_len, aad2, aad2_len, in, out, len, tag);
}

/// Runs a batch: consecutive jobs whose keys share a batch kernel go to it together; jobs
/// on a path without one (the OpenSSL path) run one at a time.
static void run_gcm_batch(perc_gcm_job *jobs, size_t count, int open) {
    size_t i = 0;
    while (i < count) {
        perc_gcm_batch_fn kernel = open ? jobs[i].key->open_batch : jobs[i].key->seal_batch;
        size_t end = i + 1;
        while (end < count && (open ? jobs[end].key->open_batch : jobs[end].key->seal_batch) == kernel) {
            end++;
        }
        if (kernel != NULL) {
            kernel(jobs + i, end - i);
        } else {
            for (size_t k = i; k < end; k++) {
                perc_gcm_job *j = &jobs[k];
                j->result = open ? perc_gcm_open(j->key, j->iv, j->aad, j->aad_len, j->aad2, j->aad2_len, j->in,
                                                 j->out, j->len, j->tag)
                                 : perc_gcm_seal(j->key, j->iv, j->aad, j->aad_len, j->aad2, j->aad2_len, j->in,
                                                 j->out, j->len, j->tag);
            }
        }
        i = end;
    }
}

void perc_gcm_seal_batch(perc_gcm_job *jobs, size_t count) { run_gcm_batch(jobs, count, 0); }

void perc_gcm_open_batch(perc_gcm_job *jobs, size_t count) { run_gcm_batch(jobs, count, 1); }

// MARK: - Double transform and fan-out

/// The portable twin of the fused double seal: two separate seals.
static int double_seal_separately(perc_gcm_key *inner, const uint8_t inner_iv[12], const uint8_t *inner_aad,
                                  size_t inner_aad_len, perc_gcm_key *outer, const uint8_t outer_iv[12],
                                  const uint8_t *outer_aad, size_t outer_aad_len, const uint8_t *in, uint8_t *out,
                                  size_t len, const uint8_t *ohb, size_t ohb_len, uint8_t outer_tag[16]) {
    if (!perc_gcm_seal(inner, inner_iv, inner_aad, inner_aad_len, NULL, 0, in, out, len, out + len)) {
        return 0;
    }
    memmove(out + len + 16, ohb, ohb_len);
    return perc_gcm_seal(outer, outer_iv, outer_aad, outer_aad_len, NULL, 0, out, out, len + 16 + ohb_len,
                         outer_tag);
}

int perc_gcm_double_seal(perc_gcm_key *inner, const uint8_t inner_iv[12], const uint8_t *inner_aad,
                         size_t inner_aad_len, perc_gcm_key *outer, const uint8_t outer_iv[12],
                         const uint8_t *outer_aad, size_t outer_aad_len, const uint8_t *in, uint8_t *out,
                         size_t len, const uint8_t *ohb, size_t ohb_len, uint8_t outer_tag[16]) {
    if (ohb_len > PERC_DOUBLE_MAX_OHB || len > ((uint64_t)1 << 36) - 64) {
        return 0;
    }
    perc_gcm_double_seal_fn fused = inner->double_seal == outer->double_seal ? inner->double_seal : NULL;
    return (fused != NULL ? fused : double_seal_separately)(inner, inner_iv, inner_aad, inner_aad_len, outer,
                                                            outer_iv, outer_aad, outer_aad_len, in, out, len, ohb,
                                                            ohb_len, outer_tag);
}

/// The portable twin of the fused double open: two separate opens, the outer ciphertext
/// restored (in place) or cleared when the inner open fails.
static int double_open_separately(perc_gcm_key *inner, const uint8_t inner_iv[12], const uint8_t *inner_aad,
                                  size_t inner_aad_len, perc_gcm_key *outer, const uint8_t outer_iv[12],
                                  const uint8_t *outer_aad, size_t outer_aad_len, const uint8_t *in, uint8_t *out,
                                  size_t len, size_t ohb_len, const uint8_t outer_tag[16]) {
    uint8_t tag[16];
    memcpy(tag, outer_tag, 16);   // the tag may lie in `out` (in place, right after the ciphertext)
    if (!perc_gcm_open(outer, outer_iv, outer_aad, outer_aad_len, NULL, 0, in, out, len, tag)) {
        return 0;
    }
    const size_t n = len - 16 - ohb_len;
    uint8_t inner_tag[16];
    memcpy(inner_tag, out + n, 16);
    if (perc_gcm_open(inner, inner_iv, inner_aad, inner_aad_len, NULL, 0, out, out, n, inner_tag)) {
        return 1;
    }
    // out[0..n) holds the inner ciphertext again: put the outer ciphertext back, or clear.
    if (out == in) {
        perc_gcm_seal(outer, outer_iv, outer_aad, outer_aad_len, NULL, 0, out, out, len, tag);
    } else {
        perc_secure_zero(out, len);
    }
    return -1;
}

int perc_gcm_double_open(perc_gcm_key *inner, const uint8_t inner_iv[12], const uint8_t *inner_aad,
                         size_t inner_aad_len, perc_gcm_key *outer, const uint8_t outer_iv[12],
                         const uint8_t *outer_aad, size_t outer_aad_len, const uint8_t *in, uint8_t *out,
                         size_t len, size_t ohb_len, const uint8_t outer_tag[16]) {
    if (ohb_len > PERC_DOUBLE_MAX_OHB || len < 16 + ohb_len || len > ((uint64_t)1 << 36) - 32) {
        if (out != in) {
            perc_secure_zero(out, len);
        }
        return 0;
    }
    perc_gcm_double_open_fn fused = inner->double_open == outer->double_open ? inner->double_open : NULL;
    return (fused != NULL ? fused : double_open_separately)(inner, inner_iv, inner_aad, inner_aad_len, outer,
                                                            outer_iv, outer_aad, outer_aad_len, in, out, len,
                                                            ohb_len, outer_tag);
}

int perc_gcm_ctr_peek(perc_gcm_key *key, const uint8_t iv[12], size_t offset, const uint8_t *in, uint8_t *out,
                      size_t n) {
    uint8_t ks[32];
    if (n > 16 || offset > ((uint64_t)1 << 36) - 64) {
        return 0;
    }
    if (key->backend == PERC_BACKEND_OPENSSL) {
        if (!perc_openssl_gcm_keystream(key, iv, offset, ks, n)) {
            return 0;
        }
    } else {
#if defined(__x86_64__)
        // The n bytes span at most two keystream blocks.
        perc_aesni_gcm_keystream_block(key, iv, (uint32_t)(offset / 16), ks);
        perc_aesni_gcm_keystream_block(key, iv, (uint32_t)(offset / 16 + 1), ks + 16);
        memmove(ks, ks + offset % 16, n);
#elif defined(__aarch64__)
        perc_armv8_gcm_keystream_block(key, iv, (uint32_t)(offset / 16), ks);
        perc_armv8_gcm_keystream_block(key, iv, (uint32_t)(offset / 16 + 1), ks + 16);
        memmove(ks, ks + offset % 16, n);
#else
        return 0;
#endif
    }
    for (size_t i = 0; i < n; i++) {
        out[i] = in[i] ^ ks[i];
    }
    perc_secure_zero(ks, sizeof(ks));
    return 1;
}

/// The portable twin of a fan-out job: the shared part and the tail copied out, then sealed there.
static void fanout_separately(const uint8_t *shared, size_t shared_len, perc_gcm_fanout_job *job) {
    memcpy(job->out, shared, shared_len);
    memcpy(job->out + shared_len, job->tail, job->tail_len);
    job->result = perc_gcm_seal(job->key, job->iv, job->aad, job->aad_len, NULL, 0, job->out, job->out,
                                shared_len + job->tail_len, job->tag);
}

void perc_gcm_seal_fanout(const uint8_t *shared, size_t shared_len, perc_gcm_fanout_job *jobs, size_t count) {
    static const uint8_t nothing[1] = {0};
    if (shared == NULL) {   // an empty shared part
        shared = nothing;
        shared_len = 0;
    }
    size_t i = 0;
    while (i < count) {
        perc_gcm_fanout_job *a = &jobs[i];
        if (a->tail_len > PERC_DOUBLE_MAX_OHB) {
            a->result = 0;
            i++;
            continue;
        }
        perc_gcm_fanout_pair_fn pair = a->key->fanout_pair;
        perc_gcm_fanout_job *b = NULL;
        if (i + 1 < count && jobs[i + 1].key->fanout_pair == pair && jobs[i + 1].tail_len <= PERC_DOUBLE_MAX_OHB) {
            b = &jobs[i + 1];
        }
        if (pair != NULL) {
            pair(shared, shared_len, a, b);
        } else {
            fanout_separately(shared, shared_len, a);
            if (b != NULL) {
                fanout_separately(shared, shared_len, b);
            }
        }
        i += b != NULL ? 2 : 1;
    }
}

// MARK: - CTR

perc_ctr_key *perc_ctr_key_new(perc_backend backend, const uint8_t *raw, size_t len) {
    if ((len != 16 && len != 24 && len != 32) || !perc_backend_is_available(backend)) {
        return NULL;
    }
    perc_ctr_key *key = alloc_key(sizeof(*key));
    if (key == NULL) {
        return NULL;
    }
    key->backend = backend;
    key->key_len = len;
    int ok = 0;
    switch (backend) {
    case PERC_BACKEND_OPENSSL:
        ok = perc_openssl_ctr_init(key, raw, len);
        break;
#if defined(__x86_64__)
    case PERC_BACKEND_AESNI:
        ok = perc_aesni_ctr_init(key, raw, len);
        break;
    case PERC_BACKEND_VAES256:
        ok = perc_vaes256_ctr_init(key, raw, len);
        break;
#endif
#if defined(__aarch64__)
    case PERC_BACKEND_ARMV8:
        ok = perc_armv8_ctr_init(key, raw, len);
        break;
#endif
    default:
        break;
    }
    if (!ok) {
        perc_ctr_key_free(key);
        return NULL;
    }
    return key;
}

void perc_ctr_key_free(perc_ctr_key *key) {
    if (key == NULL) {
        return;
    }
    perc_openssl_ctr_cleanup(key);
    perc_secure_release(key, sizeof(*key));
    free(key);
}

perc_backend perc_ctr_key_backend(const perc_ctr_key *key) { return key->backend; }

int perc_ctr_xor(perc_ctr_key *key, const uint8_t iv[16], const uint8_t *in, uint8_t *out, size_t len) {
    return key->xor_stream(key, iv, in, out, len);
}

// MARK: - HMAC-SHA1

perc_hmac_sha1_key *perc_hmac_sha1_key_new(perc_backend backend, const uint8_t *raw, size_t len) {
    if (!perc_backend_is_available(backend)) {
        return NULL;
    }
    perc_hmac_sha1_key *key = alloc_key(sizeof(*key));
    if (key == NULL) {
        return NULL;
    }
    key->backend = backend;
    int ok = 0;
    switch (backend) {
    case PERC_BACKEND_OPENSSL:
        ok = perc_openssl_hmac_sha1_init(key, raw, len);
        break;
    case PERC_BACKEND_AESNI:
    case PERC_BACKEND_VAES256:
        ok = perc_native_hmac_sha1_init(key, raw, len);
        break;
#if defined(__aarch64__)
    case PERC_BACKEND_ARMV8:   // SHA1 instructions when HWCAP_SHA1, portable C otherwise
        ok = perc_native_hmac_sha1_init(key, raw, len);
        break;
#endif
    default:
        break;
    }
    if (!ok) {
        perc_hmac_sha1_key_free(key);
        return NULL;
    }
    return key;
}

void perc_hmac_sha1_key_free(perc_hmac_sha1_key *key) {
    if (key == NULL) {
        return;
    }
    perc_secure_release(key, sizeof(*key));
    free(key);
}

perc_backend perc_hmac_sha1_key_backend(const perc_hmac_sha1_key *key) { return key->backend; }

void perc_hmac_sha1(const perc_hmac_sha1_key *key, const uint8_t *d1, size_t l1, const uint8_t *d2, size_t l2,
                    uint8_t mac[20]) {
    key->mac(key, d1, l1, d2, l2, mac);
}
