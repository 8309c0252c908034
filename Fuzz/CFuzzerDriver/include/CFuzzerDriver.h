// SPDX-License-Identifier: Apache-2.0
// Copyright 2026 the swift-perc authors
//
// libFuzzer's driver entry point, which Swift cannot declare itself. libFuzzer (linked by
// `-sanitize=fuzzer`) defines LLVMFuzzerRunDriver; this shim gives Swift a C prototype for it,
// so a fuzz target is an ordinary `main.swift` (no `-parse-as-library`, no C `main`).
#ifndef CFUZZERDRIVER_H
#define CFUZZERDRIVER_H

#include <stddef.h>
#include <stdint.h>

/// One fuzz input: returns 0 (libFuzzer's convention; -1 keeps the input out of the corpus).
typedef int (*CFuzzerDriver_TestOneInput)(const uint8_t *data, size_t size);

/// Runs libFuzzer with the process arguments (corpus directories, -max_total_time=N, ...) and
/// `testOneInput` as the target. Returns libFuzzer's exit status.
int CFuzzerDriver_run(int argc, char **argv, CFuzzerDriver_TestOneInput testOneInput);

#endif
