#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
# Copyright 2026 the swift-perc authors
"""The mutants of `Tools/test-aarch64.sh --mutate`: small deliberate bugs in the aarch64
kernels, each of which the C driver must catch. Each mutant replaces one exact piece of a
copy of Sources/CPERCKernels; a piece that does not occur exactly once is an error (the
kernel changed and the table must follow), so a mutant can never silently test the original.

Usage: mutants.py count | mutants.py apply KERNELS_COPY_DIR INDEX (prints the description)."""
import sys
from pathlib import Path

# (file, original text, mutated text, what the mutant breaks)
MUTANTS = [
    ("gcm_armv8.c",
     "#define GF_POLY_HI 0xc200000000000000ULL",
     "#define GF_POLY_HI 0xc200000000000001ULL",
     "GHASH: one bit of the reduction constant flipped"),
    ("gcm_armv8.c",
     "const uint8x16_t outer_ct = veorq_u8(inner_ct, kso[i]);",
     "const uint8x16_t outer_ct = veorq_u8(inner_ct, kso[i ^ 1]);",
     "double seal: two outer keystream blocks of a bulk chunk swapped"),
    ("gcm_armv8.c",
     "        yi = ghash_blocks(ki, yi, xi, GCM_LANES);\n        yo = ghash_blocks(ko, yo, xo, GCM_LANES);",
     "        yo = ghash_blocks(ko, yo, xo, GCM_LANES);",
     "double seal: the inner GHASH skips the bulk chunks"),
    ("gcm_armv8.c",
     "    if (ok_o & ok_i) {",
     "    if (ok_o) {",
     "double open: the inner tag is not checked"),
    ("gcm_armv8.c",
     "    yi = ghash_bytes(ki, yi, buf, rem);\n    memcpy(out + done, buf, tl);",
     "    yi = ghash_bytes(ki, yi, buf, rem - (rem > 0));\n    memcpy(out + done, buf, tl);",
     "double open: the inner GHASH misses the last payload byte of the tail"),
    ("gcm_armv8.c",
     "const uint8x16_t cb = veorq_u8(p, ks[1][i]);",
     "const uint8x16_t cb = veorq_u8(p, ks[0][i]);",
     "fan-out: the second job of a pair gets the first job's bulk keystream"),
    ("gcm_armv8.c",
     "b->result = gcm_short(b->key, ksb,",
     "b->result = gcm_short(b->key, ksa,",
     "batch: the second job of a short pair gets the first job's keystream"),
    ("gcm_armv8.c",
     "counter_block(make_j0(iv), block + 2)",
     "counter_block(make_j0(iv), block + 1)",
     "keystream peek: the counter one block early"),
    ("gcm_armv8.c",
     "        if (n > 8) {\n            aes_encrypt_lanes(ka->round_keys, ka->rounds, ksa + 8, 4);",
     "        if (n > 9) {\n            aes_encrypt_lanes(ka->round_keys, ka->rounds, ksa + 8, 4);",
     "short path: the ninth keystream block left unencrypted"),
    ("gcm_armv8.c",
     "return (int)(1 & ~((v | (0 - v)) >> 63));",
     "return (int)(1 & ~(((v << 1) | (0 - (v << 1))) >> 63));",
     "tag check: one bit of each tag half ignored"),
    ("aes_armv8.h",
     "for (int r = common; r < rb - 1; r++) {",
     "for (int r = common; r < rb - 2; r++) {",
     "two-key AES: the second key's extra rounds one short (AES-128 with AES-256)"),
]


def main():
    if sys.argv[1] == "count":
        print(len(MUTANTS))
        return
    directory, index = Path(sys.argv[2]), int(sys.argv[3])
    name, old, new, what = MUTANTS[index]
    path = directory / name
    text = path.read_text()
    if text.count(old) != 1:
        sys.exit(f"mutant {index} ({what}): the original text occurs {text.count(old)} times in {name}")
    path.write_text(text.replace(old, new))
    print(what)


if __name__ == "__main__":
    main()
