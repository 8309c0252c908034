// SPDX-License-Identifier: Apache-2.0
// Copyright 2026 the swift-perc authors
//
// The C kernel test driver for the aarch64 paths (built and run by Tools/test-aarch64.sh,
// cross-compiled with aarch64-linux-gnu-gcc and run under qemu-aarch64-static -cpu max).
// It goes through the public kernel API (perc_kernels.h) and dispatch.c, so it also checks
// that HWCAP detection selects the armv8 backend. It checks:
//
// - backend choice: armv8 is available, is the default (with and without
//   PERC_CRYPTO_BACKEND=armv8), keys report it, and the ARMv8 SHA-1 path is selectable;
// - official vectors: NIST GCM test cases 1-4 and 13-16 (McGrew and Viega, "The Galois/Counter
//   Mode of Operation", Appendix B), the RFC 7714 Sections 16-17 SRTP/SRTCP packets and the
//   RFC 3711 B.2 / RFC 6188 7.1, 7.3 AES-CM keystreams (first and last 48 bytes of the
//   65282-block keystream; read from Tests/Fixtures via gen_fixtures.py), RFC 2202 HMAC-SHA1
//   cases 1-7 and the FIPS 180 "abc" block;
// - differential checks against reference.c (AES, GHASH bit by bit, SHA-1): GCM seal/open at
//   every length 0..1500 with 128- and 256-bit keys, every AAD length 0..100 at every split
//   point of the two AAD parts, unaligned buffers, in-place and out-of-place; the open failure
//   contract (in place: ciphertext intact; out of place: zeros); AES-CM at every length
//   0..1500 with 128/192/256-bit keys and counters just below a 64- and a 128-bit carry;
//   HMAC-SHA1 at every length 0..1500 with every key length 0..100 cycled and both data
//   splits; SHA-1 compression on random multi-block input; the batch entry points.
//
// The closing line is "aarch64 kernels: N passed, M failed"; the exit status is 0 only when
// M is 0. With --choice-only it runs the backend-choice checks alone (the script's second run,
// with PERC_CRYPTO_BACKEND=armv8 set); with --fail-fast it stops at the first failed check
// (the script's --mutate runs, which only need to know that a mutant is caught).
#include "perc_internal.h"
#include "reference.h"
#include "fixtures.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static unsigned long passed, failed;
static int fail_fast;   // --fail-fast: stop at the first failed check (the script's mutation runs)

#define CHECK(cond, ...)                                                                                           \
    do {                                                                                                           \
        if (cond) {                                                                                                \
            passed++;                                                                                              \
        } else {                                                                                                   \
            failed++;                                                                                              \
            if (failed <= 20) {                                                                                    \
                fprintf(stderr, "FAIL %s:%d: ", __FILE__, __LINE__);                                               \
                fprintf(stderr, __VA_ARGS__);                                                                      \
                fputc('\n', stderr);                                                                               \
            }                                                                                                      \
            if (fail_fast) {                                                                                       \
                printf("aarch64 kernels: stopped at the first failure (%lu passed before it)\n", passed);          \
                exit(1);                                                                                           \
            }                                                                                                      \
        }                                                                                                          \
    } while (0)

// MARK: - Helpers

static uint64_t rng_state = 0x9e3779b97f4a7c15ULL;

static uint64_t rng_next(void) {   // xorshift64*
    rng_state ^= rng_state >> 12;
    rng_state ^= rng_state << 25;
    rng_state ^= rng_state >> 27;
    return rng_state * 0x2545f4914f6cdd1dULL;
}

static void rng_bytes(uint8_t *p, size_t n) {
    for (size_t i = 0; i < n; i++) {
        p[i] = (uint8_t)(rng_next() >> 56);
    }
}

static size_t unhex(const char *s, uint8_t *out) {
    size_t n = strlen(s) / 2;
    for (size_t i = 0; i < n; i++) {
        unsigned v;
        sscanf(s + 2 * i, "%2x", &v);
        out[i] = (uint8_t)v;
    }
    return n;
}

static int all_zero(const uint8_t *p, size_t n) {
    for (size_t i = 0; i < n; i++) {
        if (p[i] != 0) {
            return 0;
        }
    }
    return 1;
}

#define MAX_LEN 1500
#define MAX_AAD 100

// MARK: - Backend choice

static void test_backend_choice(void) {
    CHECK(perc_backend_is_available(PERC_BACKEND_ARMV8) == 1, "armv8 not available (HWCAP AES/PMULL)");
    CHECK(perc_cpu_has_armv8_sha1() == 1, "HWCAP SHA1 not reported");
    CHECK(perc_backend_is_available(PERC_BACKEND_AESNI) == 0 && perc_backend_is_available(PERC_BACKEND_VAES256) == 0 &&
              perc_backend_is_available(PERC_BACKEND_VAES512) == 0,
          "an x86 backend claims to be available on aarch64");
    CHECK(perc_backend_default() == PERC_BACKEND_ARMV8, "default backend is %s", perc_backend_name(perc_backend_default()));
    const uint8_t raw[32] = {1};
    perc_gcm_key *g = perc_gcm_key_new(PERC_BACKEND_ARMV8, raw, 16);
    perc_ctr_key *c = perc_ctr_key_new(PERC_BACKEND_ARMV8, raw, 24);
    perc_hmac_sha1_key *h = perc_hmac_sha1_key_new(PERC_BACKEND_ARMV8, raw, 20);
    CHECK(g && perc_gcm_key_backend(g) == PERC_BACKEND_ARMV8, "gcm key backend");
    CHECK(c && perc_ctr_key_backend(c) == PERC_BACKEND_ARMV8, "ctr key backend");
    CHECK(h && perc_hmac_sha1_key_backend(h) == PERC_BACKEND_ARMV8 && h->compress == perc_sha1_compress_armv8,
          "hmac key backend or compression path");
    CHECK(perc_gcm_key_new(PERC_BACKEND_ARMV8, raw, 24) == NULL, "GCM accepted a 24-byte key");
    CHECK(perc_gcm_key_new(PERC_BACKEND_AESNI, raw, 16) == NULL, "an AES-NI key was created on aarch64");
    // The stub OpenSSL path (openssl_stub.c) can never hand out a key, so nothing below can
    // accidentally be testing it.
    CHECK(perc_gcm_key_new(PERC_BACKEND_OPENSSL, raw, 16) == NULL, "stub OpenSSL key created");
    perc_gcm_key_free(g);
    perc_ctr_key_free(c);
    perc_hmac_sha1_key_free(h);
}

// MARK: - GCM

