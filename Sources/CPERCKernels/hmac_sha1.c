// SPDX-License-Identifier: Apache-2.0
// Copyright 2026 the swift-perc authors
//
// HMAC-SHA1 (RFC 2104) over a SHA-1 compression function chosen at key setup: SHA-NI (x86_64)
// or the ARMv8 SHA1 instructions (aarch64) when the CPU has them, portable C otherwise. The
// key stores the chaining values after the (key ^ ipad) and (key ^ opad) blocks, so a MAC
// costs ceil((len + 9) / 64) + 1 compressions.
#include "perc_internal.h"

#include <stdint.h>
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
#if defined(__aarch64__)
    if (perc_cpu_has_armv8_sha1()) {
        compress = perc_sha1_compress_armv8;
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

// MARK: - Batches

/// Longest message (d1 + d2) an interleaved group takes; longer ones run alone.
#define BATCH_MAX_MESSAGE 2048

/// Messages per interleaved group (SHA-NI lanes).
#define BATCH_LANES 4

#if defined(__x86_64__)
/// Lays out the inner message after the (key ^ ipad) block, SHA-1 padded; returns its block count.
static size_t pad_inner(uint8_t *buf, const perc_hmac_sha1_job *job) {
    const size_t total = job->l1 + job->l2;
    const size_t nblocks = (total + 8) / 64 + 1;
    if (job->l1 > 0) {
        memcpy(buf, job->d1, job->l1);
    }
    if (job->l2 > 0) {
        memcpy(buf + job->l1, job->d2, job->l2);
    }
    buf[total] = 0x80;
    memset(buf + total + 1, 0, 64 * nblocks - total - 1);
    const uint64_t bits = (uint64_t)(64 + total) * 8;
    for (int i = 0; i < 8; i++) {
        buf[64 * nblocks - 8 + i] = (uint8_t)(bits >> (56 - 8 * i));
    }
    return nblocks;
}

static void digest_bytes(const uint32_t h[5], uint8_t out[20]) {
    for (int i = 0; i < 5; i++) {
        out[4 * i] = (uint8_t)(h[i] >> 24);
        out[4 * i + 1] = (uint8_t)(h[i] >> 16);
        out[4 * i + 2] = (uint8_t)(h[i] >> 8);
        out[4 * i + 3] = (uint8_t)h[i];
    }
}

/// The outer block: inner digest, padding, and the length of ipad block + digest (672 bits).
static void outer_block(uint8_t block[64], const uint32_t inner[5]) {
    memset(block, 0, 64);
    digest_bytes(inner, block);
    block[20] = 0x80;
    block[62] = 0x02;
    block[63] = 0xa0;
}

/// Up to four HMACs with their SHA-1 blocks interleaved on SHA-NI: the inner hashes run in
/// lockstep while every message still has blocks, then the longer ones continue in fewer
/// lanes; the outer blocks run together.
static void hmac_group_shani(perc_hmac_sha1_job *const group[], int n) {
    _Alignas(64) uint8_t buf[BATCH_LANES][BATCH_MAX_MESSAGE + 128];
    uint32_t state[BATCH_LANES][5];
    size_t left[BATCH_LANES], used[BATCH_LANES];
    const uint8_t *pos[BATCH_LANES];
    for (int l = 0; l < n; l++) {
        left[l] = used[l] = pad_inner(buf[l], group[l]);
        pos[l] = buf[l];
        memcpy(state[l], group[l]->key->inner, sizeof(state[l]));
    }
    uint32_t *states[BATCH_LANES];
    const uint8_t *blocks[BATCH_LANES];
    for (;;) {
        int active[BATCH_LANES], k = 0;
        size_t step = SIZE_MAX;
        for (int l = 0; l < n; l++) {
            if (left[l] > 0) {
                states[k] = state[l];
                blocks[k] = pos[l];
                active[k++] = l;
                step = left[l] < step ? left[l] : step;
            }
        }
        if (k == 0) {
            break;
        }
        perc_sha1_compress_shani_lanes(states, blocks, k, step);
        for (int i = 0; i < k; i++) {
            pos[active[i]] += 64 * step;
            left[active[i]] -= step;
        }
    }
    for (int l = 0; l < n; l++) {
        outer_block(buf[l], state[l]);
        memcpy(state[l], group[l]->key->outer, sizeof(state[l]));
        states[l] = state[l];
        blocks[l] = buf[l];
    }
    perc_sha1_compress_shani_lanes(states, blocks, n, 1);
    for (int l = 0; l < n; l++) {
        digest_bytes(state[l], group[l]->mac);
        perc_secure_zero(buf[l], 64 * used[l]);
    }
    perc_secure_zero(state, sizeof(state));
}
#endif

/// Whether a job can join an interleaved SHA-NI group.
static int groupable(const perc_hmac_sha1_job *job) {
#if defined(__x86_64__)
    return job->key->compress == perc_sha1_compress_shani && job->l1 + job->l2 <= BATCH_MAX_MESSAGE;
#else
    (void)job;
    return 0;
#endif
}

void perc_hmac_sha1_batch(perc_hmac_sha1_job *jobs, size_t count) {
#if defined(__x86_64__)
    perc_hmac_sha1_job *group[BATCH_LANES];
    int n = 0;
#endif
    for (size_t i = 0; i < count; i++) {
        perc_hmac_sha1_job *job = &jobs[i];
        if (!groupable(job)) {
            job->key->mac(job->key, job->d1, job->l1, job->d2, job->l2, job->mac);
            continue;
        }
#if defined(__x86_64__)
        group[n++] = job;
        if (n == BATCH_LANES) {
            hmac_group_shani(group, n);
            n = 0;
        }
#endif
    }
#if defined(__x86_64__)
    if (n > 0) {
        hmac_group_shani(group, n);
    }
#endif
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
#if defined(__aarch64__)
    case 2:
        if (!perc_cpu_has_armv8_sha1()) {
            return 0;
        }
        perc_sha1_compress_armv8(state, blocks, nblocks);
        return 1;
#endif
    default:
        return 0;
    }
}
