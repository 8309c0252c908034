#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# The README's test command: sets up what is missing, then builds and runs every test.
set -euo pipefail
cd "$(dirname "$0")/.."
bash Tools/bootstrap.sh
swift build --build-tests
swift test --skip-build
