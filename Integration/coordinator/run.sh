#!/usr/bin/env bash
# The kazoo suite (check_coordinator.py) and a zkCli.sh smoke check, run against Apache
# ZooKeeper from Debian (single node, started by hand as in PLATFORM.md §5) and against
# `tern-coordinator --consensus memory`, so both are held to the same behaviour.
# Prints PASS/FAIL per check and a final "coordinator: PASS|FAIL" line; exits non-zero on failure.
# SWIFT_SCRATCH overrides the SwiftPM scratch directory; ONLY=NAME runs matching kazoo checks.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(cd "$here/../.." && pwd)"
venv="$repo/Integration/.venv"
scratch="${SWIFT_SCRATCH:-$repo/.build}"
work="$(mktemp -d /tmp/tern-coordinator-it.XXXXXX)"
pids=()

cleanup() {
    for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
    for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
    rm -rf "$work"
}
trap cleanup EXIT

# kazoo from pip in the shared venv; Debian's python3-kazoo under /usr/bin/python3 otherwise.
python="$venv/bin/python"
if [ ! -x "$python" ]; then python3 -m venv "$venv" >/dev/null 2>&1 || true; fi
if [ -x "$python" ] && ! "$python" -c 'import kazoo' 2>/dev/null; then
    "$venv/bin/pip" install --quiet --disable-pip-version-check kazoo >/dev/null 2>&1 || true
fi
if ! [ -x "$python" ] || ! "$python" -c 'import kazoo' 2>/dev/null; then python=/usr/bin/python3; fi
"$python" -c 'import kazoo' || { echo "coordinator: FAIL (no kazoo)"; exit 1; }

free_port() { "$python" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }

wait_ready() {  # port: until a ConnectRequest-capable listener answers ruok or accepts
    for _ in $(seq 1 200); do
        if (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; then return 0; fi
        sleep 0.1
    done
    return 1
}

zkcli_smoke() {  # label port
    local out="" command
    for command in "create /zkcli-smoke hello" "get /zkcli-smoke" "ls /" "delete /zkcli-smoke" "stat /zkcli-smoke"; do
        # shellcheck disable=SC2086 # the command is split into zkCli's arguments on purpose
        out+="$(timeout 60 /usr/share/zookeeper/bin/zkCli.sh -server "127.0.0.1:$2" $command 2>&1 || true)"$'\n'
    done
    if grep -q "Created /zkcli-smoke" <<<"$out" && grep -qx "hello" <<<"$out" \
        && grep -q "zkcli-smoke" <<<"$(grep '^\[' <<<"$out")" && grep -q "Node does not exist: /zkcli-smoke" <<<"$out"; then
        echo "PASS [$1] zkcli_create_get_ls_delete"
        return 0
    fi
    echo "FAIL [$1] zkcli_create_get_ls_delete"
    tail -20 <<<"$out"
    return 1
}

failed=0

# Apache ZooKeeper 3.8, standalone.
zk_port="$(free_port)"
mkdir -p "$work/zk/data"
cat >"$work/zk/zoo.cfg" <<CFG
tickTime=2000
dataDir=$work/zk/data
clientPort=$zk_port
clientPortAddress=127.0.0.1
maxClientCnxns=0
admin.enableServer=false
4lw.commands.whitelist=ruok,srvr,mntr
CFG
java -Xms64m -Xmx256m -XX:+UseSerialGC -XX:TieredStopAtLevel=1 -Dorg.slf4j.simpleLogger.defaultLogLevel=warn \
    -cp /usr/share/java/zookeeper.jar:/usr/share/java/slf4j-simple.jar \
    org.apache.zookeeper.server.ZooKeeperServerMain "$work/zk/zoo.cfg" >"$work/zk/zk.log" 2>&1 &
pids+=($!)

# tern-coordinator, in memory.
(cd "$repo" && swift build --scratch-path "$scratch" --product tern-coordinator) >/dev/null
tern_port="$(free_port)"
"$scratch/debug/tern-coordinator" --consensus memory --client-listen "127.0.0.1:$tern_port" --log-level warning \
    >"$work/tern.log" 2>&1 &
pids+=($!)

wait_ready "$zk_port" || { echo "FAIL [zookeeper] did not start"; tail "$work/zk/zk.log"; exit 1; }
wait_ready "$tern_port" || { echo "FAIL [tern] did not start"; tail "$work/tern.log"; exit 1; }

for target in "zookeeper:$zk_port" "tern:$tern_port"; do
    label="${target%%:*}"
    port="${target##*:}"
    "$python" "$here/check_coordinator.py" --servers "127.0.0.1:$port" --label "$label" ${ONLY:+--only "$ONLY"} || failed=1
    zkcli_smoke "$label" "$port" || failed=1
done

if [ "$failed" = 0 ]; then echo "coordinator: PASS"; else echo "coordinator: FAIL"; tail -20 "$work/tern.log"; fi
exit "$failed"
