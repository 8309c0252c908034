// SPDX-License-Identifier: Apache-2.0
// Copyright 2026 the swift-perc authors
//
// Differential fuzz target for the C kernels (Sources/CPERCKernels) against OpenSSL's EVP,
// on every backend this CPU runs (openssl, aesni, vaes256 on x86_64; armv8 on aarch64).
// Built directly with clang by Tools/fuzz.sh (target name CKernels):
//   clang -fsanitize=fuzzer,address,undefined kernels_fuzz.c Sources/CPERCKernels/*.c -lcrypto
// and, with -DPERC_KERNELS_SWEEP and without libFuzzer, as the deterministic sweep that
// Tools/sanitize.sh runs under AddressSanitizer and UndefinedBehaviorSanitizer.
//
// Input: an operation byte, a key-length byte, then key, IV, a split byte and the data.
// - GCM seal: every backend's ciphertext and tag equal EVP's; open of the result verifies and
//   gives the plaintext back, in place and out of place.
// - GCM open of the input as ciphertext with the input's tag: the verdict equals EVP's; on a
//   failure no plaintext is released (in place: the ciphertext again; out of place: zeros).
// - GCM batch (seal and open, up to four jobs of different lengths) equals single calls.
// - AES-CTR (RFC 3711 whole-block counter) equals EVP's AES-CTR, in place and out of place.
// - HMAC-SHA1 over two parts (and its batch) equals OpenSSL's HMAC over their concatenation.
// - Key unwrap of the input (RFC 3394 and 5649 under 16/24/32-byte KEKs): whatever unwraps
//   wraps back to the input.
// Every buffer is allocated to its exact size, so AddressSanitizer sees any access past it.
#include "perc_kernels.h"

#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define REQUIRE(cond, ...)                                                             \
    do {                                                                               \
        if (!(cond)) {                                                                 \
            fprintf(stderr, "invariant failed at %s:%d: ", __FILE__, __LINE__);        \
            fprintf(stderr, __VA_ARGS__);                                              \
            fputc('\n', stderr);                                                       \
            abort();                                                                   \
        }                                                                              \
    } while (0)

typedef struct {
    const uint8_t *data;
    size_t size;
} reader;

static uint8_t take_byte(reader *r) {
    if (r->size == 0) return 0;
    uint8_t b = r->data[0];
    r->data++;
    r->size--;
    return b;
}

/// Copies up to `n` bytes into a fresh exact-size buffer (zero-filled past the input's end).
static uint8_t *take(reader *r, size_t n) {
    uint8_t *out = malloc(n ? n : 1);
    size_t have = n < r->size ? n : r->size;
    if (have) memcpy(out, r->data, have);
    memset(out + have, 0, n - have);
    r->data += have;
    r->size -= have;
    return out;
}

static uint8_t *copy(const uint8_t *p, size_t n) {
    uint8_t *out = malloc(n ? n : 1);
    if (n) memcpy(out, p, n);
    return out;
}

static int is_zero(const uint8_t *p, size_t n) {
    for (size_t i = 0; i < n; i++)
        if (p[i]) return 0;
    return 1;
}

static const EVP_CIPHER *gcm_cipher(size_t key_len) {
    return key_len == 16 ? EVP_aes_128_gcm() : EVP_aes_256_gcm();
}

/// EVP AES-GCM: seal (tag out) or open (tag in); returns 1 on success / tag verified.
static int evp_gcm(int seal, const uint8_t *key, size_t key_len, const uint8_t *iv, const uint8_t *aad,
                   size_t aad_len, const uint8_t *in, uint8_t *out, size_t len, uint8_t *tag) {
    EVP_CIPHER_CTX *ctx = EVP_CIPHER_CTX_new();
    int n = 0, ok = EVP_CipherInit_ex(ctx, gcm_cipher(key_len), NULL, key, iv, seal);
    if (aad_len) ok &= EVP_CipherUpdate(ctx, NULL, &n, aad, (int)aad_len);
    if (len) ok &= EVP_CipherUpdate(ctx, out, &n, in, (int)len);
    if (!seal) ok &= EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_SET_TAG, 16, tag);
    uint8_t final[16];
    ok &= EVP_CipherFinal_ex(ctx, final, &n) == 1;
    if (seal) ok &= EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_GET_TAG, 16, tag);
    EVP_CIPHER_CTX_free(ctx);
    return ok == 1;
}

