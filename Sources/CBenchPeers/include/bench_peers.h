// SPDX-License-Identifier: Apache-2.0
// Copyright 2026 the swift-perc authors
//
// bench_peers.h: the raw crypto peers perc-bench measures our transforms against, called the
// fastest way each library allows (key set once, only the IV per packet), with no SRTP
// bookkeeping. Benchmarks only; nothing in the packet core uses this target.
//
// Intel ipsec-mb is loaded with dlopen() at run time, so this target needs the library
// neither to build nor to link; where it is missing (or the CPU is not x86_64) the ipsec-mb
// calls report that it is unavailable.
#ifndef BENCH_PEERS_H
#define BENCH_PEERS_H

#include <stddef.h>
#include <stdint.h>

// MARK: - OpenSSL EVP

typedef struct bench_openssl_gcm bench_openssl_gcm;
bench_openssl_gcm *bench_openssl_gcm_new(const uint8_t *key, size_t key_len);
void bench_openssl_gcm_free(bench_openssl_gcm *g);
/// Seals `len` bytes; returns 1 on success.
int bench_openssl_gcm_seal(bench_openssl_gcm *g, const uint8_t iv[12], const uint8_t *aad, size_t aad_len,
                           const uint8_t *in, uint8_t *out, size_t len, uint8_t tag[16]);
/// Opens `len` bytes and checks the tag; returns 1 when it verified.
int bench_openssl_gcm_open(bench_openssl_gcm *g, const uint8_t iv[12], const uint8_t *aad, size_t aad_len,
                           const uint8_t *in, uint8_t *out, size_t len, const uint8_t tag[16]);

typedef struct bench_openssl_cm bench_openssl_cm;
/// AES-CTR key (16/32 bytes) plus HMAC-SHA1 key (20 bytes).
bench_openssl_cm *bench_openssl_cm_new(const uint8_t *key, size_t key_len, const uint8_t auth_key[20]);
void bench_openssl_cm_free(bench_openssl_cm *c);
/// Encrypts in[hl..len) into out and writes HMAC-SHA1(out[0..len) || roc) truncated to tag_len.
int bench_openssl_cm_protect(bench_openssl_cm *c, const uint8_t iv[16], const uint8_t *in, uint8_t *out,
                             size_t header_len, size_t len, uint32_t roc, uint8_t *tag, size_t tag_len);
/// Verifies the tag over in[0..len) || roc, then decrypts in[hl..len) into out. Returns 1 on success.
int bench_openssl_cm_unprotect(bench_openssl_cm *c, const uint8_t iv[16], const uint8_t *in, uint8_t *out,
                               size_t header_len, size_t len, uint32_t roc, const uint8_t *tag, size_t tag_len);

/// "OpenSSL 3.0.x ..." of the loaded libcrypto.
const char *bench_openssl_version(void);

// MARK: - Intel ipsec-mb (x86_64)

/// Loads libIPSec_MB and initialises a manager for the best architecture. Returns 1 when
/// ipsec-mb is usable here.
int bench_ipsecmb_available(void);
/// The loaded library's version string, or "unavailable".
const char *bench_ipsecmb_version(void);

typedef struct bench_ipsecmb_gcm bench_ipsecmb_gcm;
bench_ipsecmb_gcm *bench_ipsecmb_gcm_new(const uint8_t *key, size_t key_len);
void bench_ipsecmb_gcm_free(bench_ipsecmb_gcm *g);
void bench_ipsecmb_gcm_seal(bench_ipsecmb_gcm *g, const uint8_t iv[12], const uint8_t *aad, size_t aad_len,
                            const uint8_t *in, uint8_t *out, size_t len, uint8_t tag[16]);
/// Opens and compares the tag (constant time); returns 1 when it verified.
int bench_ipsecmb_gcm_open(bench_ipsecmb_gcm *g, const uint8_t iv[12], const uint8_t *aad, size_t aad_len,
                           const uint8_t *in, uint8_t *out, size_t len, const uint8_t tag[16]);

/// One packet of an AES-CTR + HMAC-SHA1 burst. `buffer` holds header | payload | 4 spare
/// bytes (the ROC is written there for the MAC); the payload is encrypted in place.
typedef struct bench_cm_packet {
    uint8_t *buffer;
    size_t header_len;
    size_t len;          // header + payload
    uint32_t roc;
    uint8_t iv[16];
    uint8_t tag[12];     // the first 10 (or 4) bytes are the SRTP tag
} bench_cm_packet;

typedef struct bench_ipsecmb_cm bench_ipsecmb_cm;
bench_ipsecmb_cm *bench_ipsecmb_cm_new(const uint8_t *key, size_t key_len, const uint8_t auth_key[20]);
void bench_ipsecmb_cm_free(bench_ipsecmb_cm *c);
/// Encrypt-then-MAC `n` packets through the job manager (submitted together, then flushed).
/// Returns the number of jobs that completed.
size_t bench_ipsecmb_cm_protect_burst(bench_ipsecmb_cm *c, bench_cm_packet *packets, size_t n);
/// MAC-then-decrypt `n` packets (the tag computed into `tag` is compared with `expected_tag`
/// of `tag_len` bytes). Returns the number that completed and verified.
size_t bench_ipsecmb_cm_unprotect_burst(bench_ipsecmb_cm *c, bench_cm_packet *packets, const uint8_t *const *expected_tags,
                                        size_t tag_len, size_t n);

// MARK: - CPU

/// Pins the calling thread to `cpu`; returns 0 on success.
int bench_pin_to_cpu(int cpu);
/// Nanoseconds of CPU time the calling thread has used (CLOCK_THREAD_CPUTIME_ID).
uint64_t bench_thread_cpu_ns(void);

#endif
