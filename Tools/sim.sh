#!/usr/bin/env bash
# Runs the Raft core's deterministic simulation with N random seeds (default 200), on 3- and
# 5-node clusters, and prints every failing seed with the command that replays it.
#
#   Tools/sim.sh            200 random seeds
#   Tools/sim.sh 1000       1000 random seeds
#   SIM_NODES=5 Tools/sim.sh 50
#
# The fixed seeds run in the normal test command (`swift test --disable-xctest`); this is the
# on-demand sweep. A failing seed replays exactly with:
#   SIM_SEED=<seed> SIM_NODES=<n> swift test --disable-xctest --filter RaftSimulation
set -euo pipefail

count="${1:-200}"
if ! [[ "$count" =~ ^[0-9]+$ ]] || [ "$count" -lt 1 ]; then
    echo "usage: $0 [N random seeds, default 200]" >&2
    exit 2
fi

cd "$(dirname "$0")/.."
log="$(mktemp -t raft-sim.XXXXXX)"
trap 'rm -f "$log"' EXIT

echo "running $count random seeds (nodes: ${SIM_NODES:-3 and 5}); output in $log while it runs"
status=0
SIM_SEEDS="$count" swift test --disable-xctest --filter RaftSimulationTests/simulate_randomSeeds_fromEnvironment \
    >"$log" 2>&1 || status=$?

failed="$(grep -E '^seed=[0-9]+ nodes=[0-9]+ FAILED' "$log" || true)"
ran="$(grep -E '^ran [0-9]+ random seeds' "$log" || true)"

if [ -n "$failed" ]; then
    echo "FAILED runs:"
    echo "$failed"
    echo
    echo "replay each with:"
    grep -E '^replay: ' "$log" | sed 's/^replay: /  /' | sed 's/swift test --filter/swift test --disable-xctest --filter/'
    exit 1
fi
if [ "$status" -ne 0 ] || [ -z "$ran" ]; then
    # A trap in the core (a broken invariant) ends the process: the last "starting" line names it.
    last="$(grep -E '^seed=[0-9]+ nodes=[0-9]+ starting' "$log" | tail -1 || true)"
    echo "the simulation did not finish (exit $status)"
    if [ -n "$last" ]; then
        seed="$(sed -E 's/^seed=([0-9]+) nodes=([0-9]+).*/\1/' <<<"$last")"
        nodes="$(sed -E 's/^seed=([0-9]+) nodes=([0-9]+).*/\2/' <<<"$last")"
        echo "last run started: $last"
        echo "replay with: SIM_SEED=$seed SIM_NODES=$nodes swift test --disable-xctest --filter RaftSimulation"
    fi
    tail -20 "$log"
    exit 1
fi
echo "$ran"
