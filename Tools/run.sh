#!/usr/bin/env bash
# Builds Tern in release mode and runs it. Until the broker exists (issue 4), "running Tern"
# means running the benchmarks of what is built: the codecs and record batches.
set -euo pipefail
cd "$(dirname "$0")/.."
bash Tools/deps.sh
swift build -c release --product tern-bench
exec "$(swift build -c release --show-bin-path)/tern-bench" "$@"
