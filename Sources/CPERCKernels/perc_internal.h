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
typedef void (*perc_gcm_batch_fn)(perc_gcm_job *jobs, size_t count);
typedef int (*perc_gcm_double_seal_fn)(perc_gcm_key *inner, const uint8_t inner_iv[12], const uint8_t *inner_aad,
                                       size_t inner_aad_len, perc_gcm_key *outer, const uint8_t outer_iv[12],
                                       const uint8_t *outer_aad, size_t outer_aad_len, const uint8_t *in,
                                       uint8_t *out, size_t len, const uint8_t *ohb, size_t ohb_len,
                                       uint8_t outer_tag[16]);
typedef int (*perc_gcm_double_open_fn)(perc_gcm_key *inner, const uint8_t inner_iv[12], const uint8_t *inner_aad,
                                       size_t inner_aad_len, perc_gcm_key *outer, const uint8_t outer_iv[12],
                                       const uint8_t *outer_aad, size_t outer_aad_len, const uint8_t *in,
                                       uint8_t *out, size_t len, size_t ohb_len, const uint8_t outer_tag[16]);
/// Seals a pair of fan-out jobs (b may be NULL) over one shared plaintext.
typedef void (*perc_gcm_fanout_pair_fn)(const uint8_t *shared, size_t shared_len, perc_gcm_fanout_job *a,
                                        perc_gcm_fanout_job *b);
typedef int (*perc_ctr_xor_fn)(perc_ctr_key *key, const uint8_t iv[16], const uint8_t *in, uint8_t *out,
                               size_t len);
typedef void (*perc_sha1_compress_fn)(uint32_t state[5], const uint8_t *blocks, size_t nblocks);
typedef void (*perc_hmac_sha1_fn)(const perc_hmac_sha1_key *key, const uint8_t *d1, size_t l1,
                                  const uint8_t *d2, size_t l2, uint8_t mac[20]);

/// Number of GHASH key powers kept in a GCM key (the widest path aggregates 16 blocks).
#define PERC_GHASH_POWERS 16

struct perc_gcm_key {
    perc_backend backend;
    size_t key_len;
    perc_gcm_seal_fn seal;
    perc_gcm_open_fn open;
    perc_gcm_batch_fn seal_batch;   // NULL: the batch calls run `seal` per job
    perc_gcm_batch_fn open_batch;
    // Fused double transform and fan-out (NULL: dispatch.c makes the separate calls). Used
    // only when every key of the call has the same function.
    perc_gcm_double_seal_fn double_seal;
    perc_gcm_double_open_fn double_open;
    perc_gcm_fanout_pair_fn fanout_pair;
    void *evp;   // OpenSSL path: EVP_CIPHER_CTX *
    int rounds;  // ISA paths: 10 or 14
    // ISA paths. Round keys 0..rounds, in the byte order AESENC takes them.
    _Alignas(64) uint8_t round_keys[15][16];
    // The same round keys, each stored twice, so a 256-bit AES round reads one aligned operand.
    _Alignas(64) uint8_t round_keys_x2[15][32];
    // GHASH key powers, byte-reflected and multiplied by x^-1 (see gcm_aesni.c), stored from
    // H^16 down to H^1 so that the last n entries are the powers for an n-block run, then one
    // zero block so a 2-block vector load at the end of an odd-length run stays in bounds.
    _Alignas(64) uint8_t h_powers[PERC_GHASH_POWERS + 1][16];
    // For each power, (high half XOR low half) in both halves: Karatsuba's middle operand.
    _Alignas(64) uint8_t h_folds[PERC_GHASH_POWERS + 1][16];
};

struct perc_ctr_key {
    perc_backend backend;
    size_t key_len;
    perc_ctr_xor_fn xor_stream;
    void *evp;   // OpenSSL path: EVP_CIPHER_CTX *
    int rounds;  // ISA paths: 10, 12 or 14
    _Alignas(64) uint8_t round_keys[15][16];
    _Alignas(64) uint8_t round_keys_x2[15][32];
};