static void fuzz_gcm(reader *r, int open_input) {
    size_t key_len = (take_byte(r) & 1) ? 32 : 16;
    uint8_t *key = take(r, key_len), *iv = take(r, 12), *tag_in = take(r, 16);
    size_t split = take_byte(r);
    size_t aad_len = split < r->size ? split : r->size;
    uint8_t *aad = take(r, aad_len);
    size_t aad1 = aad_len ? take_byte(r) % (aad_len + 1) : 0;   // the two AAD parts
    size_t len = r->size;
    uint8_t *in = take(r, len);

    uint8_t *expected = malloc(len ? len : 1), expected_tag[16];
    int expected_ok;
    if (open_input) {
        memcpy(expected_tag, tag_in, 16);
        expected_ok = evp_gcm(0, key, key_len, iv, aad, aad_len, in, expected, len, expected_tag);
    } else {
        expected_ok = evp_gcm(1, key, key_len, iv, aad, aad_len, in, expected, len, expected_tag);
        REQUIRE(expected_ok, "EVP seal failed");
    }
    for (int b = 0; b < PERC_BACKEND_COUNT; b++) {
        if (!perc_backend_is_available((perc_backend)b)) continue;
        perc_gcm_key *k = perc_gcm_key_new((perc_backend)b, key, key_len);
        REQUIRE(k != NULL, "no %s GCM key", perc_backend_name((perc_backend)b));
        uint8_t *out = malloc(len ? len : 1), tag[16];
        if (!open_input) {
            REQUIRE(perc_gcm_seal(k, iv, aad, aad1, aad + aad1, aad_len - aad1, in, out, len, tag) == 1, "seal");
            REQUIRE(memcmp(out, expected, len) == 0 && memcmp(tag, expected_tag, 16) == 0,
                    "%s seal differs from EVP (len %zu, aad %zu)", perc_backend_name((perc_backend)b), len, aad_len);
            uint8_t *back = malloc(len ? len : 1);
            REQUIRE(perc_gcm_open(k, iv, aad, aad_len, NULL, 0, out, back, len, tag) == 1 && memcmp(back, in, len) == 0,
                    "%s open of a seal", perc_backend_name((perc_backend)b));
            REQUIRE(perc_gcm_open(k, iv, aad, aad_len, NULL, 0, out, out, len, tag) == 1 && memcmp(out, in, len) == 0,
                    "%s in-place open of a seal", perc_backend_name((perc_backend)b));
            free(back);
        } else {
            int ok = perc_gcm_open(k, iv, aad, aad1, aad + aad1, aad_len - aad1, in, out, len, tag_in);
            REQUIRE(ok == expected_ok, "%s open says %d, EVP %d", perc_backend_name((perc_backend)b), ok, expected_ok);
            if (ok) {
                REQUIRE(memcmp(out, expected, len) == 0, "%s plaintext differs", perc_backend_name((perc_backend)b));
            } else {
                REQUIRE(is_zero(out, len), "%s released plaintext on a failed open", perc_backend_name((perc_backend)b));
                uint8_t *inplace = copy(in, len);
                REQUIRE(perc_gcm_open(k, iv, aad, aad_len, NULL, 0, inplace, inplace, len, tag_in) == 0 &&
                            memcmp(inplace, in, len) == 0,
                        "%s in-place failed open did not restore the ciphertext", perc_backend_name((perc_backend)b));
                free(inplace);
            }
        }
        free(out);
        perc_gcm_key_free(k);
    }
    free(expected);
    free(key);
    free(iv);
    free(tag_in);
    free(aad);
    free(in);
}

