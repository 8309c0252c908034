#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Installs the Debian packages swift-perc, its tests and its benchmarks need.
# Idempotent and quiet: runs `apt-get update` only when a package is missing.
set -euo pipefail

packages=(pkg-config openssl libssl-dev libsrtp2-dev libnuma-dev python3-cryptography)
case "$(uname -m)" in
    # ipsec-mb for the benchmark comparison; the aarch64 cross compiler, its libc and qemu
    # for Tools/test-aarch64.sh (the aarch64 kernel paths, tested under emulation).
    x86_64) packages+=(libipsec-mb-dev gcc-aarch64-linux-gnu libc6-dev-arm64-cross qemu-user-static) ;;
    aarch64) packages+=(gcc) ;;   # Tools/test-aarch64.sh builds and runs natively
esac
# Extra packages a caller asks for (for example the aarch64 cross tools).
packages+=("$@")

missing=()
for p in "${packages[@]}"; do
    if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
        missing+=("$p")
    fi
done
if [ ${#missing[@]} -eq 0 ]; then
    exit 0
fi
sudo=""
if [ "$(id -u)" -ne 0 ]; then sudo="sudo"; fi
echo "bootstrap: installing ${missing[*]}"
$sudo apt-get update -qq >/dev/null
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