struct perc_hmac_sha1_key {
    perc_backend backend;
    perc_hmac_sha1_fn mac;
    perc_sha1_compress_fn compress;   // native paths: SHA-NI or portable C
    // SHA-1 chaining state after absorbing (key ^ ipad) and (key ^ opad): 5 words each.
    uint32_t inner[5];
    uint32_t outer[5];
};

// OpenSSL path (backend_openssl.c).
int perc_openssl_gcm_init(perc_gcm_key *key, const uint8_t *raw, size_t len);
void perc_openssl_gcm_cleanup(perc_gcm_key *key);
int perc_openssl_gcm_keystream(perc_gcm_key *key, const uint8_t iv[12], size_t offset, uint8_t *ks, size_t n);
int perc_openssl_ctr_init(perc_ctr_key *key, const uint8_t *raw, size_t len);
void perc_openssl_ctr_cleanup(perc_ctr_key *key);
int perc_openssl_hmac_sha1_init(perc_hmac_sha1_key *key, const uint8_t *raw, size_t len);

// Runtime CPU checks (cpu_x86.c); all return 0 off x86_64.
int perc_cpu_has_aesni(void);     // AES-NI, PCLMULQDQ, SSSE3, SSE4.1, AVX, AVX2
int perc_cpu_has_vaes256(void);   // + VAES, VPCLMULQDQ
int perc_cpu_has_vaes512(void);   // + AVX512F/BW/VL with OS ZMM state
int perc_cpu_has_shani(void);     // SHA extensions

// Runtime CPU checks (cpu_arm.c); both return 0 off aarch64 Linux.
int perc_cpu_has_armv8(void);        // ARMv8 Crypto Extensions: AES + PMULL (HWCAP)
int perc_cpu_has_armv8_sha1(void);   // ARMv8 SHA-1 instructions (HWCAP)

// SHA-1 compression (sha1_portable.c everywhere, sha1_shani.c on x86_64) and the HMAC on top.
void perc_sha1_compress_portable(uint32_t state[5], const uint8_t *blocks, size_t nblocks);
void perc_sha1_compress_shani(uint32_t state[5], const uint8_t *blocks, size_t nblocks);
/// Up to 4 independent SHA-1 computations of `nblocks` blocks each, interleaved (SHA-NI).
void perc_sha1_compress_shani_lanes(uint32_t *const state[], const uint8_t *const blocks[], int lanes,
                                    size_t nblocks);
int perc_native_hmac_sha1_init(perc_hmac_sha1_key *key, const uint8_t *raw, size_t len);

// x86_64 paths (defined only when __x86_64__).
int perc_aes_expand_aesni(const uint8_t *raw, size_t len, uint8_t round_keys[15][16]);   // returns rounds
int perc_aesni_gcm_tables(perc_gcm_key *key, const uint8_t *raw, size_t len);   // keys + H powers
int perc_aesni_gcm_init(perc_gcm_key *key, const uint8_t *raw, size_t len);
/// E(K, J0 + 1 + block) for one data block: the keystream block of data block `block`.
void perc_aesni_gcm_keystream_block(const perc_gcm_key *key, const uint8_t iv[12], uint32_t block, uint8_t ks[16]);
int perc_vaes256_gcm_init(perc_gcm_key *key, const uint8_t *raw, size_t len);
int perc_aesni_ctr_init(perc_ctr_key *key, const uint8_t *raw, size_t len);
int perc_vaes256_ctr_init(perc_ctr_key *key, const uint8_t *raw, size_t len);

// aarch64 paths (defined only when __aarch64__).
int perc_aes_expand_armv8(const uint8_t *raw, size_t len, uint8_t round_keys[15][16]);   // returns rounds
int perc_armv8_gcm_init(perc_gcm_key *key, const uint8_t *raw, size_t len);
/// E(K, J0 + 1 + block) for one data block: the keystream block of data block `block`.
void perc_armv8_gcm_keystream_block(const perc_gcm_key *key, const uint8_t iv[12], uint32_t block, uint8_t ks[16]);
int perc_armv8_ctr_init(perc_ctr_key *key, const uint8_t *raw, size_t len);
void perc_sha1_compress_armv8(uint32_t state[5], const uint8_t *blocks, size_t nblocks);

#endif
