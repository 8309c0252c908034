// SPDX-License-Identifier: Apache-2.0
// Copyright 2026 the swift-perc authors
//
// A quick speed check of the CPERCKernels paths (not the benchmark suite): ns per packet for
// AES-128-GCM seal, AES-128-CTR and HMAC-SHA1 on every backend this CPU runs, single calls
// and batches of 64, and Intel ipsec-mb's AES-128-GCM when built with HAVE_IPSECMB.
//
// Build and run from the package root (not part of the SwiftPM build):
//   cc -O2 -I Sources/CPERCKernels/include -I Sources/CPERCKernels -DHAVE_IPSECMB
//      Sources/CPERCKernels/*.c Benchmarks/kernels/kernel_speed.c -lcrypto -lIPSec_MB -o /tmp/kernel_speed
// (one command; drop -DHAVE_IPSECMB and -lIPSec_MB without libipsec-mb-dev)
//   /tmp/kernel_speed 160 1200
//
// Each figure is the minimum over RUNS runs of the thread CPU time per packet: on a shared
// machine the minimum is the run least disturbed by other work, and CPU time excludes the
// time the thread was not scheduled.
#include "perc_kernels.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#ifdef HAVE_IPSECMB
#include <intel-ipsec-mb.h>
#endif

enum { RUNS = 101, PACKETS = 4096, BATCH = 64, MAX_LEN = 2048 };

static uint8_t buffers[BATCH][MAX_LEN], tags[BATCH][20], ivs[BATCH][16];
static const uint8_t key_bytes[32] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16};
static const uint8_t header[12] = {0x80, 0x0f, 0x12, 0x34, 0xde, 0xca, 0xfb, 0xad, 0xca, 0xfe, 0xba, 0xbe};

static double cpu_ns(void) {
    struct timespec t;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
    return t.tv_sec * 1e9 + t.tv_nsec;
}

/// Runs `body` (which processes `per_call` packets) PACKETS / per_call times per run and
/// returns the best run's ns per packet.
#define MEASURE(per_call, body)                                                     \
    ({                                                                              \
        double best = 1e30;                                                         \
        for (int run = 0; run < RUNS; run++) {                                      \
            double start = cpu_ns();                                                \
            for (int call = 0; call < PACKETS / (per_call); call++) {               \
                ivs[call % BATCH][0] = (uint8_t)call;                               \
                body;                                                               \
            }                                                                       \
            double per_packet = (cpu_ns() - start) / (PACKETS / (per_call) * (per_call)); \
            best = per_packet < best ? per_packet : best;                           \
        }                                                                           \
        best;                                                                       \
    })

static void report(const char *what, size_t len, const char *path, const char *mode, double ns) {
    printf("%-16s %5zu B  %-9s %-10s %8.1f ns/packet\n", what, len, path, mode, ns);
}

static void run(size_t len) {
    for (int b = 0; b < PERC_BACKEND_COUNT; b++) {
        if (!perc_backend_is_available((perc_backend)b)) {
            continue;
        }
        const char *name = perc_backend_name((perc_backend)b);
        perc_gcm_key *gcm = perc_gcm_key_new((perc_backend)b, key_bytes, 16);
        perc_gcm_job jobs[BATCH];
        for (int j = 0; j < BATCH; j++) {
            jobs[j] = (perc_gcm_job){gcm, ivs[j], header, 12, NULL, 0, buffers[j], buffers[j], len, tags[j], 0};
        }
        report("aes128-gcm seal", len, name, "single",
               MEASURE(1, perc_gcm_seal(gcm, ivs[call % BATCH], header, 12, NULL, 0, buffers[call % BATCH],
                                        buffers[call % BATCH], len, tags[call % BATCH])));
        report("aes128-gcm seal", len, name, "batch64", MEASURE(BATCH, perc_gcm_seal_batch(jobs, BATCH)));
        perc_gcm_key_free(gcm);

        perc_ctr_key *ctr = perc_ctr_key_new((perc_backend)b, key_bytes, 16);
        report("aes128-ctr", len, name, "single",
               MEASURE(1, perc_ctr_xor(ctr, ivs[call % BATCH], buffers[call % BATCH], buffers[call % BATCH], len)));
        perc_ctr_key_free(ctr);

        perc_hmac_sha1_key *mac = perc_hmac_sha1_key_new((perc_backend)b, key_bytes, 20);
        perc_hmac_sha1_job macs[BATCH];
        for (int j = 0; j < BATCH; j++) {
            macs[j] = (perc_hmac_sha1_job){mac, buffers[j], len, ivs[j], 4, tags[j]};
        }
        report("hmac-sha1", len, name, "single",
               MEASURE(1, perc_hmac_sha1(mac, buffers[call % BATCH], len, ivs[call % BATCH], 4, tags[call % BATCH])));
        report("hmac-sha1", len, name, "batch64", MEASURE(BATCH, perc_hmac_sha1_batch(macs, BATCH)));
        perc_hmac_sha1_key_free(mac);
    }
#ifdef HAVE_IPSECMB
    IMB_MGR *mgr = alloc_mb_mgr(0);
    init_mb_mgr_auto(mgr, NULL);
    static struct gcm_key_data key_data __attribute__((aligned(64)));
    struct gcm_context_data context;
    IMB_AES128_GCM_PRE(mgr, key_bytes, &key_data);
    report("aes128-gcm seal", len, "ipsec-mb", "single",
           MEASURE(1, IMB_AES128_GCM_ENC(mgr, &key_data, &context, buffers[call % BATCH], buffers[call % BATCH], len,
                                         ivs[call % BATCH], header, 12, tags[call % BATCH], 16)));
    free_mb_mgr(mgr);
#endif
}

int main(int argc, char **argv) {
    setvbuf(stdout, NULL, _IONBF, 0);
    for (int i = 1; i < argc; i++) {
        size_t len = (size_t)strtoul(argv[i], NULL, 10);
        if (len == 0 || len > MAX_LEN) {
            fprintf(stderr, "length must be 1...%d\n", MAX_LEN);
            return 1;
        }
        run(len);
    }
    if (argc < 2) {
        run(1200);
    }
    return 0;
}
