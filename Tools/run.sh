#!/usr/bin/env bash
# Installs what Tern needs, builds tern-broker in release mode and runs it: a single broker
# with embedded coordination, listening on 127.0.0.1:9092 and keeping its data in ./tern-data
# unless flags say otherwise (`Tools/run.sh --help` lists them).
set -euo pipefail
cd "$(dirname "$0")/.."
bash Tools/deps.sh
swift build -c release --product tern-broker
exec "$(swift build -c release --show-bin-path)/tern-broker" "$@"
