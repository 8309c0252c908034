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
// with PERC_CRYPTO_BACKEND=armv8 set).
#include "perc_internal.h"
#include "reference.h"
#include "fixtures.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static unsigned long passed, failed;

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
    test_backend_choice();
    if (argc > 1 && strcmp(argv[1], "--choice-only") == 0) {   // for a run with PERC_CRYPTO_BACKEND set
        printf("aarch64 backend choice: %lu passed, %lu failed\n", passed, failed);
        return failed == 0 ? 0 : 1;
    }
    test_reference();
    test_gcm_vectors();
    test_gcm_differential();
    test_gcm_batch();
    test_ctr_vectors();
    test_ctr_differential();
    test_hmac_vectors();
    test_hmac_differential();
    printf("aarch64 kernels: %lu passed, %lu failed\n", passed, failed);
    return failed == 0 ? 0 : 1;
}