/// McGrew and Viega, "The Galois/Counter Mode of Operation (GCM)", Appendix B, test cases
/// 1-4 (AES-128) and 13-16 (AES-256).
static const struct {
    const char *name, *key, *iv, *plaintext, *aad, *ciphertext, *tag;
} nist_gcm[] = {
    {"1", "00000000000000000000000000000000", "000000000000000000000000", "", "", "",
     "58e2fccefa7e3061367f1d57a4e7455a"},
    {"2", "00000000000000000000000000000000", "000000000000000000000000", "00000000000000000000000000000000", "",
     "0388dace60b6a392f328c2b971b2fe78", "ab6e47d42cec13bdf53a67b21257bddf"},
    {"3", "feffe9928665731c6d6a8f9467308308", "cafebabefacedbaddecaf888",
     "d9313225f88406e5a55909c5aff5269a86a7a9531534f7da2e4c303d8a318a721c3c0c95956809532fcf0e2449a6b525b16aedf5aa0de657ba"
     "637b391aafd255",
     "",
     "42831ec2217774244b7221b784d0d49ce3aa212f2c02a4e035c17e2329aca12e21d514b25466931c7d8f6a5aac84aa051ba30b396a0aac97"
     "3d58e091473f5985",
     "4d5c2af327cd64a62cf35abd2ba6fab4"},
    {"4", "feffe9928665731c6d6a8f9467308308", "cafebabefacedbaddecaf888",
     "d9313225f88406e5a55909c5aff5269a86a7a9531534f7da2e4c303d8a318a721c3c0c95956809532fcf0e2449a6b525b16aedf5aa0de657ba"
     "637b39",
     "feedfacedeadbeeffeedfacedeadbeefabaddad2",
     "42831ec2217774244b7221b784d0d49ce3aa212f2c02a4e035c17e2329aca12e21d514b25466931c7d8f6a5aac84aa051ba30b396a0aac97"
     "3d58e091",
     "5bc94fbc3221a5db94fae95ae7121a47"},
    {"13", "0000000000000000000000000000000000000000000000000000000000000000", "000000000000000000000000", "", "", "",
     "530f8afbc74536b9a963b4f1c4cb738b"},
    {"14", "0000000000000000000000000000000000000000000000000000000000000000", "000000000000000000000000",
     "00000000000000000000000000000000", "", "cea7403d4d606b6e074ec5d3baf39d18", "d0d1c8a799996bf0265b98b5d48ab919"},
    {"15", "feffe9928665731c6d6a8f9467308308feffe9928665731c6d6a8f9467308308", "cafebabefacedbaddecaf888",
     "d9313225f88406e5a55909c5aff5269a86a7a9531534f7da2e4c303d8a318a721c3c0c95956809532fcf0e2449a6b525b16aedf5aa0de657ba"
     "637b391aafd255",
     "",
     "522dc1f099567d07f47f37a32a84427d643a8cdcbfe5c0c97598a2bd2555d1aa8cb08e48590dbb3da7b08b1056828838c5f61e6393ba7a0a"
     "bcc9f662898015ad",
     "b094dac5d93471bdec1a502270e3cc6c"},
    {"16", "feffe9928665731c6d6a8f9467308308feffe9928665731c6d6a8f9467308308", "cafebabefacedbaddecaf888",
     "d9313225f88406e5a55909c5aff5269a86a7a9531534f7da2e4c303d8a318a721c3c0c95956809532fcf0e2449a6b525b16aedf5aa0de657ba"
     "637b39",
     "feedfacedeadbeeffeedfacedeadbeefabaddad2",
     "522dc1f099567d07f47f37a32a84427d643a8cdcbfe5c0c97598a2bd2555d1aa8cb08e48590dbb3da7b08b1056828838c5f61e6393ba7a0a"
     "bcc9f662",
     "76fc6ece0f4e1768cddf8853bb2d551b"},
};

/// Seals with the kernel and checks against the expected bytes, then opens (in place and out
/// of place) and checks the plaintext, then checks the failure contract with a flipped tag.
static void gcm_check(const char *what, const uint8_t *key, size_t key_len, const uint8_t *iv, const uint8_t *a1,
                      size_t l1, const uint8_t *a2, size_t l2, const uint8_t *pt, size_t len, const uint8_t *ct_expected,
                      const uint8_t *tag_expected, size_t offset) {
    static uint8_t in_buf[MAX_LEN + 64], out_buf[MAX_LEN + 64];
    uint8_t tag[16];
    perc_gcm_key *k = perc_gcm_key_new(PERC_BACKEND_ARMV8, key, key_len);
    if (k == NULL) {
        CHECK(0, "%s: key", what);
        return;
    }
    uint8_t *in = in_buf + offset, *out = out_buf + (offset * 3 + 1) % 16;
    memcpy(in, pt, len);
    CHECK(perc_gcm_seal(k, iv, a1, l1, a2, l2, in, out, len, tag) == 1, "%s: seal result", what);
    CHECK(memcmp(out, ct_expected, len) == 0 && memcmp(tag, tag_expected, 16) == 0, "%s: seal output/tag", what);
    // Open out of place, then in place.
    CHECK(perc_gcm_open(k, iv, a1, l1, a2, l2, out, in, len, tag) == 1 && memcmp(in, pt, len) == 0,
          "%s: open out of place", what);
    CHECK(perc_gcm_open(k, iv, a1, l1, a2, l2, out, out, len, tag) == 1 && memcmp(out, pt, len) == 0,
          "%s: open in place", what);
    // Failure: a flipped tag bit (position varies with the length) must release nothing.
    memcpy(out, ct_expected, len);
    tag[len % 16] ^= (uint8_t)(1u << (len % 8));
    memset(in, 0xa5, len);
    CHECK(perc_gcm_open(k, iv, a1, l1, a2, l2, out, in, len, tag) == 0 && all_zero(in, len),
          "%s: forged open out of place did not zero the output", what);
    CHECK(perc_gcm_open(k, iv, a1, l1, a2, l2, out, out, len, tag) == 0 && memcmp(out, ct_expected, len) == 0,
          "%s: forged open in place did not keep the ciphertext", what);
    perc_gcm_key_free(k);
}