/// Up to four jobs cut from the input, sealed and opened as a batch and one at a time.
static void fuzz_gcm_batch(reader *r) {
    uint8_t *key = take(r, 16);
    size_t count = 1 + take_byte(r) % 4;
    for (int b = 0; b < PERC_BACKEND_COUNT; b++) {
        if (!perc_backend_is_available((perc_backend)b)) continue;
        perc_gcm_key *k = perc_gcm_key_new((perc_backend)b, key, 16);
        perc_gcm_job jobs[4];
        uint8_t *ins[4], *outs[4], *ivs[4], *aads[4], tags[4][16], single_tags[4][16];
        reader cut = *r;
        for (size_t j = 0; j < count; j++) {
            size_t len = take_byte(&cut) * 4u + take_byte(&cut) % 4, aad_len = take_byte(&cut) % 40;
            ivs[j] = take(&cut, 12);
            aads[j] = take(&cut, aad_len);
            ins[j] = take(&cut, len);
            outs[j] = malloc(len ? len : 1);
            jobs[j] = (perc_gcm_job){k, ivs[j], aads[j], aad_len, NULL, 0, ins[j], outs[j], len, tags[j], 0};
        }
        perc_gcm_seal_batch(jobs, count);
        for (size_t j = 0; j < count; j++) {
            uint8_t *single = malloc(jobs[j].len ? jobs[j].len : 1);
            REQUIRE(jobs[j].result == 1, "batch seal job %zu", j);
            perc_gcm_seal(k, ivs[j], aads[j], jobs[j].aad_len, NULL, 0, ins[j], single, jobs[j].len, single_tags[j]);
            REQUIRE(memcmp(single, outs[j], jobs[j].len) == 0 && memcmp(single_tags[j], tags[j], 16) == 0,
                    "%s batch seal job %zu differs from a single seal", perc_backend_name((perc_backend)b), j);
            free(single);
            jobs[j].in = outs[j];
            jobs[j].out = outs[j];
        }
        if (count > 1) tags[count - 1][0] ^= 1;   // the last job must fail alone
        perc_gcm_open_batch(jobs, count);
        for (size_t j = 0; j < count; j++) {
            int forged = count > 1 && j == count - 1;
            REQUIRE(jobs[j].result == !forged, "%s batch open job %zu result %d", perc_backend_name((perc_backend)b), j,
                    jobs[j].result);
            if (!forged) REQUIRE(memcmp(outs[j], ins[j], jobs[j].len) == 0, "batch open job %zu plaintext", j);
            free(ins[j]);
            free(outs[j]);
            free(ivs[j]);
            free(aads[j]);
        }
        perc_gcm_key_free(k);
    }
    free(key);
}

static void fuzz_ctr(reader *r) {
    size_t key_len = 16 + 8 * (take_byte(r) % 3);
    uint8_t *key = take(r, key_len), *iv = take(r, 16);
    size_t len = r->size;
    uint8_t *in = take(r, len), *expected = malloc(len ? len : 1);
    const EVP_CIPHER *cipher = key_len == 16 ? EVP_aes_128_ctr() : key_len == 24 ? EVP_aes_192_ctr() : EVP_aes_256_ctr();
    EVP_CIPHER_CTX *ctx = EVP_CIPHER_CTX_new();
    int n = 0;
    REQUIRE(EVP_EncryptInit_ex(ctx, cipher, NULL, key, iv) == 1 && (len == 0 || EVP_EncryptUpdate(ctx, expected, &n, in, (int)len) == 1),
            "EVP CTR");
    EVP_CIPHER_CTX_free(ctx);
    for (int b = 0; b < PERC_BACKEND_COUNT; b++) {
        if (!perc_backend_is_available((perc_backend)b)) continue;
        perc_ctr_key *k = perc_ctr_key_new((perc_backend)b, key, key_len);
        REQUIRE(k != NULL, "no CTR key");
        uint8_t *out = malloc(len ? len : 1), *inplace = copy(in, len);
        REQUIRE(perc_ctr_xor(k, iv, in, out, len) == 1 && memcmp(out, expected, len) == 0,
                "%s CTR differs from EVP (key %zu, len %zu)", perc_backend_name((perc_backend)b), key_len, len);
        REQUIRE(perc_ctr_xor(k, iv, inplace, inplace, len) == 1 && memcmp(inplace, expected, len) == 0,
                "%s in-place CTR", perc_backend_name((perc_backend)b));
        free(out);
        free(inplace);
        perc_ctr_key_free(k);
    }
    free(key);
    free(iv);
    free(in);
    free(expected);
}

