// SPDX-License-Identifier: Apache-2.0
// Copyright 2026 the swift-perc authors
//
// Intel ipsec-mb peer: the speed floor on x86_64. GCM through the direct API with a
// precomputed key (gcm128_pre: round keys and powers of H), AES-CTR + HMAC-SHA1 through the
// job manager in bursts. The library is loaded with dlopen() so that neither building nor
// linking needs it, and aarch64 builds carry no x86-only dependency.
#include "bench_peers.h"

#if defined(__x86_64__) && defined(__has_include)
#if __has_include(<intel-ipsec-mb.h>)
#define BENCH_HAVE_IPSECMB 1
#endif
#endif

#include <stdlib.h>
#include <string.h>

#ifdef BENCH_HAVE_IPSECMB
#include <dlfcn.h>
#include <intel-ipsec-mb.h>

static IMB_MGR *manager;
static const char *(*version_fn)(void);
static int load_state = 0;   // 0 = not tried, 1 = loaded, -1 = unavailable

int bench_ipsecmb_available(void) {
    if (load_state != 0) return load_state == 1;
    load_state = -1;
    void *lib = dlopen("libIPSec_MB.so.1", RTLD_NOW | RTLD_LOCAL);
    if (lib == NULL) lib = dlopen("libIPSec_MB.so", RTLD_NOW | RTLD_LOCAL);
    if (lib == NULL) return 0;
    IMB_MGR *(*alloc_fn)(uint64_t) = (IMB_MGR * (*)(uint64_t)) dlsym(lib, "alloc_mb_mgr");
    void (*init_fn)(IMB_MGR *, IMB_ARCH *) = (void (*)(IMB_MGR *, IMB_ARCH *))dlsym(lib, "init_mb_mgr_auto");
    version_fn = (const char *(*)(void))dlsym(lib, "imb_get_version_str");
    if (alloc_fn == NULL || init_fn == NULL) return 0;
    manager = alloc_fn(0);
    if (manager == NULL) return 0;
    IMB_ARCH arch;
    init_fn(manager, &arch);
    load_state = 1;
    return 1;
}

const char *bench_ipsecmb_version(void) {
    if (!bench_ipsecmb_available()) return "unavailable";
    return version_fn != NULL ? version_fn() : "unknown";
}

struct bench_ipsecmb_gcm {
    struct gcm_key_data key;   // must stay first: 64-byte aligned allocation
    int is256;
};

bench_ipsecmb_gcm *bench_ipsecmb_gcm_new(const uint8_t *key, size_t key_len) {
    if (!bench_ipsecmb_available() || (key_len != 16 && key_len != 32)) return NULL;
    bench_ipsecmb_gcm *g = aligned_alloc(64, (sizeof(*g) + 63) & ~(size_t)63);
    if (g == NULL) return NULL;
    memset(g, 0, sizeof(*g));
    g->is256 = key_len == 32;
    if (g->is256) {
        IMB_AES256_GCM_PRE(manager, key, &g->key);
    } else {
        IMB_AES128_GCM_PRE(manager, key, &g->key);
    }
    return g;
}

void bench_ipsecmb_gcm_free(bench_ipsecmb_gcm *g) { free(g); }

void bench_ipsecmb_gcm_seal(bench_ipsecmb_gcm *g, const uint8_t iv[12], const uint8_t *aad, size_t aad_len,
                            const uint8_t *in, uint8_t *out, size_t len, uint8_t tag[16]) {
    struct gcm_context_data ctx;
    if (g->is256) {
        IMB_AES256_GCM_ENC(manager, &g->key, &ctx, out, in, len, iv, aad, aad_len, tag, 16);
    } else {
        IMB_AES128_GCM_ENC(manager, &g->key, &ctx, out, in, len, iv, aad, aad_len, tag, 16);
    }
}

int bench_ipsecmb_gcm_open(bench_ipsecmb_gcm *g, const uint8_t iv[12], const uint8_t *aad, size_t aad_len,
                           const uint8_t *in, uint8_t *out, size_t len, const uint8_t tag[16]) {
    struct gcm_context_data ctx;
    uint8_t computed[16];
    if (g->is256) {
        IMB_AES256_GCM_DEC(manager, &g->key, &ctx, out, in, len, iv, aad, aad_len, computed, 16);
    } else {
        IMB_AES128_GCM_DEC(manager, &g->key, &ctx, out, in, len, iv, aad, aad_len, computed, 16);
    }
    uint8_t diff = 0;
    for (int i = 0; i < 16; i++) diff |= (uint8_t)(computed[i] ^ tag[i]);
    return diff == 0;
}

