// SPDX-License-Identifier: Apache-2.0
// Copyright 2026 the swift-perc authors

#include "CFuzzerDriver.h"

#include <stdio.h>
#include <stdlib.h>

// Defined by libFuzzer (compiler-rt's libclang_rt.fuzzer), linked by `-sanitize=fuzzer`.
int LLVMFuzzerRunDriver(int *argc, char ***argv, int (*testOneInput)(const uint8_t *, size_t));

static CFuzzerDriver_TestOneInput registered;

int CFuzzerDriver_run(int argc, char **argv, CFuzzerDriver_TestOneInput testOneInput) {
    registered = testOneInput;
    return LLVMFuzzerRunDriver(&argc, &argv, testOneInput);
}

// libFuzzer's own main (FuzzerMain.o) is pulled into the link whatever defines `main`, and it
// names this symbol; SwiftPM's `--defsym main=<target>_main` keeps the Swift main the entry
// point, so this only forwards to the registered target.
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    if (registered == NULL) {
        fputs("CFuzzerDriver: LLVMFuzzerTestOneInput called before CFuzzerDriver_run\n", stderr);
        abort();
    }
    return registered(data, size);
}
