#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Copyright 2026 the swift-perc authors
# Fault runs against separate release processes (perc-kmf, perc-mdd, perc-load) on
# loopback, each printing its figures from perc-load's JSON report:
#
#   mdd-restart  the MDD is killed (SIGKILL) 10 s into a 30 s conference run and started
#                again DOWN seconds later on the same port: the endpoints' consent checks go
#                unanswered, they join again (new binding, DTLS handshake, hop keys) and media
#                resumes. Figures: rejoins, media gap per endpoint, time from detecting the
#                loss to verified media, and the gap minus the downtime (recovery).
#   kmf-restart  the KMF (--state DIR) is killed 10 s in and restarted DOWN seconds later
#                while participants churn: media keeps flowing through the MDD; joiners
#                during the outage wait for the restarted KMF.
#   storm        a join storm and churn (audio) against a KMF rekeying on join and leave with a 1 s
#                hold-off: rekeys per second, rekey-to-media time, and end-to-end failures
#                (0 means no member, and in particular none that stayed, failed to open media).
#   network      2% loss, 1% reordering and 1% duplication injected at every endpoint.
#   path-break   endpoints' paths break while the MDD stays up (--path-breaks 1: one per
#                second on average, as NAT rebindings would), against a KMF rekeying on
#                leave: each rejoins from a new socket; the KMF ends its old association at
#                once, without a rekey. Figures: breaks, rejoins, media gap, rekeys (0).
#
#   Tools/faults.sh [--down SECONDS] [--keep DIR] [SCENARIO...]   (default: all five)
#
# Builds the three binaries in release first. Exits non-zero when a run failed, a
# participant failed to join, or any authentication failure was counted.
set -uo pipefail
cd "$(dirname "$0")/.."

down=2
keep=
scenarios=()
while [ $# -gt 0 ]; do
    case "$1" in
        --down) down=$2; shift 2 ;;
        --keep) keep=$2; shift 2 ;;
        -h|--help) sed -n '4,27p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
        mdd-restart|kmf-restart|storm|network|path-break) scenarios+=("$1"); shift ;;
        *) echo "error: unknown argument $1" >&2; exit 2 ;;
    esac