struct bench_ipsecmb_cm {
    uint32_t enc_keys[15 * 4] __attribute__((aligned(16)));
    uint32_t dec_keys[15 * 4] __attribute__((aligned(16)));
    uint8_t ipad[20] __attribute__((aligned(16)));
    uint8_t opad[20] __attribute__((aligned(16)));
    uint64_t key_len;
};

bench_ipsecmb_cm *bench_ipsecmb_cm_new(const uint8_t *key, size_t key_len, const uint8_t auth_key[20]) {
    if (!bench_ipsecmb_available() || (key_len != 16 && key_len != 32)) return NULL;
    bench_ipsecmb_cm *c = aligned_alloc(64, (sizeof(*c) + 63) & ~(size_t)63);
    if (c == NULL) return NULL;
    memset(c, 0, sizeof(*c));
    c->key_len = key_len;
    if (key_len == 16) {
        IMB_AES_KEYEXP_128(manager, key, c->enc_keys, c->dec_keys);
    } else {
        IMB_AES_KEYEXP_256(manager, key, c->enc_keys, c->dec_keys);
    }
    uint8_t block[64];
    for (int pad = 0; pad < 2; pad++) {
        memset(block, pad == 0 ? 0x36 : 0x5c, sizeof(block));
        for (int i = 0; i < 20; i++) block[i] ^= auth_key[i];
        IMB_SHA1_ONE_BLOCK(manager, block, pad == 0 ? c->ipad : c->opad);
    }
    return c;
}

void bench_ipsecmb_cm_free(bench_ipsecmb_cm *c) { free(c); }

size_t bench_ipsecmb_cm_protect_burst(bench_ipsecmb_cm *c, bench_cm_packet *packets, size_t n) {
    size_t completed = 0;
    for (size_t i = 0; i < n; i++) {
        bench_cm_packet *p = &packets[i];
        uint8_t *roc = p->buffer + p->len;
        roc[0] = (uint8_t)(p->roc >> 24);
        roc[1] = (uint8_t)(p->roc >> 16);
        roc[2] = (uint8_t)(p->roc >> 8);
        roc[3] = (uint8_t)p->roc;
        IMB_JOB *job = IMB_GET_NEXT_JOB(manager);
        job->cipher_direction = IMB_DIR_ENCRYPT;
        job->chain_order = IMB_ORDER_CIPHER_HASH;
        job->cipher_mode = IMB_CIPHER_CNTR;
        job->key_len_in_bytes = c->key_len;
        job->enc_keys = c->enc_keys;
        job->dec_keys = c->dec_keys;
        job->src = p->buffer;
        job->dst = p->buffer + p->header_len;
        job->cipher_start_src_offset_in_bytes = p->header_len;
        job->msg_len_to_cipher_in_bytes = p->len - p->header_len;
        job->iv = p->iv;
        job->iv_len_in_bytes = 16;
        job->hash_alg = IMB_AUTH_HMAC_SHA_1;
        job->hash_start_src_offset_in_bytes = 0;
        job->msg_len_to_hash_in_bytes = p->len + 4;
        job->auth_tag_output = p->tag;
        job->auth_tag_output_len_in_bytes = 12;
        job->u.HMAC._hashed_auth_key_xor_ipad = c->ipad;
        job->u.HMAC._hashed_auth_key_xor_opad = c->opad;
        job->user_data = p;
        job = IMB_SUBMIT_JOB(manager);
        while (job != NULL) {
            completed += job->status == IMB_STATUS_COMPLETED;
            job = IMB_GET_COMPLETED_JOB(manager);
        }
    }
    IMB_JOB *job;
    while ((job = IMB_FLUSH_JOB(manager)) != NULL) {
        completed += job->status == IMB_STATUS_COMPLETED;
    }
    return completed;
}