static void test_gcm_vectors(void) {
    for (size_t i = 0; i < sizeof(nist_gcm) / sizeof(nist_gcm[0]); i++) {
        uint8_t key[32], iv[12], pt[64], aad[32], ct[64], tag[16];
        const size_t kl = unhex(nist_gcm[i].key, key), al = unhex(nist_gcm[i].aad, aad);
        const size_t len = unhex(nist_gcm[i].plaintext, pt);
        unhex(nist_gcm[i].iv, iv);
        CHECK(unhex(nist_gcm[i].ciphertext, ct) == len, "NIST case %s: lengths", nist_gcm[i].name);
        unhex(nist_gcm[i].tag, tag);
        char what[64];
        snprintf(what, sizeof(what), "NIST GCM case %s", nist_gcm[i].name);
        // The AAD in one part, then split in two.
        gcm_check(what, key, kl, iv, aad, al, NULL, 0, pt, len, ct, tag, 0);
        gcm_check(what, key, kl, iv, aad, al / 2, aad + al / 2, al - al / 2, pt, len, ct, tag, 3);
    }
    for (size_t i = 0; i < GCM_FIXTURE_COUNT; i++) {
        const gcm_fixture *f = &gcm_fixtures[i];
        // SRTCP's AAD is header || E+index: the two parts the transform passes.
        const size_t split = f->aad_len < 8 ? f->aad_len : 8;
        gcm_check(f->name, f->key, f->key_len, f->iv, f->aad, split, f->aad + split, f->aad_len - split, f->plaintext,
                  f->len, f->ciphertext, f->tag, 5);
    }
}

/// Every text length 0..1500 (AAD length cycling 0..100, split point cycling), and every AAD
/// length 0..100 at every split point (short texts), against reference.c.
static void test_gcm_differential(void) {
    static uint8_t pt[MAX_LEN], ct[MAX_LEN], aad[MAX_AAD];
    uint8_t key[32], iv[12], tag[16];
    char what[96];
    for (size_t key_len = 16; key_len <= 32; key_len += 16) {
        for (size_t len = 0; len <= MAX_LEN; len++) {
            rng_bytes(key, key_len);
            rng_bytes(iv, 12);
            rng_bytes(pt, len);
            const size_t al = len % (MAX_AAD + 1), split = (len * 7) % (al + 1);
            rng_bytes(aad, al);
            ref_gcm_seal(key, key_len, iv, aad, split, aad + split, al - split, pt, ct, len, tag);
            snprintf(what, sizeof(what), "GCM-%zu len %zu aad %zu split %zu", key_len * 8, len, al, split);
            gcm_check(what, key, key_len, iv, aad, split, aad + split, al - split, pt, len, ct, tag, len % 16);
        }
        for (size_t al = 0; al <= MAX_AAD; al++) {
            for (size_t split = 0; split <= al; split++) {
                const size_t len = (al + split) % 40;
                rng_bytes(key, key_len);
                rng_bytes(iv, 12);
                rng_bytes(pt, len);
                rng_bytes(aad, al);
                ref_gcm_seal(key, key_len, iv, aad, split, aad + split, al - split, pt, ct, len, tag);
                snprintf(what, sizeof(what), "GCM-%zu aad %zu split %zu len %zu", key_len * 8, al, split, len);
                gcm_check(what, key, key_len, iv, aad, split, aad + split, al - split, pt, len, ct, tag, split % 16);
            }
        }
    }
}

/// The batch entry points (run per job on this path) must equal single calls.
static void test_gcm_batch(void) {
    enum { JOBS = 7 };
    uint8_t key[32], iv[JOBS][12], aad[JOBS][20], pt[JOBS][300], out[JOBS][300], tag[JOBS][16], ref_ct[300], ref_tag[16];
    perc_gcm_key *keys[2];
    rng_bytes(key, 32);
    keys[0] = perc_gcm_key_new(PERC_BACKEND_ARMV8, key, 16);
    keys[1] = perc_gcm_key_new(PERC_BACKEND_ARMV8, key, 32);
    perc_gcm_job jobs[JOBS];
    for (int j = 0; j < JOBS; j++) {
        rng_bytes(iv[j], 12);
        rng_bytes(aad[j], 20);
        rng_bytes(pt[j], 300);
        jobs[j] = (perc_gcm_job){.key = keys[j % 2], .iv = iv[j], .aad = aad[j], .aad_len = 12, .aad2 = aad[j] + 12,
                                 .aad2_len = (size_t)j, .in = pt[j], .out = out[j], .len = (size_t)(37 * j + 5),
                                 .tag = tag[j], .result = -1};
    }
    perc_gcm_seal_batch(jobs, JOBS);
    for (int j = 0; j < JOBS; j++) {
        ref_gcm_seal(key, j % 2 ? 32 : 16, iv[j], aad[j], 12, aad[j] + 12, (size_t)j, pt[j], ref_ct, jobs[j].len, ref_tag);
        CHECK(jobs[j].result == 1 && memcmp(out[j], ref_ct, jobs[j].len) == 0 && memcmp(tag[j], ref_tag, 16) == 0,
              "GCM seal batch job %d", j);
        jobs[j].in = out[j];   // open in place; job 3 carries a forged tag
    }
    tag[3][0] ^= 1;
    perc_gcm_open_batch(jobs, JOBS);
    for (int j = 0; j < JOBS; j++) {
        if (j == 3) {
            CHECK(jobs[j].result == 0, "GCM open batch accepted a forged tag");
        } else {
            CHECK(jobs[j].result == 1 && memcmp(out[j], pt[j], jobs[j].len) == 0, "GCM open batch job %d", j);
        }
    }
    perc_gcm_key_free(keys[0]);
    perc_gcm_key_free(keys[1]);
}

// MARK: - Fused double transform, fan-out, batch and keystream peek

/// Both layers of RFC 8723 built from two reference seals: the inner seal of pt, then the
/// outer seal of inner ciphertext || inner tag || ohb. `mid` receives the outer plaintext.
static void ref_double_seal(const uint8_t *ki, size_t kil, const uint8_t *iv_i, const uint8_t *aad_i, size_t la_i,
                            const uint8_t *ko, size_t kol, const uint8_t *iv_o, const uint8_t *aad_o, size_t la_o,
                            const uint8_t *pt, size_t len, const uint8_t *ohb, size_t ohb_len, uint8_t *mid,
                            uint8_t *ct, uint8_t tag_o[16]) {
    ref_gcm_seal(ki, kil, iv_i, aad_i, la_i, NULL, 0, pt, mid, len, mid + len);
    memcpy(mid + len + 16, ohb, ohb_len);
    ref_gcm_seal(ko, kol, iv_o, aad_o, la_o, NULL, 0, mid, ct, len + 16 + ohb_len, tag_o);
}

