#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# `perc dtls` against OpenSSL on loopback: for each profile, our client against
# `openssl s_server` and our server against `openssl s_client`; the DTLS-SRTP keying material
# must be byte-identical. Then `perc dtls` against itself with a double profile and EKT.
# Usage: Tools/dtls-interop.sh [path/to/perc]   (default: builds and uses .build/debug/perc)
set -euo pipefail
cd "$(dirname "$0")/.."
perc=${1:-}
if [ -z "$perc" ]; then
    swift build --product perc >/dev/null
    perc=.build/debug/perc
fi
work=$(mktemp -d)
pids=()
cleanup() {
    for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
    rm -rf "$work"
}
trap cleanup EXIT

openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -keyout "$work/key.pem" \
    -out "$work/cert.pem" -days 1 -subj /CN=openssl 2>/dev/null
fingerprint=$(openssl x509 -in "$work/cert.pem" -outform DER | sha256sum | cut -c1-64)
port=$((20000 + RANDOM % 20000))
failures=0

check() {  # name, ours (lower-case hex), theirs (as OpenSSL prints it)
    local theirs_lower
    theirs_lower=$(printf '%s' "$3" | tr 'A-F' 'a-f')
    if [ -n "$2" ] && [ "$2" = "$theirs_lower" ]; then
        echo "ok   $1: $2"
    else
        echo "FAIL $1: ours '$2', openssl '$3'"
        failures=$((failures + 1))
    fi
}

for pair in "SRTP_AEAD_AES_128_GCM aes128-gcm 56" "SRTP_AES128_CM_SHA1_80 aes128-cm-sha1-80 60"; do
    set -- $pair
    openssl_profile=$1 ours_profile=$2 length=$3

    # Our client against openssl s_server.
    port=$((port + 1))
    (sleep 5 | timeout 8 openssl s_server -dtls1_2 -accept "127.0.0.1:$port" -naccept 1 -cert "$work/cert.pem" \
        -key "$work/key.pem" -use_srtp "$openssl_profile" -keymatexport EXTRACTOR-dtls_srtp \
        -keymatexportlen "$length" >"$work/s_server.out" 2>&1) &
    pids+=($!)
    for _ in $(seq 50); do grep -q ACCEPT "$work/s_server.out" 2>/dev/null && break; sleep 0.1; done
    ours=$("$perc" dtls client --connect "127.0.0.1:$port" --profiles "$ours_profile" --fingerprint "$fingerprint" \
        | sed -n 's/^keying-material: //p') || true
    for _ in $(seq 50); do grep -q "Keying material:" "$work/s_server.out" && break; sleep 0.1; done
    check "perc client vs s_server $openssl_profile" "$ours" "$(sed -n 's/.*Keying material: //p' "$work/s_server.out")"

    # Our server against openssl s_client.
    port=$((port + 1))
    ("$perc" dtls server --listen "127.0.0.1:$port" --profiles "$ours_profile" >"$work/perc-server.out" 2>&1) &
    pids+=($!)
    sleep 0.3
    (timeout 5 openssl s_client -dtls1_2 -connect "127.0.0.1:$port" -use_srtp "$openssl_profile" \
        -keymatexport EXTRACTOR-dtls_srtp -keymatexportlen "$length" </dev/null >"$work/s_client.out" 2>&1) || true
    check "perc server vs s_client $openssl_profile" "$(sed -n 's/^keying-material: //p' "$work/perc-server.out")" \
        "$(sed -n 's/.*Keying material: //p' "$work/s_client.out")"
done

# perc against perc: a double profile with EKT.
port=$((port + 1))
("$perc" dtls server --listen "[::1]:$port" --profiles double-aes128-gcm --ekt-cipher aeskw128 >"$work/server.out" 2>&1) &
pids+=($!)
sleep 0.3
"$perc" dtls client --connect "[::1]:$port" >"$work/client.out" 2>&1 || true
sleep 0.3
if [ -s "$work/client.out" ] && diff <(grep -v fingerprint "$work/client.out") <(grep -v fingerprint "$work/server.out") >/dev/null \
    && grep -q "^profile: double-aes128-gcm" "$work/client.out" && grep -q "^ekt: spi=" "$work/client.out"; then
    echo "ok   perc client vs perc server double-aes128-gcm + EKT: $(grep ^ekt "$work/client.out")"
else
    echo "FAIL perc client vs perc server:"; cat "$work/client.out" "$work/server.out"
    failures=$((failures + 1))
fi
exit $((failures > 0))
