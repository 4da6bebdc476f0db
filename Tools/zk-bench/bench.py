"""One benchmark run against a ZooKeeper-protocol ensemble: synchronous and pipelined creates, sets
and gets (ops/s, latency p50/p99), then the leader-failover unavailability window. Prints one line
per measurement so compare.sh can put Apache ZooKeeper and tern-coordinator side by side.

    python bench.py --kind zookeeper|tern [--size 3] [--ops 20000] [--window 100] [--clients 2]
"""

import argparse
import logging
import multiprocessing
import os
import signal
import socket
import sys
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from ensemble import Ensemble  # noqa: E402
from jute_client import OP_CREATE, OP_GETDATA, OP_SETDATA, JuteConnection  # noqa: E402


def four_letter_word(port, word, timeout=2.0):
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=timeout) as s:
            s.sendall(word.encode())
            chunks = []
            while True:
                chunk = s.recv(65536)
                if not chunk:
                    break
                chunks.append(chunk)
            return b"".join(chunks).decode(errors="replace")
    except OSError:
        return ""


def find_leader(ensemble, deadline_seconds=30.0):
    deadline = time.monotonic() + deadline_seconds
    while time.monotonic() < deadline:
        for node in ensemble.nodes:
            status = four_letter_word(node.client_port, "srvr") if node.running else ""
            if "Mode: leader" in status or "Mode: standalone" in status:
                return node
        time.sleep(0.1)
    raise RuntimeError("no node reports Mode: leader")


def _client(args):
    port, op, prefix, count, window, payload = args
    connection = JuteConnection("127.0.0.1", port)
    requests = [connection.encode(op, f"{prefix}/n{i}", payload) for i in range(count)]
    latencies = []
    start = time.perf_counter()
    connection.run_window(requests, window, latencies)
    elapsed = time.perf_counter() - start
    connection.close()
    return elapsed, latencies


def measure(ensemble, label, op, prefix, count, window, clients, payload):
    """Runs `clients` processes, spread over the nodes, each keeping `window` requests in flight
    on paths `<prefix><client>/n<i>`."""
    ports = [n.client_port for n in ensemble.nodes]
    per_client = count // clients
    jobs = [(ports[c % len(ports)], op, f"{prefix}{c}", per_client, window, payload) for c in range(clients)]
    with multiprocessing.Pool(clients) as pool:
        results = pool.map(_client, jobs)
    elapsed = max(r[0] for r in results)
    latencies = sorted(x for r in results for x in r[1])
    p50 = latencies[len(latencies) // 2] * 1000
    p99 = latencies[min(len(latencies) - 1, int(len(latencies) * 0.99))] * 1000
    rate = per_client * clients / elapsed
    print(f"{ensemble.kind:9} {label:22} {rate:10.0f} ops/s  p50 {p50:7.2f} ms  p99 {p99:7.2f} ms", flush=True)


def wait_serving(ensemble, deadline_seconds=60.0):
    """Waits until every node grants sessions: a quorum member listens before it has joined."""
    deadline = time.monotonic() + deadline_seconds
    for node in ensemble.nodes:
        while True:
            try:
                JuteConnection("127.0.0.1", node.client_port).close()
                break
            except (OSError, RuntimeError):
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.1)


def prepare(ensemble, clients):
    connection = JuteConnection("127.0.0.1", ensemble.nodes[0].client_port)
    requests = [connection.encode(OP_CREATE, "/bench")]
    requests += [connection.encode(OP_CREATE, f"/bench/p{c}") for c in range(clients)]
    requests.append(connection.encode(OP_CREATE, "/bench/s0"))
    connection.run_window(requests, 1)
    connection.close()


def failover(ensemble, kill_after=2.0, observe=8.0):
    """Writes synchronously through a client that knows every node, SIGKILLs the leader, and
    reports the longest gap between two acknowledged writes."""
    from kazoo.client import KazooClient
    from kazoo.exceptions import ConnectionLoss, SessionExpiredError
    from kazoo.retry import KazooRetry

    client = KazooClient(hosts=ensemble.hosts, timeout=10.0,
                         connection_retry=KazooRetry(max_tries=-1, delay=0.02, max_delay=0.1))
    client.start(timeout=30)
    client.ensure_path("/failover")
    acked = []
    stop = threading.Event()

    def writer():
        i = 0
        while not stop.is_set():
            try:
                client.set("/failover", str(i).encode())
                acked.append(time.monotonic())
                i += 1
            except (ConnectionLoss, SessionExpiredError):
                time.sleep(0.005)
            except Exception:
                time.sleep(0.005)

    thread = threading.Thread(target=writer, daemon=True)
    thread.start()
    time.sleep(kill_after)
    leader = find_leader(ensemble)
    killed_at = time.monotonic()
    leader.kill(signal.SIGKILL)
    time.sleep(observe)
    stop.set()
    thread.join(timeout=15)
    client.stop()
    client.close()
    after = [t for t in acked if t > killed_at]
    before = [t for t in acked if t <= killed_at]
    first_after = (after[0] - killed_at) if after else float("inf")
    gaps = [b - a for a, b in zip(acked, acked[1:])]
    print(f"{ensemble.kind:9} failover (leader {leader.node_id})   first write after kill {first_after * 1000:8.0f} ms"
          f"  longest gap {max(gaps) * 1000 if gaps else float('inf'):8.0f} ms"
          f"  writes before/after {len(before)}/{len(after)}", flush=True)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--kind", choices=["zookeeper", "tern"], required=True)
    parser.add_argument("--tern-binary")
    parser.add_argument("--size", type=int, default=3)
    parser.add_argument("--ops", type=int, default=20000)
    parser.add_argument("--sync-ops", type=int, default=2000)
    parser.add_argument("--window", type=int, default=100)
    parser.add_argument("--clients", type=int, default=2)
    parser.add_argument("--payload", type=int, default=100)
    parser.add_argument("--skip-failover", action="store_true")
    args = parser.parse_args()
    # Kazoo logs every dropped connection; during the failover measurement that is expected noise.
    logging.getLogger("kazoo").setLevel(logging.CRITICAL)

    payload = b"x" * args.payload
    with Ensemble(args.kind, args.size, tern_binary=args.tern_binary) as ensemble:
        find_leader(ensemble)
        wait_serving(ensemble)
        prepare(ensemble, args.clients)
        # Sync operations use /bench/s0/n<i>, pipelined ones /bench/p<client>/n<i>: the creates
        # make the nodes the sets and gets then hit.
        sync, piped = (args.sync_ops, 1, 1, payload), (args.ops, args.window, args.clients, payload)
        measure(ensemble, "create sync", OP_CREATE, "/bench/s", *sync)
        measure(ensemble, "create pipelined", OP_CREATE, "/bench/p", *piped)
        measure(ensemble, "set pipelined", OP_SETDATA, "/bench/p", *piped)
        measure(ensemble, "get pipelined", OP_GETDATA, "/bench/p", *piped)
        measure(ensemble, "set sync", OP_SETDATA, "/bench/s", *sync)
        measure(ensemble, "get sync", OP_GETDATA, "/bench/s", *sync)
        if not args.skip_failover and args.size > 1:
            failover(ensemble)


if __name__ == "__main__":
    main()