/// One double transform case: the fused seal against the expected outer ciphertext and tag
/// (in place and out of place), against two separate single seals, then the fused open (in
/// place with the tag right behind the ciphertext, and out of place) and its two failure
/// modes: a forged outer tag (result 0) and an outer-valid packet whose inner layer was
/// forged (result -1); on both, `out` keeps the ciphertext (in place) or is zeroed.
static void double_check(const char *what, perc_gcm_key *ki, const uint8_t *iv_i, const uint8_t *aad_i, size_t la_i,
                         perc_gcm_key *ko, const uint8_t *iv_o, const uint8_t *aad_o, size_t la_o, const uint8_t *pt,
                         size_t len, const uint8_t *ohb, size_t ohb_len, const uint8_t *mid, const uint8_t *ct_expected,
                         const uint8_t *tag_expected) {
    static uint8_t buf[MAX_LEN + 128], out_buf[MAX_LEN + 128], forged[MAX_LEN + 64];
    const size_t olen = len + 16 + ohb_len;
    uint8_t tag[16], tag2[16];
    uint8_t *out = out_buf + (len * 5 + 3) % 16;
    // Seal out of place, in place, and as two single seals.
    memset(out, 0x5a, olen);
    CHECK(perc_gcm_double_seal(ki, iv_i, aad_i, la_i, ko, iv_o, aad_o, la_o, pt, out, len, ohb, ohb_len, tag) == 1 &&
              memcmp(out, ct_expected, olen) == 0 && memcmp(tag, tag_expected, 16) == 0,
          "%s: double seal out of place", what);
    memcpy(buf, pt, len);
    CHECK(perc_gcm_double_seal(ki, iv_i, aad_i, la_i, ko, iv_o, aad_o, la_o, buf, buf, len, ohb, ohb_len, tag) == 1 &&
              memcmp(buf, ct_expected, olen) == 0 && memcmp(tag, tag_expected, 16) == 0,
          "%s: double seal in place", what);
    CHECK(perc_gcm_seal(ki, iv_i, aad_i, la_i, NULL, 0, pt, out, len, out + len) == 1 &&
              (memcpy(out + len + 16, ohb, ohb_len), 1) &&
              perc_gcm_seal(ko, iv_o, aad_o, la_o, NULL, 0, out, out, olen, tag2) == 1 &&
              memcmp(out, buf, olen) == 0 && memcmp(tag2, tag, 16) == 0,
          "%s: fused double seal differs from two single seals", what);
    // Open in place, the outer tag stored right after the ciphertext, then out of place.
    memcpy(buf, ct_expected, olen);
    memcpy(buf + olen, tag_expected, 16);
    CHECK(perc_gcm_double_open(ki, iv_i, aad_i, la_i, ko, iv_o, aad_o, la_o, buf, buf, olen, ohb_len, buf + olen) == 1 &&
              memcmp(buf, pt, len) == 0 && memcmp(buf + len, mid + len, 16 + ohb_len) == 0,
          "%s: double open in place", what);
    memcpy(buf, ct_expected, olen);
    CHECK(perc_gcm_double_open(ki, iv_i, aad_i, la_i, ko, iv_o, aad_o, la_o, buf, out, olen, ohb_len,
                               tag_expected) == 1 &&
              memcmp(out, pt, len) == 0 && memcmp(out + len, mid + len, 16 + ohb_len) == 0 &&
              memcmp(buf, ct_expected, olen) == 0,
          "%s: double open out of place", what);
    // A forged outer tag.
    memcpy(tag2, tag_expected, 16);
    tag2[len % 16] ^= (uint8_t)(0x80u >> (len % 8));
    CHECK(perc_gcm_double_open(ki, iv_i, aad_i, la_i, ko, iv_o, aad_o, la_o, buf, buf, olen, ohb_len, tag2) == 0 &&
              memcmp(buf, ct_expected, olen) == 0,
          "%s: forged outer tag, in place: result or ciphertext", what);
    memset(out, 0xa5, olen);
    CHECK(perc_gcm_double_open(ki, iv_i, aad_i, la_i, ko, iv_o, aad_o, la_o, buf, out, olen, ohb_len, tag2) == 0 &&
              all_zero(out, olen),
          "%s: forged outer tag, out of place: result or zeros", what);
    // An outer-valid packet over a forged inner layer: one bit of the inner ciphertext (or,
    // for an empty payload, of the inner tag) flipped, then sealed again by the outer layer.
    memcpy(forged, mid, olen);
    const size_t at = len % 3 == 0 ? len + len % 16 : (len * 7 + 3) % len;
    forged[at] ^= (uint8_t)(1u << (len % 8));
    CHECK(perc_gcm_seal(ko, iv_o, aad_o, la_o, NULL, 0, forged, forged, olen, tag2) == 1, "%s: outer reseal", what);
    memcpy(buf, forged, olen);
    CHECK(perc_gcm_double_open(ki, iv_i, aad_i, la_i, ko, iv_o, aad_o, la_o, buf, buf, olen, ohb_len, tag2) == -1 &&
              memcmp(buf, forged, olen) == 0,
          "%s: forged inner layer, in place: result or ciphertext", what);
    memset(out, 0xa5, olen);
    CHECK(perc_gcm_double_open(ki, iv_i, aad_i, la_i, ko, iv_o, aad_o, la_o, buf, out, olen, ohb_len, tag2) == -1 &&
              all_zero(out, olen),
          "%s: forged inner layer, out of place: result or zeros", what);
}

