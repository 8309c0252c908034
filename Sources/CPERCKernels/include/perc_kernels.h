// SPDX-License-Identifier: Apache-2.0
// Copyright 2026 the swift-perc authors
//
// perc_kernels.h: the crypto kernels under the SRTP/PERC transforms.
//
// Kernels are pure functions over bytes: pre-expanded keys, IVs, AAD and data in,
// ciphertext and tags out. They know nothing of SRTP. Every kernel family has a portable
// path (OpenSSL libcrypto) and may have ISA-specific paths; the path is chosen when a key is
// created and stored in the key, so a call never re-dispatches.
//
// Threading: a key may be used by one thread at a time (the OpenSSL path keeps a cipher
// context in it). Distinct keys are independent.
#ifndef PERC_KERNELS_H
#define PERC_KERNELS_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/// A crypto backend: which code path a key's kernels run on.
typedef enum perc_backend {
    PERC_BACKEND_OPENSSL = 0,  ///< OpenSSL libcrypto EVP, portable reference path.
    PERC_BACKEND_AESNI = 1,    ///< x86_64 AES-NI + PCLMULQDQ (+ SHA-NI where present).
    PERC_BACKEND_VAES512 = 2,  ///< x86_64 VAES + VPCLMULQDQ + AVX-512.
    PERC_BACKEND_ARMV8 = 3,    ///< aarch64 ARMv8 Crypto Extensions (AES, PMULL, SHA1).
    PERC_BACKEND_VAES256 = 4,  ///< x86_64 VAES + VPCLMULQDQ on 256-bit vectors (AVX2, no AVX-512).
    PERC_BACKEND_COUNT = 5
} perc_backend;

/// Returns 1 when `backend` can run on this CPU and is built into this library.
int perc_backend_is_available(perc_backend backend);

/// The backend new keys use by default: `PERC_CRYPTO_BACKEND` (openssl|aesni|vaes256|vaes512|armv8)
/// when set and available, otherwise the most capable available one. Decided once.
perc_backend perc_backend_default(void);

/// Short lower-case name of a backend ("openssl", "aesni", "vaes512", "armv8", "vaes256").
const char *perc_backend_name(perc_backend backend);

/// Parses a backend name; returns -1 when unknown.
int perc_backend_from_name(const char *name);

// MARK: - AES-GCM (96-bit IV, 128-bit tag)

typedef struct perc_gcm_key perc_gcm_key;

/// Expands a 16- or 32-byte AES key for GCM on `backend`. Returns NULL on a bad length,
/// an unavailable backend or allocation failure.
perc_gcm_key *perc_gcm_key_new(perc_backend backend, const uint8_t *key, size_t key_len);

/// Zeroes and frees a key. NULL is ignored.
void perc_gcm_key_free(perc_gcm_key *key);

/// The backend a key runs on.
perc_backend perc_gcm_key_backend(const perc_gcm_key *key);

/// Seals `len` bytes from `in` to `out` (which may equal `in`) and writes the 16-byte tag.
/// The AAD is `aad[0..aad_len) || aad2[0..aad2_len)` (aad2 may be NULL when aad2_len is 0).
/// Returns 1 on success, 0 on an internal failure.
int perc_gcm_seal(perc_gcm_key *key, const uint8_t iv[12],
                  const uint8_t *aad, size_t aad_len, const uint8_t *aad2, size_t aad2_len,
                  const uint8_t *in, uint8_t *out, size_t len, uint8_t tag[16]);

/// Opens `len` bytes of ciphertext from `in` into `out` (which may equal `in`) and checks
/// `tag` in constant time. Returns 1 when the tag verified. On failure returns 0 and releases
/// no plaintext: `out` holds the ciphertext again when `out == in`, zeros otherwise.
int perc_gcm_open(perc_gcm_key *key, const uint8_t iv[12],
                  const uint8_t *aad, size_t aad_len, const uint8_t *aad2, size_t aad2_len,
                  const uint8_t *in, uint8_t *out, size_t len, const uint8_t tag[16]);

/// One packet of a GCM batch. Jobs are independent: each names its own key (keys and
/// lengths may differ within a batch), IV, AAD parts, data and tag.
typedef struct perc_gcm_job {
    perc_gcm_key *key;
    const uint8_t *iv;                      ///< 12 bytes.
    const uint8_t *aad;                     ///< First AAD part (may be NULL when aad_len is 0).
    size_t aad_len;
    const uint8_t *aad2;                    ///< Second AAD part (may be NULL when aad2_len is 0).
    size_t aad2_len;
    const uint8_t *in;                      ///< `len` bytes of input.
    uint8_t *out;                           ///< `len` bytes of output; may equal `in`.
    size_t len;
    uint8_t *tag;                           ///< 16 bytes: written by seal, read by open.
    int result;                             ///< Set by the call: 1 on success (open: tag verified).
} perc_gcm_job;

