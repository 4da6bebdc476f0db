#!/usr/bin/env bash
# tern-broker with --coordination zk://… against a real Apache ZooKeeper (Debian package
# `zookeeper`), started and stopped by check_zookeeper.py on a free port. Prints PASS/FAIL and
# "N passed, N failed". SWIFT_SCRATCH overrides the SwiftPM scratch directory. run.sh runs this
# check too, after the others.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(cd "$here/../.." && pwd)"
scratch="${SWIFT_SCRATCH:-$repo/.build}"
source "$repo/Integration/venv.sh"
ensure_venv "import confluent_kafka, kazoo" confluent-kafka kafka-python aiokafka kazoo

(cd "$repo" && swift build --scratch-path "$scratch" --product tern-broker && swift build --scratch-path "$scratch" --product tern-coordinator) >/dev/null
exec timeout 300 "$venv/bin/python" "$here/check_zookeeper.py" --broker "$scratch/debug/tern-broker" --coordinator "$scratch/debug/tern-coordinator" "$@"
