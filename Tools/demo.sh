#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# The README's first command: on a fresh Debian 12 machine with Swift, install the Debian
# packages (Tools/bootstrap.sh), build perc-load in release and run it embedded: a Key
# Distributor, a Media Distributor and 3 conferences of 4 real endpoints (audio + 1000
# kbit/s video, every packet double-protected and verified) in one process on loopback
# for 15 s, then the report. Extra arguments go to perc-load, e.g.
#   bash Tools/demo.sh --duration 30 --html report.html
set -euo pipefail
cd "$(dirname "$0")/.."
bash Tools/bootstrap.sh
echo "building perc-load (release; the first build takes several minutes)..."
swift build -c release --product perc-load
exec .build/release/perc-load --embedded "$@"
