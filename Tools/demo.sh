#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# The README's main job: build `perc` and run it on an example packet (protect, then unprotect).
set -euo pipefail
cd "$(dirname "$0")/.."
bash Tools/bootstrap.sh
swift build -c release --product perc >/dev/null
perc=.build/release/perc
key=000102030405060708090a0b0c0d0e0f
salt=a0a1a2a3a4a5a6a7a8a9aaab
rtp=800f1234decafbadcafebabeabababababababababababababababab
echo "RTP:       $rtp"
srtp=$($perc protect --profile aes128-gcm --key $key --salt $salt "$rtp")
echo "SRTP:      $srtp"
back=$($perc unprotect --profile aes128-gcm --key $key --salt $salt "$srtp")
echo "unprotect: $back"
[ "$back" = "$rtp" ]