done
[ ${#scenarios[@]} -eq 0 ] && scenarios=(mdd-restart kmf-restart storm network path-break)

for product in perc-kmf perc-mdd perc-load; do
    swift build -c release --product $product >/dev/null || { echo "error: building $product failed" >&2; exit 1; }
done
bin=$PWD/.build/release
work=${keep:-$(mktemp -d /tmp/perc-faults.XXXXXX)}
mkdir -p "$work"
tunnel=127.0.0.1:24443 http=127.0.0.1:28080 media=127.0.0.1:25004
pids=()
cleanup() { for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null; done; wait 2>/dev/null; }
trap cleanup EXIT

start_kmf() {   # extra perc-kmf flags
    "$bin/perc-kmf" --tunnel-listen $tunnel --http-listen $http --certs "$work/certs" --state "$work/state" \
        --log-level warning "$@" >>"$work/kmf.log" 2>&1 &
    kmf=$!; pids+=("$kmf")
}
start_mdd() {
    "$bin/perc-mdd" --media-listen $media --kmf $tunnel --certs "$work/certs" --log-level notice \
        >>"$work/mdd.log" 2>&1 &
    mdd=$!; pids+=("$mdd")
}
ready() {   # waits until the conference service answers
    for _ in $(seq 100); do
        curl -sf -o /dev/null "http://$http/health" && return 0
        sleep 0.1
    done
    echo "error: the KMF did not come up (log $work/kmf.log)" >&2; return 1
}
load() {   # json file, then perc-load flags
    local json=$1; shift
    "$bin/perc-load" --kmf "http://$http" --mdd $media --quiet --json "$json" "$@" >"$json.txt" 2>&1
}

failed=0
figures() {   # scenario, json, downtime or empty
    python3 - "$@" <<'EOF' || failed=1
import json, sys
name, path, down = sys.argv[1], sys.argv[2], sys.argv[3]
r = json.load(open(path))
def p(x): return "p50 %.0f / max %.0f ms" % (x["p50"], x["max"]) if x["count"] else "-"
line = "%s: joined %d/%d, delivered %.4f%% (%d of %d), auth failures e2e %d hbh %d, other errors %d" % (
    name, r["joined"], r["participants"], 100 * r["packets_received"] / max(r["packets_expected"], 1),
    r["packets_received"], r["packets_expected"], r["e2e_auth_failures"], r["hbh_auth_failures"], r["other_errors"])
if r["frames_skipped"]: line += ", frames skipped %d (perc-load short of CPU)" % r["frames_skipped"]
extra = []
if name == "mdd-restart":
    gap = r["media_gap_ms"]
    extra.append("rejoins %d, media gap %s, loss detected to media %s" % (r["rejoins"], p(gap), p(r["rejoin_ms"])))
    if gap["count"]:
        extra.append("recovery after the restart (gap - %s s down) p50 %.0f / max %.0f ms" % (
            down, gap["p50"] - 1000 * float(down), gap["max"] - 1000 * float(down)))
if name == "kmf-restart":
    extra.append("join time %s, rekeys %d" % (p(r["join_ms"]), r["rekeys"]))
if name == "storm":
    extra.append("rekeys %d (%.2f per second), rekey to media %s, join time %s; lost %d, under an EKTKey not held %d" % (
        r["rekeys"], r["rekeys"] / r["duration_s"], p(r["rekey_to_media_ms"]), p(r["join_ms"]), r["lost"],
        r["unknown_ekt_key"]))
if name == "network":
    i = r["injected"]
    extra.append("injected drops %d, reorders %d, duplicates %d; lost %d, reordered %d, duplicates %d" % (
        i["dropped"], i["reordered"], i["duplicated"], r["lost"], r["reordered"], r["duplicates"]))
if name == "path-break":
    extra.append("path breaks %d, rejoins %d, media gap %s, loss to media %s, rekeys %d" % (
        r["path_breaks"], r["rejoins"], p(r["media_gap_ms"]), p(r["rejoin_ms"]), r["rekeys"]))
print(line + "; " + "; ".join(extra))
for f in r["failures"]: print("  failure: " + f)
bad = r["failures"] or r["e2e_auth_failures"] or r["hbh_auth_failures"] or r["joined"] < r["participants"]
sys.exit(1 if bad else 0)
EOF
}

for scenario in "${scenarios[@]}"; do
    rm -rf "$work/state"; : >"$work/kmf.log"; : >"$work/mdd.log"
    json=$work/$scenario.json
    case $scenario in
        mdd-restart)
            start_kmf; ready || exit 1; start_mdd; sleep 1
            load "$json" --conferences 3 --participants 4 --duration 30 --audio --video 500 &
            runner=$!
            sleep 10; kill -9 "$mdd"; wait "$mdd" 2>/dev/null
            sleep "$down"; start_mdd
            wait $runner; status=$?
            ;;
        kmf-restart)
            start_kmf; ready || exit 1; start_mdd; sleep 1
            load "$json" --conferences 3 --participants 4 --duration 30 --audio --video 500 --churn 0.5 &
            runner=$!
            sleep 10; kill -9 "$kmf"; wait "$kmf" 2>/dev/null
            sleep "$down"; start_kmf
            wait $runner; status=$?
            ;;
        storm)
            start_kmf --rekey-on-join --rekey-on-leave --rekey-holdoff 1; ready || exit 1; start_mdd; sleep 1
            load "$json" --conferences 4 --participants 5 --duration 30 --audio \
                --join-storm 20@8 --churn 2
            status=$?
            ;;
        network)
            start_kmf; ready || exit 1; start_mdd; sleep 1
            load "$json" --conferences 3 --participants 4 --duration 20 --audio --video 500 \
                --loss 0.02 --reorder 0.01 --duplicate 0.01
            status=$?
            ;;
        path-break)
            start_kmf --rekey-on-leave; ready || exit 1; start_mdd; sleep 1
            load "$json" --conferences 3 --participants 4 --duration 30 --audio --video 500 --path-breaks 1
            status=$?
            ;;
    esac
    if [ "$status" -ne 0 ] || [ ! -s "$json" ]; then
        echo "$scenario: perc-load failed (exit $status; output $json.txt)"; failed=1
    else
        figures "$scenario" "$json" "$down"
    fi
    cleanup; pids=()
done
echo "(reports, logs: $work)"
exit $failed