/// Official bytes through the new paths: each NIST GCM case as the inner layer of a double
/// seal (the outer layer opened by a single open must give the published ciphertext and tag),
/// as fan-out jobs (cases 1-4 and 13-16 share their plaintexts pairwise: one fan-out of the
/// shared plaintext to an AES-128 and an AES-256 job must give both published results), as a
/// batch, and the keystream peek over the published ciphertext.
static void test_new_paths_vectors(void) {
    enum { N = sizeof(nist_gcm) / sizeof(nist_gcm[0]) };
    uint8_t key[N][32], iv[N][12], pt[N][64], aad[N][32], ct[N][64], tag[N][16];
    size_t kl[N], al[N], len[N];
    perc_gcm_key *keys[N];
    for (size_t i = 0; i < N; i++) {
        kl[i] = unhex(nist_gcm[i].key, key[i]);
        unhex(nist_gcm[i].iv, iv[i]);
        len[i] = unhex(nist_gcm[i].plaintext, pt[i]);
        al[i] = unhex(nist_gcm[i].aad, aad[i]);
        unhex(nist_gcm[i].ciphertext, ct[i]);
        unhex(nist_gcm[i].tag, tag[i]);
        keys[i] = perc_gcm_key_new(PERC_BACKEND_ARMV8, key[i], kl[i]);
    }
    uint8_t out[64 + 32], outer_tag[16], mid[64 + 32];
    const uint8_t ohb[4] = {0x01, 0x23, 0x45, 0x67}, outer_iv[12] = {9, 8, 7, 6, 5, 4, 3, 2, 1, 0, 1, 2},
                  outer_aad[12] = {0x80, 0x60, 0x12, 0x34, 0xde, 0xad, 0xbe, 0xef, 0xca, 0xfe, 0xba, 0xbe};
    for (size_t i = 0; i < N; i++) {
        perc_gcm_key *outer = keys[(i + 3) % N];
        const size_t olen = len[i] + 16 + 4;
        CHECK(perc_gcm_double_seal(keys[i], iv[i], aad[i], al[i], outer, outer_iv, outer_aad, 12, pt[i], out, len[i],
                                   ohb, 4, outer_tag) == 1 &&
                  perc_gcm_open(outer, outer_iv, outer_aad, 12, NULL, 0, out, mid, olen, outer_tag) == 1 &&
                  memcmp(mid, ct[i], len[i]) == 0 && memcmp(mid + len[i], tag[i], 16) == 0 &&
                  memcmp(mid + len[i] + 16, ohb, 4) == 0,
              "NIST case %s as the inner layer of a double seal", nist_gcm[i].name);
        CHECK(perc_gcm_double_open(keys[i], iv[i], aad[i], al[i], outer, outer_iv, outer_aad, 12, out, out, olen, 4,
                                   outer_tag) == 1 &&
                  memcmp(out, pt[i], len[i]) == 0 && memcmp(out + len[i], tag[i], 16) == 0,
              "NIST case %s as the inner layer of a double open", nist_gcm[i].name);
        // The peek of the last n <= 16 bytes (the OHB position) of the published ciphertext.
        const size_t n = len[i] < 16 ? len[i] : 16;
        uint8_t peek[16];
        CHECK(perc_gcm_ctr_peek(keys[i], iv[i], len[i] - n, ct[i] + len[i] - n, peek, n) == 1 &&
                  memcmp(peek, pt[i] + len[i] - n, n) == 0,
              "NIST case %s: peek of the last %zu bytes", nist_gcm[i].name, n);
    }
    for (size_t i = 0; i < N / 2; i++) {   // case i (AES-128) and case i + 4 (AES-256): same plaintext and AAD
        uint8_t oa[64], ob[64], ta[16], tb[16];
        perc_gcm_fanout_job jobs[2] = {
            {.key = keys[i], .iv = iv[i], .aad = aad[i], .aad_len = al[i], .out = oa, .tag = ta},
            {.key = keys[i + N / 2], .iv = iv[i + N / 2], .aad = aad[i + N / 2], .aad_len = al[i + N / 2], .out = ob,
             .tag = tb},
        };
        perc_gcm_seal_fanout(pt[i], len[i], jobs, 2);
        CHECK(jobs[0].result == 1 && jobs[1].result == 1 && memcmp(oa, ct[i], len[i]) == 0 &&
                  memcmp(ta, tag[i], 16) == 0 && memcmp(ob, ct[i + N / 2], len[i]) == 0 &&
                  memcmp(tb, tag[i + N / 2], 16) == 0,
              "NIST cases %s and %s as one fan-out", nist_gcm[i].name, nist_gcm[i + N / 2].name);
    }
    perc_gcm_job jobs[N];
    uint8_t bout[N][64], btag[N][16];
    for (size_t i = 0; i < N; i++) {
        jobs[i] = (perc_gcm_job){.key = keys[i], .iv = iv[i], .aad = aad[i], .aad_len = al[i], .in = pt[i],
                                 .out = bout[i], .len = len[i], .tag = btag[i], .result = -1};
    }
    perc_gcm_seal_batch(jobs, N);
    for (size_t i = 0; i < N; i++) {
        CHECK(jobs[i].result == 1 && memcmp(bout[i], ct[i], len[i]) == 0 && memcmp(btag[i], tag[i], 16) == 0,
              "NIST case %s in a seal batch", nist_gcm[i].name);
        jobs[i].in = bout[i];
    }
    perc_gcm_open_batch(jobs, N);
    for (size_t i = 0; i < N; i++) {
        CHECK(jobs[i].result == 1 && memcmp(bout[i], pt[i], len[i]) == 0, "NIST case %s in an open batch",
              nist_gcm[i].name);
        perc_gcm_key_free(keys[i]);
    }
}

/// The fused double seal/open at every payload length 0..1500, all four key-size pairs, OHB
/// lengths 0..16 and AAD lengths cycling, against the reference and two single seals.
static void test_double_differential(void) {
    static uint8_t pt[MAX_LEN], mid[MAX_LEN + 32], ct[MAX_LEN + 32];
    uint8_t ki[32], ko[32], iv_i[12], iv_o[12], aad_i[MAX_AAD], aad_o[MAX_AAD], ohb[16], tag_o[16];
    char what[112];
    for (size_t len = 0; len <= MAX_LEN; len++) {
        const size_t kil = len % 2 ? 32 : 16, kol = (len / 2) % 2 ? 32 : 16, ohb_len = len % 17;
        const size_t la_i = (len * 3) % 41, la_o = 12 + (len * 5) % 29;
        rng_bytes(ki, kil), rng_bytes(ko, kol), rng_bytes(iv_i, 12), rng_bytes(iv_o, 12);
        rng_bytes(aad_i, la_i), rng_bytes(aad_o, la_o), rng_bytes(ohb, ohb_len), rng_bytes(pt, len);
        ref_double_seal(ki, kil, iv_i, aad_i, la_i, ko, kol, iv_o, aad_o, la_o, pt, len, ohb, ohb_len, mid, ct, tag_o);
        perc_gcm_key *inner = perc_gcm_key_new(PERC_BACKEND_ARMV8, ki, kil);
        perc_gcm_key *outer = perc_gcm_key_new(PERC_BACKEND_ARMV8, ko, kol);
        snprintf(what, sizeof(what), "double GCM-%zu/GCM-%zu len %zu ohb %zu aad %zu/%zu", kil * 8, kol * 8, len,
                 ohb_len, la_i, la_o);
        if (inner != NULL && outer != NULL) {
            double_check(what, inner, iv_i, aad_i, la_i, outer, iv_o, aad_o, la_o, pt, len, ohb, ohb_len, mid, ct,
                         tag_o);
        } else {
            CHECK(0, "%s: keys", what);
        }
        perc_gcm_key_free(inner);
        perc_gcm_key_free(outer);
    }
    // Bad lengths: an OHB longer than 16 bytes, a packet shorter than tag + OHB.
    uint8_t key[16] = {1}, buf[64] = {0}, out[64];
    perc_gcm_key *k = perc_gcm_key_new(PERC_BACKEND_ARMV8, key, 16);
    memset(out, 0xa5, sizeof(out));
    CHECK(perc_gcm_double_seal(k, iv_i, NULL, 0, k, iv_o, NULL, 0, buf, out, 8, buf, 17, tag_o) == 0,
          "double seal accepted a 17-byte OHB");
    CHECK(perc_gcm_double_open(k, iv_i, NULL, 0, k, iv_o, NULL, 0, buf, out, 19, 4, tag_o) == 0 && all_zero(out, 19),
          "double open accepted a packet shorter than tag + OHB");
    perc_gcm_key_free(k);
}

