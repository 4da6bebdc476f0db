#!/usr/bin/env bash
# Real Kafka clients against a real tern-broker process: kcat (Debian's librdkafka 2.0),
# confluent-kafka (librdkafka 2.16), kafka-python and aiokafka. check_broker.py starts and
# stops the broker itself (restarts, SIGKILL) and prints PASS/FAIL lines and "N passed, N failed".
# SWIFT_SCRATCH overrides the SwiftPM scratch directory.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(cd "$here/../.." && pwd)"
venv="$repo/Integration/.venv"
scratch="${SWIFT_SCRATCH:-$repo/.build}"

if [ ! -x "$venv/bin/python" ]; then
    python3 -m venv "$venv"
fi
if ! "$venv/bin/python" -c 'import confluent_kafka, kafka, aiokafka' 2>/dev/null; then
    "$venv/bin/pip" install --quiet --disable-pip-version-check confluent-kafka kafka-python aiokafka
fi

(cd "$repo" && swift build --scratch-path "$scratch" --product tern-broker) >/dev/null
broker="$scratch/debug/tern-broker"

exec "$venv/bin/python" "$here/check_broker.py" --broker "$broker" "$@"
