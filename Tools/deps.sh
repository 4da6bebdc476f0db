#!/usr/bin/env bash
# Installs the Debian packages Tern builds and tests with, when any is missing.
# Sourced by Tools/run.sh and Tools/test.sh; safe to run by hand.
set -euo pipefail

packages=(pkg-config zlib1g-dev liblz4-dev libzstd-dev libsnappy-dev lz4 zstd python3-venv kcat zookeeper python3-kazoo)
missing=()
for package in "${packages[@]}"; do
    dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" || missing+=("$package")
done
if [ ${#missing[@]} -gt 0 ]; then
    echo "deps: installing ${missing[*]}"
    sudo_cmd=""
    [ "$(id -u)" -ne 0 ] && sudo_cmd="sudo"
    $sudo_cmd apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -qq "${missing[@]}" >/dev/null
fi