/// Fan-out at every shared length 0..1500 to 1..5 jobs (pairs and a lone job), keys of both
/// sizes, tails 0..16 bytes, against one single seal per job and the reference for job 0.
static void test_fanout_differential(void) {
    enum { JOBS = 5 };
    static uint8_t shared[MAX_LEN], full[MAX_LEN + 16], out[JOBS][MAX_LEN + 16], single[MAX_LEN + 16];
    uint8_t key[JOBS][32], iv[JOBS][12], aad[JOBS][40], tail[JOBS][16], tag[JOBS][16], single_tag[16];
    size_t key_len[JOBS];
    perc_gcm_key *keys[JOBS];
    perc_gcm_fanout_job jobs[JOBS];
    for (size_t sl = 0; sl <= MAX_LEN; sl++) {
        const size_t m = 1 + sl % JOBS;
        rng_bytes(shared, sl);
        for (size_t j = 0; j < m; j++) {
            const size_t kl = (sl + j) % 2 ? 32 : 16, tl = (sl * 3 + j * 5) % 17, al = (sl + 7 * j) % 40;
            key_len[j] = kl;
            rng_bytes(key[j], kl), rng_bytes(iv[j], 12), rng_bytes(aad[j], al), rng_bytes(tail[j], tl);
            keys[j] = perc_gcm_key_new(PERC_BACKEND_ARMV8, key[j], kl);
            memset(out[j], 0x5a, sl + tl);
            jobs[j] = (perc_gcm_fanout_job){.key = keys[j], .iv = iv[j], .aad = al ? aad[j] : NULL, .aad_len = al,
                                            .tail = tail[j], .tail_len = tl, .out = out[j], .tag = tag[j],
                                            .result = -1};
        }
        perc_gcm_seal_fanout(sl ? shared : NULL, sl, jobs, m);
        for (size_t j = 0; j < m; j++) {
            const size_t n = sl + jobs[j].tail_len;
            memcpy(full, shared, sl);
            memcpy(full + sl, tail[j], jobs[j].tail_len);
            CHECK(jobs[j].result == 1 &&
                      perc_gcm_seal(keys[j], iv[j], aad[j], jobs[j].aad_len, NULL, 0, full, single, n, single_tag) &&
                      memcmp(out[j], single, n) == 0 && memcmp(tag[j], single_tag, 16) == 0,
                  "fan-out shared %zu job %zu/%zu tail %zu", sl, j, m, jobs[j].tail_len);
            if (j == 0) {
                ref_gcm_seal(key[0], key_len[0], iv[0], aad[0], jobs[0].aad_len, NULL, 0, full, single, n, single_tag);
                CHECK(memcmp(out[0], single, n) == 0 && memcmp(tag[0], single_tag, 16) == 0,
                      "fan-out shared %zu job 0 against the reference", sl);
            }
            perc_gcm_key_free(keys[j]);
        }
    }
}

/// Seal and open batches at every length 0..1500: five jobs per batch whose lengths straddle
/// the short-path limit (176 bytes), keys of both sizes, against single seals; then the open
/// batch in place and out of place with one forged job (its result 0, its ciphertext kept in
/// place, its output zeroed out of place; the other jobs unaffected).
static void test_batch_differential(void) {
    enum { JOBS = 5 };
    static uint8_t pt[JOBS][MAX_LEN], ct[JOBS][MAX_LEN], single[MAX_LEN], back[JOBS][MAX_LEN];
    uint8_t key[JOBS][32], iv[JOBS][12], aad[JOBS][24], tag[JOBS][16], single_tag[16];
    perc_gcm_key *keys[JOBS];
    perc_gcm_job jobs[JOBS];
    for (size_t len = 0; len <= MAX_LEN; len++) {
        const size_t lens[JOBS] = {len, len % 177, 160 + len % 33, (len * 7) % 400, len / 3};
        const size_t forged_job = len % JOBS;
        for (size_t j = 0; j < JOBS; j++) {
            const size_t kl = (len + j) % 3 ? 16 : 32, al = (len + j) % 24, split = al / 2;
            rng_bytes(key[j], kl), rng_bytes(iv[j], 12), rng_bytes(aad[j], al), rng_bytes(pt[j], lens[j]);
            keys[j] = perc_gcm_key_new(PERC_BACKEND_ARMV8, key[j], kl);
            jobs[j] = (perc_gcm_job){.key = keys[j], .iv = iv[j], .aad = aad[j], .aad_len = split,
                                     .aad2 = aad[j] + split, .aad2_len = al - split, .in = pt[j], .out = ct[j],
                                     .len = lens[j], .tag = tag[j], .result = -1};
        }
        perc_gcm_seal_batch(jobs, JOBS);
        for (size_t j = 0; j < JOBS; j++) {
            perc_gcm_job *b = &jobs[j];
            CHECK(b->result == 1 &&
                      perc_gcm_seal(b->key, b->iv, b->aad, b->aad_len, b->aad2, b->aad2_len, pt[j], single, b->len,
                                    single_tag) == 1 &&
                      memcmp(ct[j], single, b->len) == 0 && memcmp(tag[j], single_tag, 16) == 0,
                  "seal batch len %zu job %zu (%zu bytes)", len, j, b->len);
        }
        tag[forged_job][len % 16] ^= 0x10;
        for (int in_place = 0; in_place <= 1; in_place++) {
            for (size_t j = 0; j < JOBS; j++) {
                memset(back[j], 0xa5, jobs[j].len);
                jobs[j].in = ct[j];
                jobs[j].out = in_place ? ct[j] : back[j];
                jobs[j].result = -1;
            }
            perc_gcm_open_batch(jobs, JOBS);
            for (size_t j = 0; j < JOBS; j++) {
                perc_gcm_job *b = &jobs[j];
                if (j == forged_job) {
                    CHECK(b->result == 0 && (in_place ? perc_gcm_seal(b->key, b->iv, b->aad, b->aad_len, b->aad2,
                                                                      b->aad2_len, pt[j], single, b->len, single_tag) &&
                                                            memcmp(ct[j], single, b->len) == 0
                                                      : all_zero(back[j], b->len)),
                          "open batch len %zu forged job %zu (%zu bytes, %s)", len, j, b->len,
                          in_place ? "in place" : "out of place");
                } else {
                    CHECK(b->result == 1 && memcmp(b->out, pt[j], b->len) == 0, "open batch len %zu job %zu (%s)", len,
                          j, in_place ? "in place" : "out of place");
                    if (in_place) {   // seal it again for the next round
                        perc_gcm_seal(b->key, b->iv, b->aad, b->aad_len, b->aad2, b->aad2_len, pt[j], ct[j], b->len,
                                      tag[j]);
                    }
                }
            }
        }
        for (size_t j = 0; j < JOBS; j++) {
            perc_gcm_key_free(keys[j]);
        }
    }
}

