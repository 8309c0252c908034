// SPDX-License-Identifier: Apache-2.0
// Copyright 2026 the swift-perc authors
//
// Thread pinning and per-thread CPU time, which Swift's Glibc overlay does not expose
// (cpu_set_t macros).
#define _GNU_SOURCE 1
#include "bench_peers.h"

#include <time.h>
#ifdef __linux__
#include <sched.h>
#endif

int bench_pin_to_cpu(int cpu) {
#ifdef __linux__
    cpu_set_t set;
    CPU_ZERO(&set);
    CPU_SET(cpu, &set);
    return sched_setaffinity(0, sizeof(set), &set);
#else
    (void)cpu;
    return -1;
#endif
}

uint64_t bench_thread_cpu_ns(void) {
    struct timespec ts;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}
