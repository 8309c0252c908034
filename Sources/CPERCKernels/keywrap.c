// SPDX-License-Identifier: Apache-2.0
// Copyright 2026 the swift-perc authors
//
// AES key wrap (RFC 3394) and key wrap with padding (RFC 5649, the EKT cipher of RFC 8870)
// through OpenSSL's wrap ciphers. Key wrap runs per EKT field, not per packet byte, so the
// portable path is the only one.
#include "perc_kernels.h"

#include <openssl/evp.h>

static const EVP_CIPHER *wrap_cipher(int padded, size_t kek_len) {
    switch (kek_len) {
    case 16:
        return padded ? EVP_aes_128_wrap_pad() : EVP_aes_128_wrap();
    case 24:
        return padded ? EVP_aes_192_wrap_pad() : EVP_aes_192_wrap();
    case 32:
        return padded ? EVP_aes_256_wrap_pad() : EVP_aes_256_wrap();
    default:
        return NULL;
    }
}

static size_t run_wrap(int encrypt, int padded, const uint8_t *kek, size_t kek_len, const uint8_t *in,
                       size_t in_len, uint8_t *out) {
    const EVP_CIPHER *cipher = wrap_cipher(padded, kek_len);
    if (cipher == NULL || in_len == 0 || in_len > 4096) {
        return 0;
    }
    if (!padded && (in_len % 8 != 0 || in_len < (encrypt ? 16u : 24u))) {
        return 0;
    }
    if (padded && !encrypt && (in_len % 8 != 0 || in_len < 16)) {
        return 0;
    }
    EVP_CIPHER_CTX *ctx = EVP_CIPHER_CTX_new();
    if (ctx == NULL) {
        return 0;
    }
    int outl = 0, finl = 0;
    EVP_CIPHER_CTX_set_flags(ctx, EVP_CIPHER_CTX_FLAG_WRAP_ALLOW);
    int ok = EVP_CipherInit_ex(ctx, cipher, NULL, kek, NULL, encrypt) == 1 &&
             EVP_CipherUpdate(ctx, out, &outl, in, (int)in_len) == 1 &&
             EVP_CipherFinal_ex(ctx, out + outl, &finl) == 1;
    EVP_CIPHER_CTX_free(ctx);
    if (!ok || outl <= 0) {
        if (!encrypt) {
            perc_secure_zero(out, in_len);
        }
        return 0;
    }
    return (size_t)(outl + finl);
}

size_t perc_aes_keywrap(int padded, const uint8_t *kek, size_t kek_len, const uint8_t *in, size_t in_len,
                        uint8_t *out) {
    return run_wrap(1, padded, kek, kek_len, in, in_len, out);
}

size_t perc_aes_keyunwrap(int padded, const uint8_t *kek, size_t kek_len, const uint8_t *in, size_t in_len,
                          uint8_t *out) {
    size_t n = run_wrap(0, padded, kek, kek_len, in, in_len, out);
    // Every failure zeroes the output, the bad-length ones included (found by Fuzz/Kernels).
    if (n == 0 && in_len > 0) {
        perc_secure_zero(out, in_len);
    }
    return n;
}
