// SPDX-License-Identifier: Apache-2.0
// Copyright 2026 the swift-perc authors
//
// HMAC-SHA1 (RFC 2104) over a SHA-1 compression function chosen at key setup: SHA-NI when
// the CPU has it, portable C otherwise. The key stores the chaining values after the
// (key ^ ipad) and (key ^ opad) blocks, so a MAC costs ceil((len + 9) / 64) + 1 compressions.
#include "perc_internal.h"

#include <string.h>

/// A SHA-1 computation in progress: chaining value, partial block, total length.
typedef struct {
    uint32_t h[5];
    uint8_t block[64];
    size_t buffered;
    uint64_t total;
} sha1_stream;

static void stream_update(sha1_stream *s, perc_sha1_compress_fn compress, const uint8_t *p, size_t n) {
    s->total += n;
    if (s->buffered > 0) {
        size_t take = 64 - s->buffered < n ? 64 - s->buffered : n;
        memcpy(s->block + s->buffered, p, take);
        s->buffered += take;
        p += take;
        n -= take;
        if (s->buffered < 64) {
            return;
        }
        compress(s->h, s->block, 1);
        s->buffered = 0;
    }
    if (n >= 64) {
        compress(s->h, p, n / 64);
        p += n & ~(size_t)63;
        n &= 63;
    }
    if (n > 0) {
        memcpy(s->block, p, n);
        s->buffered = n;
    }
}

static void stream_final(sha1_stream *s, perc_sha1_compress_fn compress, uint8_t digest[20]) {
    const uint64_t bits = s->total * 8;
    size_t r = s->buffered;
    s->block[r++] = 0x80;
    if (r > 56) {
        memset(s->block + r, 0, 64 - r);
        compress(s->h, s->block, 1);
        r = 0;
    }
    memset(s->block + r, 0, 56 - r);
    for (int i = 0; i < 8; i++) {
        s->block[56 + i] = (uint8_t)(bits >> (56 - 8 * i));
    }
    compress(s->h, s->block, 1);
    for (int i = 0; i < 5; i++) {
        digest[4 * i] = (uint8_t)(s->h[i] >> 24);
        digest[4 * i + 1] = (uint8_t)(s->h[i] >> 16);
        digest[4 * i + 2] = (uint8_t)(s->h[i] >> 8);
        digest[4 * i + 3] = (uint8_t)s->h[i];
    }
}

static void hmac_sha1(const perc_hmac_sha1_key *key, const uint8_t *d1, size_t l1, const uint8_t *d2, size_t l2,
                      uint8_t mac[20]) {
    sha1_stream s;
    uint8_t inner[20];
    memcpy(s.h, key->inner, sizeof(s.h));
    s.buffered = 0;
    s.total = 64;   // the (key ^ ipad) block
    if (l1 > 0) {
        stream_update(&s, key->compress, d1, l1);
    }
    if (l2 > 0) {
        stream_update(&s, key->compress, d2, l2);
    }
    stream_final(&s, key->compress, inner);
    memcpy(s.h, key->outer, sizeof(s.h));
    s.buffered = 0;
    s.total = 64;
    stream_update(&s, key->compress, inner, sizeof(inner));
    stream_final(&s, key->compress, mac);
    perc_secure_zero(&s, sizeof(s));
    perc_secure_zero(inner, sizeof(inner));
}

static const uint32_t sha1_iv[5] = {0x67452301, 0xefcdab89, 0x98badcfe, 0x10325476, 0xc3d2e1f0};

int perc_native_hmac_sha1_init(perc_hmac_sha1_key *key, const uint8_t *raw, size_t len) {
    perc_sha1_compress_fn compress = perc_sha1_compress_portable;
#if defined(__x86_64__)
    if (perc_cpu_has_shani()) {
        compress = perc_sha1_compress_shani;
    }
#endif
    uint8_t block[64] = {0};
    if (len > 64) {   // RFC 2104: long keys are hashed first
        sha1_stream s = {.buffered = 0, .total = 0};
        memcpy(s.h, sha1_iv, sizeof(s.h));
        stream_update(&s, compress, raw, len);
        stream_final(&s, compress, block);
        perc_secure_zero(&s, sizeof(s));
    } else if (len > 0) {
        memcpy(block, raw, len);
    }
    uint8_t pad[64];
    for (int i = 0; i < 64; i++) {
        pad[i] = block[i] ^ 0x36;
    }
    memcpy(key->inner, sha1_iv, sizeof(key->inner));
    compress(key->inner, pad, 1);
    for (int i = 0; i < 64; i++) {
        pad[i] = block[i] ^ 0x5c;
    }
    memcpy(key->outer, sha1_iv, sizeof(key->outer));
    compress(key->outer, pad, 1);
    perc_secure_zero(block, sizeof(block));
    perc_secure_zero(pad, sizeof(pad));
    key->compress = compress;
    key->mac = hmac_sha1;
    return 1;
}

int perc_sha1_compress_impl(int impl, uint32_t state[5], const uint8_t *blocks, size_t nblocks) {
    switch (impl) {
    case 0:
        perc_sha1_compress_portable(state, blocks, nblocks);
        return 1;
#if defined(__x86_64__)
    case 1:
        if (!perc_cpu_has_shani()) {
            return 0;
        }
        perc_sha1_compress_shani(state, blocks, nblocks);
        return 1;
#endif
    default:
        return 0;
    }
}
