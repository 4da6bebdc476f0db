"""Rough kazoo throughput against one ZooKeeper-protocol server: synchronous creates, then
pipelined (async) creates, sets and gets. kazoo itself (one Python thread) is usually the
bottleneck, so this compares servers under one client, not their ceilings.

Usage: bench_kazoo.py --servers HOST:PORT [--count N]"""

import argparse
import time
import uuid

from kazoo.client import KazooClient


def rate(label, count, started):
    elapsed = time.monotonic() - started
    print(f"{label:>16}: {count} in {elapsed:.2f}s = {count / elapsed:,.0f}/s")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--servers", required=True)
    parser.add_argument("--count", type=int, default=5000)
    args = parser.parse_args()
    zk = KazooClient(hosts=args.servers, timeout=10)
    zk.start(timeout=15)
    base = f"/bench-{uuid.uuid4().hex[:8]}"
    zk.create(base)
    sync_count = args.count // 5
    started = time.monotonic()
    for i in range(sync_count):
        zk.create(f"{base}/s{i}", b"x" * 100)
    rate("sync creates", sync_count, started)
    started = time.monotonic()
    for result in [zk.create_async(f"{base}/a{i}", b"x" * 100) for i in range(args.count)]:
        result.get(timeout=60)
    rate("pipelined creates", args.count, started)
    started = time.monotonic()
    for result in [zk.set_async(f"{base}/a{i}", b"y" * 100) for i in range(args.count)]:
        result.get(timeout=60)
    rate("pipelined sets", args.count, started)
    started = time.monotonic()
    for result in [zk.get_async(f"{base}/a{i}") for i in range(args.count)]:
        result.get(timeout=60)
    rate("pipelined gets", args.count, started)
    zk.delete(base, recursive=True)
    zk.stop()
    zk.close()


if __name__ == "__main__":
    main()
