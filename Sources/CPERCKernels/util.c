// SPDX-License-Identifier: Apache-2.0
// Copyright 2026 the swift-perc authors
//
// Constant-time comparison, secure zeroing, and the release hook tests use to see zeroed keys.
#include "perc_kernels.h"

#include <stdatomic.h>
#include <string.h>

int perc_ct_equal(const void *a, const void *b, size_t n) {
    const volatile uint8_t *x = (const volatile uint8_t *)a;
    const volatile uint8_t *y = (const volatile uint8_t *)b;
    uint8_t diff = 0;
    for (size_t i = 0; i < n; i++) {
        diff |= (uint8_t)(x[i] ^ y[i]);
    }
    // Map 0 -> 1 and 1..255 -> 0 without a branch on the secret difference.
    return (int)(1 & ((uint32_t)(diff - 1) >> 8));
}

void perc_secure_zero(void *p, size_t n) {
    if (p == NULL || n == 0) {
        return;
    }
    memset(p, 0, n);
    // The barrier keeps the compiler from treating the memset as a dead store.
    __asm__ __volatile__("" : : "r"(p) : "memory");
}

static _Atomic(perc_release_observer) release_observer;

void perc_secure_release(void *p, size_t n) {
    perc_secure_zero(p, n);
    perc_release_observer observer = atomic_load_explicit(&release_observer, memory_order_acquire);
    if (observer != NULL && p != NULL) {
        observer(p, n);
    }
}

void perc_set_release_observer(perc_release_observer observer) {
    atomic_store_explicit(&release_observer, observer, memory_order_release);
}