/// Seals every job, as perc_gcm_seal would one at a time, and sets each job's `result`.
/// The x86 paths issue the keystreams of up to four short packets back to back before their
/// GHASH steps, so independent packets overlap in the pipeline (on AMD Zen 3 this measures
/// the same as back-to-back single calls; see gcm_vaes256.c); the armv8 path runs the
/// keystreams of two short packets in one interleaved AES round loop. Jobs must not overlap
/// each other's buffers; a key may appear in several jobs of one batch.
void perc_gcm_seal_batch(perc_gcm_job *jobs, size_t count);

/// Opens every job, as perc_gcm_open would one at a time (same failure contract per job:
/// `result` 0, `out` restored to the ciphertext when out == in, zeroed otherwise).
void perc_gcm_open_batch(perc_gcm_job *jobs, size_t count);

// MARK: - Fused double AES-GCM (RFC 8723) and fan-out

/// Longest Original Header Block the double calls accept (RFC 8723 allows 1..4 bytes).
#define PERC_DOUBLE_MAX_OHB 16

/// RFC 8723 double seal in one call: the inner (end-to-end) seal of `in[0..len)` under
/// `inner`/`inner_iv`/`inner_aad`, then the outer (hop-by-hop) seal of
/// `inner ciphertext || inner tag || ohb` under `outer`/`outer_iv`/`outer_aad`.
/// `out` receives the `len + 16 + ohb_len` bytes of outer ciphertext (`out` may equal `in`;
/// `ohb` must not overlap `out`), `outer_tag` the outer tag. The result is byte for byte
/// that of two perc_gcm_seal calls. When both keys run on one ISA path the two layers run in
/// one pass over the payload; otherwise this makes the two calls. Returns 1 on success.
int perc_gcm_double_seal(perc_gcm_key *inner, const uint8_t inner_iv[12], const uint8_t *inner_aad,
                         size_t inner_aad_len, perc_gcm_key *outer, const uint8_t outer_iv[12],
                         const uint8_t *outer_aad, size_t outer_aad_len, const uint8_t *in, uint8_t *out,
                         size_t len, const uint8_t *ohb, size_t ohb_len, uint8_t outer_tag[16]);

/// RFC 8723 double open in one call. `in[0..len)` is the outer ciphertext of
/// `inner ciphertext || inner tag || OHB`, the OHB being `ohb_len` bytes (the caller reads it
/// first with perc_gcm_ctr_peek); `outer_tag` is the outer tag. Both tags are checked in
/// constant time before the call returns. Returns 1 when both verified: `out[0..len)` then
/// holds `plaintext || inner tag || OHB` (exactly what two perc_gcm_open calls leave).
/// Returns 0 when the outer tag failed, -1 when the outer tag verified but the inner failed;
/// on either failure no plaintext is released: `out` holds the ciphertext again when
/// `out == in`, zeros otherwise (perc_gcm_open's contract).
int perc_gcm_double_open(perc_gcm_key *inner, const uint8_t inner_iv[12], const uint8_t *inner_aad,
                         size_t inner_aad_len, perc_gcm_key *outer, const uint8_t outer_iv[12],
                         const uint8_t *outer_aad, size_t outer_aad_len, const uint8_t *in, uint8_t *out,
                         size_t len, size_t ohb_len, const uint8_t outer_tag[16]);

/// Counter-mode decrypts bytes `[offset, offset + n)` of a GCM ciphertext of `key`/`iv`
/// into `out` WITHOUT authenticating anything (n <= 16). For a receiver that must read the
/// few trailing bytes that choose the rest of its work (the OHB) before the authenticated
/// open; nothing it returns may be acted on unless that open succeeds. Returns 1 on success.
int perc_gcm_ctr_peek(perc_gcm_key *key, const uint8_t iv[12], size_t offset, const uint8_t *in, uint8_t *out,
                      size_t n);

/// One receiver of a fan-out: its own key, IV, AAD and trailing bytes (the OHB it gets).
typedef struct perc_gcm_fanout_job {
    perc_gcm_key *key;
    const uint8_t *iv;                      ///< 12 bytes.
    const uint8_t *aad;                     ///< AAD (the copy's header); may be NULL when aad_len is 0.
    size_t aad_len;
    const uint8_t *tail;                    ///< Plaintext after the shared part (0..16 bytes).
    size_t tail_len;
    uint8_t *out;                           ///< shared_len + tail_len bytes of ciphertext, written.
    uint8_t *tag;                           ///< 16 bytes, written.
    int result;                             ///< Set by the call: 1 on success.
} perc_gcm_fanout_job;

/// Fan-out seal: job i gets perc_gcm_seal(key_i, iv_i, aad_i, shared || tail_i) into out_i and
/// tag_i. On the ISA paths jobs run in pairs that share each load of `shared` and run their
/// two AES chains interleaved. `shared` must not overlap any job's out. Keys may differ in
/// length and backend.
void perc_gcm_seal_fanout(const uint8_t *shared, size_t shared_len, perc_gcm_fanout_job *jobs, size_t count);

// MARK: - AES-CTR (RFC 3711 AES-CM: a 128-bit counter block, whole-block increment)

typedef struct perc_ctr_key perc_ctr_key;

