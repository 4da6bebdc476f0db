#!/usr/bin/env bash
# Runs every test: generated-code freshness, the Swift unit tests, and the cross-checks
# against real libraries and clients in Integration/. Ends with one "N passed, N failed" line.
set -uo pipefail
cd "$(dirname "$0")/.."
bash Tools/deps.sh || exit 1

log_dir=$(mktemp -d)
passed=0
failed=0

# The generated codecs must match their schemas.
echo "=== codegen check"
if swift run -q tern-codegen --check; then passed=$((passed + 1)); else failed=$((failed + 1)); fi

# Unit tests (Swift Testing only; XCTest would print a misleading empty summary), in two runs:
# the suites that run real clocks against real processes and sockets (Raft runtimes electing
# leaders, clients of a ZooKeeper JVM) run after the rest, because CPU-bound suites that never
# suspend hold both of Swift's pool threads on 2 cores for seconds at a time.
realtime='RaftRuntimeClusterTests|RaftRuntimeTCPTests|GroupCommitTests|ZooKeeperClientTests|ZooKeeperCoordinationTests'
run_swift_tests() {  # label, swift test arguments...
    local label="$1"
    shift
    echo "=== swift test ($label)"
    swift test --disable-xctest "$@" 2>&1 | tee "$log_dir/swift-test.log"
    local status=${PIPESTATUS[0]}
    local count issues
    count=$(grep -Eo 'Test run with [0-9]+ test' "$log_dir/swift-test.log" | tail -1 | grep -Eo '[0-9]+' || echo 0)
    issues=$(grep -Ec '^✘ Test .* (failed|recorded)' "$log_dir/swift-test.log" || true)
    if [ "$status" -eq 0 ] && [ "${count:-0}" -gt 0 ]; then
        passed=$((passed + count))
    else
        failed=$((failed + (issues > 0 ? issues : 1)))
    fi
}
run_swift_tests "unit" --skip "$realtime"
run_swift_tests "real-time suites" --skip-build --filter "$realtime"

# Cross-checks with real libraries and clients; each script prints "N passed, N failed".
for script in Integration/*/run.sh; do
    [ -f "$script" ] || continue
    echo "=== $script"
    bash "$script" 2>&1 | tee "$log_dir/integration.log"
    script_status=${PIPESTATUS[0]}
    line=$(grep -E '^[0-9]+ passed, [0-9]+ failed' "$log_dir/integration.log" | tail -1)
    if [ -n "$line" ]; then
        passed=$((passed + $(echo "$line" | cut -d' ' -f1)))
        failed=$((failed + $(echo "$line" | cut -d' ' -f3)))
    fi
    if [ "$script_status" -ne 0 ] && { [ -z "$line" ] || [ "$(echo "$line" | cut -d' ' -f3)" -eq 0 ]; }; then
        failed=$((failed + 1))
    fi
done

rm -rf "$log_dir"
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
