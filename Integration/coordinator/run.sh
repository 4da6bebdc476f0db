#!/usr/bin/env bash
# The coordinator checks (run_checks.py): the kazoo suite and zkCli against Apache ZooKeeper from
# Debian and tern-coordinator, each as one node and as a 3-node ensemble of processes, then
# SIGKILL of the leader and of a follower on both. Ends with an "N passed, N failed" line.
# SWIFT_SCRATCH overrides the SwiftPM scratch directory; ONLY=NAME runs matching kazoo checks.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(cd "$here/../.." && pwd)"
venv="$repo/Integration/.venv"
scratch="${SWIFT_SCRATCH:-$repo/.build}"

# kazoo from pip in the shared venv; Debian's python3-kazoo under /usr/bin/python3 otherwise.
python="$venv/bin/python"
if [ ! -x "$python" ]; then python3 -m venv "$venv" >/dev/null 2>&1 || true; fi
if [ -x "$python" ] && ! "$python" -c 'import kazoo' 2>/dev/null; then
    "$venv/bin/pip" install --quiet --disable-pip-version-check kazoo >/dev/null 2>&1 || true
fi
if ! [ -x "$python" ] || ! "$python" -c 'import kazoo' 2>/dev/null; then python=/usr/bin/python3; fi
"$python" -c 'import kazoo' || { echo "0 passed, 1 failed (no kazoo)"; exit 1; }

(cd "$repo" && swift build --scratch-path "$scratch" --product tern-coordinator) >/dev/null
exec "$python" "$here/run_checks.py" --tern-binary "$scratch/debug/tern-coordinator" ${ONLY:+--only "$ONLY"}