/// perc_gcm_ctr_peek at every ciphertext length 1..1500: the last n bytes (n = 1..16, where
/// a receiver finds the OHB), a random offset, n = 0, and n > 16 refused.
static void test_ctr_peek(void) {
    static uint8_t pt[MAX_LEN], ct[MAX_LEN];
    uint8_t key[32], iv[12], tag[16], peek[16];
    for (size_t len = 1; len <= MAX_LEN; len++) {
        const size_t kl = len % 2 ? 32 : 16, n = 1 + len % 16 < len ? 1 + len % 16 : len;
        rng_bytes(key, kl), rng_bytes(iv, 12), rng_bytes(pt, len);
        ref_gcm_seal(key, kl, iv, NULL, 0, NULL, 0, pt, ct, len, tag);
        perc_gcm_key *k = perc_gcm_key_new(PERC_BACKEND_ARMV8, key, kl);
        CHECK(k != NULL && perc_gcm_ctr_peek(k, iv, len - n, ct + len - n, peek, n) == 1 &&
                  memcmp(peek, pt + len - n, n) == 0,
              "peek len %zu: last %zu bytes", len, n);
        const size_t off = rng_next() % len, m = len - off < 16 ? len - off : 16;
        CHECK(k != NULL && perc_gcm_ctr_peek(k, iv, off, ct + off, peek, m) == 1 && memcmp(peek, pt + off, m) == 0,
              "peek len %zu: %zu bytes at %zu", len, m, off);
        CHECK(k != NULL && perc_gcm_ctr_peek(k, iv, 0, ct, peek, 0) == 1 && perc_gcm_ctr_peek(k, iv, 0, ct, peek, 17) == 0,
              "peek len %zu: n = 0 / n = 17", len);
        perc_gcm_key_free(k);
    }
}

// MARK: - AES-CM

static void test_ctr_vectors(void) {
    for (size_t i = 0; i < CTR_FIXTURE_COUNT; i++) {
        const ctr_fixture *f = &ctr_fixtures[i];
        const size_t n = 16 * f->blocks;
        uint8_t *ks = calloc(n, 1);
        perc_ctr_key *k = perc_ctr_key_new(PERC_BACKEND_ARMV8, f->key, f->key_len);
        // The whole keystream in one call (it runs the 8-block loop over 65282 blocks), in place.
        CHECK(k != NULL && perc_ctr_xor(k, f->iv, ks, ks, n) == 1, "%s: ctr", f->name);
        CHECK(memcmp(ks, f->first48, 48) == 0, "%s: first 48 keystream bytes", f->name);
        CHECK(memcmp(ks + n - 48, f->last48, 48) == 0, "%s: last 48 keystream bytes", f->name);
        perc_ctr_key_free(k);
        free(ks);
    }
}

static void test_ctr_differential(void) {
    static uint8_t pt[MAX_LEN + 16], out[MAX_LEN + 16], expected[MAX_LEN];
    uint8_t key[32], iv[16];
    for (size_t key_len = 16; key_len <= 32; key_len += 8) {
        for (size_t len = 0; len <= MAX_LEN; len++) {
            rng_bytes(key, key_len);
            rng_bytes(iv, 16);
            switch (len % 3) {   // counters just below a carry out of the low 64 bits, and of all 128
            case 1:
                memset(iv + 8, 0xff, 8);
                iv[15] = (uint8_t)(iv[15] - rng_next() % 100);
                break;
            case 2:
                memset(iv, 0xff, 16);
                iv[15] = (uint8_t)(iv[15] - rng_next() % 100);
                break;
            default:
                break;
            }
            rng_bytes(pt, len);
            ref_ctr_xor(key, key_len, iv, pt, expected, len);
            perc_ctr_key *k = perc_ctr_key_new(PERC_BACKEND_ARMV8, key, key_len);
            uint8_t *o = out + len % 16;
            CHECK(k != NULL && perc_ctr_xor(k, iv, pt, o, len) == 1 && memcmp(o, expected, len) == 0,
                  "AES-CM-%zu len %zu", key_len * 8, len);
            CHECK(k != NULL && perc_ctr_xor(k, iv, pt, pt, len) == 1 && memcmp(pt, expected, len) == 0,
                  "AES-CM-%zu len %zu in place", key_len * 8, len);
            perc_ctr_key_free(k);
        }
    }
}

// MARK: - SHA-1 and HMAC-SHA1