/// Expands a 16-, 24- or 32-byte AES key for counter mode.
perc_ctr_key *perc_ctr_key_new(perc_backend backend, const uint8_t *key, size_t key_len);
void perc_ctr_key_free(perc_ctr_key *key);
perc_backend perc_ctr_key_backend(const perc_ctr_key *key);

/// XORs the keystream E(k, iv), E(k, iv+1), ... onto `len` bytes (in may equal out).
/// Returns 1 on success.
int perc_ctr_xor(perc_ctr_key *key, const uint8_t iv[16], const uint8_t *in, uint8_t *out, size_t len);

// MARK: - HMAC-SHA1

typedef struct perc_hmac_sha1_key perc_hmac_sha1_key;

/// Precomputes the inner and outer SHA-1 states for an HMAC key of any length.
perc_hmac_sha1_key *perc_hmac_sha1_key_new(perc_backend backend, const uint8_t *key, size_t key_len);
void perc_hmac_sha1_key_free(perc_hmac_sha1_key *key);
perc_backend perc_hmac_sha1_key_backend(const perc_hmac_sha1_key *key);

/// HMAC-SHA1 over `d1[0..l1) || d2[0..l2)` (d2 may be NULL when l2 is 0) into `mac`.
void perc_hmac_sha1(const perc_hmac_sha1_key *key, const uint8_t *d1, size_t l1,
                    const uint8_t *d2, size_t l2, uint8_t mac[20]);

/// One message of an HMAC-SHA1 batch.
typedef struct perc_hmac_sha1_job {
    const perc_hmac_sha1_key *key;
    const uint8_t *d1;                      ///< First part (may be NULL when l1 is 0).
    size_t l1;
    const uint8_t *d2;                      ///< Second part (may be NULL when l2 is 0).
    size_t l2;
    uint8_t *mac;                           ///< 20 bytes, written.
} perc_hmac_sha1_job;

/// Computes every job's MAC, as perc_hmac_sha1 would one at a time (keys and lengths may
/// differ). With SHA-NI, groups of up to four messages run their SHA-1 blocks interleaved.
void perc_hmac_sha1_batch(perc_hmac_sha1_job *jobs, size_t count);

/// Runs one SHA-1 compression implementation over `nblocks` 64-byte blocks: `impl` 0 is the
/// portable C path, 1 the SHA-NI path (x86_64), 2 the ARMv8 SHA1 path (aarch64). For differential tests of the paths an HMAC key does
/// not let the caller choose. Returns 0 (state untouched) when `impl` is not available here.
int perc_sha1_compress_impl(int impl, uint32_t state[5], const uint8_t *blocks, size_t nblocks);

// MARK: - AES key wrap (RFC 3394) and key wrap with padding (RFC 5649)

/// Wraps `in` under a 16-, 24- or 32-byte KEK. `padded` selects RFC 5649 (any length
/// 1..4096) instead of RFC 3394 (a multiple of 8, at least 16). `out` needs `in_len + 15`
/// bytes. Returns the output length, or 0 on a bad length.
size_t perc_aes_keywrap(int padded, const uint8_t *kek, size_t kek_len,
                        const uint8_t *in, size_t in_len, uint8_t *out);

/// Unwraps and checks integrity; `out` needs `in_len` bytes. Returns the plaintext length,
/// or 0 when the integrity check failed or a length was bad (then `out` is zeroed).
size_t perc_aes_keyunwrap(int padded, const uint8_t *kek, size_t kek_len,
                          const uint8_t *in, size_t in_len, uint8_t *out);

// MARK: - Helpers

/// Starts loading the cache line holding `p` (a hint: never faults, changes nothing).
/// Inline, so callers in Swift pay one instruction.
static inline void perc_prefetch(const void *p) { __builtin_prefetch(p, 0, 3); }

/// Starts loading every cache line of `p[0..n)` (a hint, as perc_prefetch).
static inline void perc_prefetch_range(const void *p, size_t n) {
    const char *c = (const char *)p;
    for (size_t i = 0; i < n; i += 64) {
        __builtin_prefetch(c + i, 0, 3);
    }
    if (n > 0) {
        __builtin_prefetch(c + n - 1, 0, 3);
    }
}

/// Returns 1 when the `n` bytes at `a` and `b` are equal; time depends only on `n`.
int perc_ct_equal(const void *a, const void *b, size_t n);

/// Zeroes `n` bytes in a way the compiler does not remove.
void perc_secure_zero(void *p, size_t n);

/// Zeroes the `n` bytes of key memory at `p` that is about to be freed, then shows them to the
/// release observer, if one is set. Every key type calls it before its memory goes back to
/// the allocator (the C keys here, `SecretBytes` in Swift).
void perc_secure_release(void *p, size_t n);

/// Test hook: a function that sees the memory of every released key after it was zeroed and
/// before it is freed (so a test can check that nothing is left). It may be called from any
/// thread; it must not keep the pointer.
typedef void (*perc_release_observer)(const void *memory, size_t size);

/// Sets (or with NULL removes) the release observer. For tests only.
void perc_set_release_observer(perc_release_observer observer);

#ifdef __cplusplus
}
#endif
#endif
