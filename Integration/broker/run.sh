#!/usr/bin/env bash
# Real Kafka clients against a real tern-broker process: kcat (Debian's librdkafka 2.0),
# confluent-kafka (librdkafka 2.16), kafka-python and aiokafka. check_broker.py starts and
# stops the broker itself (restarts, SIGKILL) and prints PASS/FAIL lines and "N passed, N failed".
# Without arguments it then runs check_zookeeper.py (the zk:// backend on Apache ZooKeeper) and
# ends with the combined count.
# SWIFT_SCRATCH overrides the SwiftPM scratch directory.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(cd "$here/../.." && pwd)"
scratch="${SWIFT_SCRATCH:-$repo/.build}"
source "$repo/Integration/venv.sh"
ensure_venv "import confluent_kafka, kafka, aiokafka, kazoo" confluent-kafka kafka-python aiokafka kazoo

(cd "$repo" && swift build --scratch-path "$scratch" --product tern-broker && swift build --scratch-path "$scratch" --product tern-coordinator) >/dev/null
broker="$scratch/debug/tern-broker"

if [ "$#" -gt 0 ]; then
    exec "$venv/bin/python" "$here/check_broker.py" --broker "$broker" "$@"
fi
summary=$(mktemp)
trap 'rm -f "$summary"' EXIT
"$venv/bin/python" "$here/check_broker.py" --broker "$broker" | tee -a "$summary"
broker_status=${PIPESTATUS[0]}
timeout 300 "$venv/bin/python" "$here/check_zookeeper.py" --broker "$broker" --coordinator "$scratch/debug/tern-coordinator" | tee -a "$summary"
zk_status=${PIPESTATUS[0]}
passed=0
failed=0
while read -r p _ f _; do
    passed=$((passed + p))
    failed=$((failed + f))
done < <(grep -E '^[0-9]+ passed, [0-9]+ failed' "$summary")
echo "$passed passed, $failed failed"
[ "$broker_status" -eq 0 ] && [ "$zk_status" -eq 0 ]