/// RFC 2202, Section 3 (HMAC-SHA-1 test cases 1-7).
static void test_hmac_vectors(void) {
    static const struct {
        uint8_t key_byte;
        size_t key_len;
        const char *data;
        uint8_t data_byte;
        size_t data_len;
        const char *mac;
    } cases[] = {
        {0x0b, 20, "Hi There", 0, 0, "b617318655057264e28bc0b6fb378c8ef146be00"},
        {0, 0, "what do ya want for nothing?", 0, 0, "effcdf6ae5eb2fa2d27416d5f184df9c259a7c79"},   // key "Jefe"
        {0xaa, 20, NULL, 0xdd, 50, "125d7342b9ac11cd91a39af48aa17b4f63f175d3"},
        {0, 25, NULL, 0xcd, 50, "4c9007f4026250c6bc8414f9bf50c86c2d7235da"},   // key 0x01..0x19
        {0x0c, 20, "Test With Truncation", 0, 0, "4c1a03424b55e07fe7f27be1d58bb9324a9a5a04"},
        {0xaa, 80, "Test Using Larger Than Block-Size Key - Hash Key First", 0, 0,
         "aa4ae5e15272d00e95705637ce8a3b55ed402112"},
        {0xaa, 80, "Test Using Larger Than Block-Size Key and Larger Than One Block-Size Data", 0, 0,
         "e8e99d0f45237d786d6bbaa7965c7808bbff1a91"},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        uint8_t key[80], data[80], expected[20], mac[20];
        size_t key_len = cases[i].key_len, data_len = cases[i].data_len;
        if (i == 1) {
            memcpy(key, "Jefe", 4), key_len = 4;
        } else if (i == 3) {
            for (int b = 0; b < 25; b++) {
                key[b] = (uint8_t)(b + 1);
            }
        } else {
            memset(key, cases[i].key_byte, key_len);
        }
        if (cases[i].data != NULL) {
            data_len = strlen(cases[i].data);
            memcpy(data, cases[i].data, data_len);
        } else {
            memset(data, cases[i].data_byte, data_len);
        }
        unhex(cases[i].mac, expected);
        perc_hmac_sha1_key *k = perc_hmac_sha1_key_new(PERC_BACKEND_ARMV8, key, key_len);
        for (size_t split = 0; k != NULL && split <= data_len; split++) {
            perc_hmac_sha1(k, data, split, data + split, data_len - split, mac);
            CHECK(memcmp(mac, expected, 20) == 0, "RFC 2202 case %zu split %zu", i + 1, split);
        }
        CHECK(k != NULL, "RFC 2202 case %zu key", i + 1);
        perc_hmac_sha1_key_free(k);
    }
    // FIPS 180 "abc", one padded block, on the ARMv8 compression path directly.
    uint8_t abc[64] = {'a', 'b', 'c', 0x80};
    abc[63] = 0x18;
    uint32_t state[5] = {0x67452301, 0xefcdab89, 0x98badcfe, 0x10325476, 0xc3d2e1f0};
    CHECK(perc_sha1_compress_impl(2, state, abc, 1) == 1 && state[0] == 0xa9993e36 && state[1] == 0x4706816a &&
              state[2] == 0xba3e2571 && state[3] == 0x7850c26c && state[4] == 0x9cd0d89d,
          "SHA-1(abc) on the ARMv8 path");
}

static void test_hmac_differential(void) {
    static uint8_t data[MAX_LEN], blocks[64 * 40];
    uint8_t key[MAX_AAD], mac[20], expected[20];
    for (size_t len = 0; len <= MAX_LEN; len++) {
        const size_t key_len = len % (MAX_AAD + 1), split = (len * 5) % (len + 1);
        rng_bytes(key, key_len);
        rng_bytes(data, len);
        ref_hmac_sha1(key, key_len, data, len, NULL, 0, expected);
        perc_hmac_sha1_key *k = perc_hmac_sha1_key_new(PERC_BACKEND_ARMV8, key, key_len);
        if (k == NULL) {
            CHECK(0, "HMAC key %zu", key_len);
            continue;
        }
        perc_hmac_sha1(k, data, len, NULL, 0, mac);
        CHECK(memcmp(mac, expected, 20) == 0, "HMAC-SHA1 len %zu key %zu", len, key_len);
        perc_hmac_sha1(k, data, split, data + split, len - split, mac);
        CHECK(memcmp(mac, expected, 20) == 0, "HMAC-SHA1 len %zu key %zu split %zu", len, key_len, split);
        perc_hmac_sha1_job job = {.key = k, .d1 = data, .l1 = split, .d2 = data + split, .l2 = len - split, .mac = mac};
        memset(mac, 0, 20);
        perc_hmac_sha1_batch(&job, 1);
        CHECK(memcmp(mac, expected, 20) == 0, "HMAC-SHA1 batch len %zu", len);
        perc_hmac_sha1_key_free(k);
    }
    for (size_t n = 1; n <= 40; n++) {
        uint32_t a[5] = {0x67452301, 0xefcdab89, 0x98badcfe, 0x10325476, 0xc3d2e1f0}, b[5];
        rng_bytes(blocks, 64 * n);
        memcpy(b, a, sizeof(a));
        ref_sha1_compress(a, blocks, n);
        CHECK(perc_sha1_compress_impl(2, b, blocks, n) == 1 && memcmp(a, b, sizeof(a)) == 0, "SHA-1 %zu blocks", n);
    }
}

// MARK: - Reference self-check

/// The reference must itself reproduce a published answer, or the differential checks
/// prove nothing: NIST GCM case 4 (AAD, partial block) and FIPS 197 C.1 (AES-128).
static void test_reference(void) {
    uint8_t key[16], iv[12], pt[64], aad[32], ct[64], tag[16], out[64], t[16];
    unhex(nist_gcm[3].key, key);
    unhex(nist_gcm[3].iv, iv);
    const size_t len = unhex(nist_gcm[3].plaintext, pt), al = unhex(nist_gcm[3].aad, aad);
    unhex(nist_gcm[3].ciphertext, ct);
    unhex(nist_gcm[3].tag, tag);
    ref_gcm_seal(key, 16, iv, aad, al, NULL, 0, pt, out, len, t);
    CHECK(memcmp(out, ct, len) == 0 && memcmp(t, tag, 16) == 0, "reference GCM fails NIST case 4");
    ref_aes_key k;
    uint8_t block[16], expected[16];
    unhex("000102030405060708090a0b0c0d0e0f", key);
    unhex("00112233445566778899aabbccddeeff", block);
    unhex("69c4e0d86a7b0430d8cdb78070b4c55a", expected);
    ref_aes_init(&k, key, 16);
    ref_aes_encrypt(&k, block, block);
    CHECK(memcmp(block, expected, 16) == 0, "reference AES fails FIPS 197 C.1");
}

int main(int argc, char **argv) {
    fail_fast = argc > 1 && strcmp(argv[1], "--fail-fast") == 0;
    test_backend_choice();
    if (argc > 1 && strcmp(argv[1], "--choice-only") == 0) {   // for a run with PERC_CRYPTO_BACKEND set
        printf("aarch64 backend choice: %lu passed, %lu failed\n", passed, failed);
        return failed == 0 ? 0 : 1;
    }
    test_reference();
    test_gcm_vectors();
    test_gcm_differential();
    test_gcm_batch();
    test_new_paths_vectors();
    test_double_differential();
    test_fanout_differential();
    test_batch_differential();
    test_ctr_peek();
    test_ctr_vectors();
    test_ctr_differential();
    test_hmac_vectors();
    test_hmac_differential();
    printf("aarch64 kernels: %lu passed, %lu failed\n", passed, failed);
    return failed == 0 ? 0 : 1;
}
