#!/usr/bin/env bash
# tern-broker with --coordination zk://… against a real Apache ZooKeeper (Debian package
# `zookeeper`), started and stopped by check_zookeeper.py on a free port. Prints PASS/FAIL and
# "N passed, N failed". SWIFT_SCRATCH overrides the SwiftPM scratch directory. run.sh runs this
# check too, after the others.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(cd "$here/../.." && pwd)"
venv="$repo/Integration/.venv"
scratch="${SWIFT_SCRATCH:-$repo/.build}"

if [ ! -x "$venv/bin/python" ]; then
    python3 -m venv "$venv"
fi
if ! "$venv/bin/python" -c 'import confluent_kafka, kazoo' 2>/dev/null; then
    "$venv/bin/pip" install --quiet --disable-pip-version-check confluent-kafka kafka-python aiokafka kazoo
fi

(cd "$repo" && swift build --scratch-path "$scratch" --product tern-broker && swift build --scratch-path "$scratch" --product tern-coordinator) >/dev/null
exec timeout 300 "$venv/bin/python" "$here/check_zookeeper.py" --broker "$scratch/debug/tern-broker" --coordinator "$scratch/debug/tern-coordinator" "$@"