static void fuzz_hmac(reader *r) {
    size_t key_len = take_byte(r);
    uint8_t *key = take(r, key_len);
    size_t split = take_byte(r) * 8u;
    size_t l1 = split < r->size ? split : r->size;
    uint8_t *d1 = take(r, l1);
    size_t l2 = r->size;
    uint8_t *d2 = take(r, l2), *both = malloc(l1 + l2 + 1), expected[20];
    memcpy(both, d1, l1);
    memcpy(both + l1, d2, l2);
    unsigned int mac_len = 0;
    REQUIRE(HMAC(EVP_sha1(), key, (int)key_len, both, l1 + l2, expected, &mac_len) != NULL && mac_len == 20, "HMAC");
    for (int b = 0; b < PERC_BACKEND_COUNT; b++) {
        if (!perc_backend_is_available((perc_backend)b)) continue;
        perc_hmac_sha1_key *k = perc_hmac_sha1_key_new((perc_backend)b, key, key_len);
        REQUIRE(k != NULL, "no HMAC key");
        uint8_t mac[20];
        perc_hmac_sha1(k, d1, l1, d2, l2, mac);
        REQUIRE(memcmp(mac, expected, 20) == 0, "%s HMAC-SHA1 differs (key %zu, %zu + %zu bytes)",
                perc_backend_name((perc_backend)b), key_len, l1, l2);
        // A batch of five: the message, then its prefixes, so SHA-NI groups mix lengths.
        perc_hmac_sha1_job jobs[5];
        uint8_t macs[5][20];
        for (size_t j = 0; j < 5; j++) {
            size_t cut = j == 0 ? l1 : l1 * (5 - j) / 5;
            jobs[j] = (perc_hmac_sha1_job){k, d1, cut, j == 0 ? d2 : NULL, j == 0 ? l2 : 0, macs[j]};
        }
        perc_hmac_sha1_batch(jobs, 5);
        REQUIRE(memcmp(macs[0], expected, 20) == 0, "%s HMAC batch", perc_backend_name((perc_backend)b));
        for (size_t j = 1; j < 5; j++) {
            perc_hmac_sha1(k, d1, jobs[j].l1, NULL, 0, mac);
            REQUIRE(memcmp(mac, macs[j], 20) == 0, "%s HMAC batch job %zu", perc_backend_name((perc_backend)b), j);
        }
        perc_hmac_sha1_key_free(k);
    }
    free(key);
    free(d1);
    free(d2);
    free(both);
}

static void fuzz_keywrap(reader *r) {
    uint8_t selector = take_byte(r);
    size_t kek_len = 16 + 8 * (selector % 3);
    int padded = (selector >> 2) & 1;
    uint8_t *kek = take(r, kek_len);
    size_t len = r->size;
    uint8_t *in = take(r, len), *out = malloc(len ? len : 1);
    size_t n = perc_aes_keyunwrap(padded, kek, kek_len, in, len, out);
    if (n > 0) {
        REQUIRE(n <= len, "unwrap of %zu bytes gave %zu", len, n);
        uint8_t *again = malloc(n + 15);
        REQUIRE(perc_aes_keywrap(padded, kek, kek_len, out, n, again) == len && memcmp(again, in, len) == 0,
                "an unwrapped key does not wrap back to its ciphertext");
        free(again);
    } else {
        REQUIRE(is_zero(out, len), "a failed unwrap left bytes in the output");
    }
    free(kek);
    free(in);
    free(out);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    reader r = {data, size};
    switch (take_byte(&r) % 6) {
    case 0: fuzz_gcm(&r, 0); break;
    case 1: fuzz_gcm(&r, 1); break;
    case 2: fuzz_gcm_batch(&r); break;
    case 3: fuzz_ctr(&r); break;
    case 4: fuzz_hmac(&r); break;
    default: fuzz_keywrap(&r); break;
    }
    return 0;
}

#ifdef PERC_KERNELS_SWEEP
// A deterministic run without libFuzzer: every operation at every length 0..N (N = argv[1],
// default 600) with inputs from a fixed xorshift stream, and every file named after it as one input.
int main(int argc, char **argv) {
    size_t max = argc > 1 ? (size_t)atol(argv[1]) : 600;
    uint64_t state = 0x9E3779B97F4A7C15u;
    size_t runs = 0;
    for (size_t len = 0; len <= max; len++) {
        for (int op = 0; op < 6; op++) {
            size_t size = len + 96;
            uint8_t *input = malloc(size);
            for (size_t i = 0; i < size; i++) {
                state ^= state << 13;
                state ^= state >> 7;
                state ^= state << 17;
                input[i] = (uint8_t)state;
            }
            input[0] = (uint8_t)op;
            LLVMFuzzerTestOneInput(input, size);
            free(input);
            runs++;
        }
    }
    for (int i = 2; i < argc; i++) {
        FILE *f = fopen(argv[i], "rb");
        if (!f) continue;
        uint8_t buffer[65536];
        size_t n = fread(buffer, 1, sizeof(buffer), f);
        fclose(f);
        uint8_t *input = copy(buffer, n);
        LLVMFuzzerTestOneInput(input, n);
        free(input);
        runs++;
    }
    printf("kernel sweep: %zu inputs, 0 failures\n", runs);
    return 0;
}
#endif
