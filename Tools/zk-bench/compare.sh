#!/usr/bin/env bash
# Runs the same ZooKeeper-protocol load against a 3-node Apache ZooKeeper ensemble (Debian's
# zookeeper package) and a 3-node tern-coordinator ensemble, one after the other, and prints one
# line per measurement: synchronous and pipelined creates/sets/gets (ops/s, p50, p99) and the
# leader-failover window (SIGKILL of the leader while a client writes).
#
#   Tools/zk-bench/compare.sh [OPS] [SIZE]
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(cd "$here/../.." && pwd)"
ops="${1:-20000}"
size="${2:-3}"

# Debian's python3-kazoo lives under the system interpreter, not a pyenv one earlier on PATH.
python=/usr/bin/python3
"$python" -c 'import kazoo' 2>/dev/null || { echo "zk-bench needs python3-kazoo (apt-get install -y python3-kazoo)" >&2; exit 1; }
[ -r /usr/share/java/zookeeper.jar ] || { echo "zk-bench needs the zookeeper package" >&2; exit 1; }
(cd "$repo" && swift build -c release --product tern-coordinator) >/dev/null

"$python" "$here/bench.py" --kind zookeeper --size "$size" --ops "$ops"
"$python" "$here/bench.py" --kind tern --size "$size" --ops "$ops" \
    --tern-binary "$repo/.build/release/tern-coordinator"