size_t bench_ipsecmb_cm_unprotect_burst(bench_ipsecmb_cm *c, bench_cm_packet *packets, const uint8_t *const *expected_tags,
                                        size_t tag_len, size_t n) {
    size_t verified = 0;
    for (size_t i = 0; i < n; i++) {
        bench_cm_packet *p = &packets[i];
        uint8_t *roc = p->buffer + p->len;
        roc[0] = (uint8_t)(p->roc >> 24);
        roc[1] = (uint8_t)(p->roc >> 16);
        roc[2] = (uint8_t)(p->roc >> 8);
        roc[3] = (uint8_t)p->roc;
        IMB_JOB *job = IMB_GET_NEXT_JOB(manager);
        job->cipher_direction = IMB_DIR_DECRYPT;
        job->chain_order = IMB_ORDER_HASH_CIPHER;
        job->cipher_mode = IMB_CIPHER_CNTR;
        job->key_len_in_bytes = c->key_len;
        job->enc_keys = c->enc_keys;
        job->dec_keys = c->enc_keys;   // CTR uses the encryption schedule both ways
        job->src = p->buffer;
        job->dst = p->buffer + p->header_len;
        job->cipher_start_src_offset_in_bytes = p->header_len;
        job->msg_len_to_cipher_in_bytes = p->len - p->header_len;
        job->iv = p->iv;
        job->iv_len_in_bytes = 16;
        job->hash_alg = IMB_AUTH_HMAC_SHA_1;
        job->hash_start_src_offset_in_bytes = 0;
        job->msg_len_to_hash_in_bytes = p->len + 4;
        job->auth_tag_output = p->tag;
        job->auth_tag_output_len_in_bytes = 12;
        job->u.HMAC._hashed_auth_key_xor_ipad = c->ipad;
        job->u.HMAC._hashed_auth_key_xor_opad = c->opad;
        job->user_data = (void *)(uintptr_t)i;
        job = IMB_SUBMIT_JOB(manager);
        while (job != NULL) {
            verified += job->status == IMB_STATUS_COMPLETED;
            job = IMB_GET_COMPLETED_JOB(manager);
        }
    }
    IMB_JOB *job;
    while ((job = IMB_FLUSH_JOB(manager)) != NULL) {
        verified += job->status == IMB_STATUS_COMPLETED;
    }
    // Tag check (constant time per packet), as an SRTP receiver must do.
    size_t matched = 0;
    for (size_t i = 0; i < n; i++) {
        uint8_t diff = 0;
        for (size_t j = 0; j < tag_len; j++) diff |= (uint8_t)(packets[i].tag[j] ^ expected_tags[i][j]);
        matched += diff == 0;
    }
    return verified < matched ? verified : matched;
}

#else   // no ipsec-mb on this platform

int bench_ipsecmb_available(void) { return 0; }
const char *bench_ipsecmb_version(void) { return "unavailable"; }
bench_ipsecmb_gcm *bench_ipsecmb_gcm_new(const uint8_t *key, size_t key_len) { (void)key; (void)key_len; return NULL; }
void bench_ipsecmb_gcm_free(bench_ipsecmb_gcm *g) { (void)g; }
void bench_ipsecmb_gcm_seal(bench_ipsecmb_gcm *g, const uint8_t iv[12], const uint8_t *aad, size_t aad_len,
                            const uint8_t *in, uint8_t *out, size_t len, uint8_t tag[16]) {
    (void)g; (void)iv; (void)aad; (void)aad_len; (void)in; (void)out; (void)len; (void)tag;
}
int bench_ipsecmb_gcm_open(bench_ipsecmb_gcm *g, const uint8_t iv[12], const uint8_t *aad, size_t aad_len,
                           const uint8_t *in, uint8_t *out, size_t len, const uint8_t tag[16]) {
    (void)g; (void)iv; (void)aad; (void)aad_len; (void)in; (void)out; (void)len; (void)tag;
    return 0;
}
bench_ipsecmb_cm *bench_ipsecmb_cm_new(const uint8_t *key, size_t key_len, const uint8_t auth_key[20]) {
    (void)key; (void)key_len; (void)auth_key;
    return NULL;
}
void bench_ipsecmb_cm_free(bench_ipsecmb_cm *c) { (void)c; }
size_t bench_ipsecmb_cm_protect_burst(bench_ipsecmb_cm *c, bench_cm_packet *packets, size_t n) {
    (void)c; (void)packets; (void)n;
    return 0;
}
size_t bench_ipsecmb_cm_unprotect_burst(bench_ipsecmb_cm *c, bench_cm_packet *packets, const uint8_t *const *expected_tags,
                                        size_t tag_len, size_t n) {
    (void)c; (void)packets; (void)expected_tags; (void)tag_len; (void)n;
    return 0;
}
#endif
