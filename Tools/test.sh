#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# The README's test command: sets up what is missing, then builds and runs every test.
set -euo pipefail
cd "$(dirname "$0")/.."
bash Tools/bootstrap.sh
swift build --build-tests
# Two runs: the suites that drive real sockets against timeouts (endpoints, distributors,
# tunnel, services) run apart from the CPU-bound ones. Swift Testing starts every test at
# once on a cooperative pool as wide as the machine (2 threads here), so a loop that services
# endpoints between short sleeps can wait seconds for a thread behind hundreds of CPU-bound
# tests, and a handshake then outlasts its test's timeout. Together they take about as long.
networked="ConferenceLoadTests|MediaDistributorTests|KeyDistributorTests|PERCServiceTests|PERCTunnelTests"
swift test --skip-build --skip "$networked"
swift test --skip-build --filter "$networked"
