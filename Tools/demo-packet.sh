#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# A packet by hand: build `perc` and take one RTP packet through the PERC path:
# double-protect at the sender, relay through a media-distributor hop (outer keys only,
# SEQ/PT/M rewritten), unprotect at the receiver, which gets the original packet back.
set -euo pipefail
cd "$(dirname "$0")/.."
bash Tools/bootstrap.sh
swift build -c release --product perc >/dev/null
perc=.build/release/perc
inner_key=0f0e0d0c0b0a09080706050403020100; inner_salt=a0a1a2a3a4a5a6a7a8a9aaab
sender_hop_key=101112131415161718191a1b1c1d1e1f; sender_hop_salt=4c4d4e4f5051525354555657
receiver_hop_key=202122232425262728292a2b2c2d2e2f; receiver_hop_salt=303132333435363738393a3b
rtp=91e01234decafbadcafebabe11223344bede0001104200005045524320646f75626c652074657374207061796c6f6164
echo "RTP (sender):        $rtp"
srtp=$($perc protect --profile double-aes128-gcm --key $inner_key$sender_hop_key --salt $inner_salt$sender_hop_salt "$rtp")
echo "double-protected:    $srtp"
relayed=$($perc forward --profile double-aes128-gcm --in-key $sender_hop_key --in-salt $sender_hop_salt \
    --out-key $receiver_hop_key --out-salt $receiver_hop_salt "$srtp" seq=66 pt=100 m=0)
echo "relayed (seq=66 pt=100 m=0): $relayed"
back=$($perc unprotect --profile double-aes128-gcm --key $inner_key$receiver_hop_key --salt $inner_salt$receiver_hop_salt "$relayed")
echo "receiver:            $back"
[ "$back" = "$rtp" ] && echo "ok: the receiver got the original packet back"
