"""Producer/consumer load against any Kafka-compatible broker, through librdkafka
(confluent-kafka): records/s, MB/s, end-to-end latency percentiles, and the broker's CPU per
record read from /proc when its pid is given.

    bench.py --bootstrap 127.0.0.1:9092 --records 1000000 --size 100 [--rate 20000] [--broker-pid PID]

The producer stamps each record with its send time; a consumer assigned to the same
partitions reads them back and measures now - stamp. With --rate 0 the producer sends as
fast as librdkafka accepts (throughput); with a rate it paces itself (latency at that load).
"""

import argparse
import json
import multiprocessing
import os
import struct
import time
import uuid

from confluent_kafka import Consumer, Producer, TopicPartition
from confluent_kafka.admin import AdminClient, NewTopic

CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


def cpu_seconds(pid):
    """User + system CPU time of a process, from /proc/PID/stat (fields 14 and 15)."""
    if pid is None:
        return None
    with open(f"/proc/{pid}/stat") as handle:
        fields = handle.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / CLOCK_TICKS


def cpu_times():
    """The machine's CPU time by kind, from the first line of /proc/stat: (steal, total)."""
    with open("/proc/stat") as handle:
        fields = [int(value) for value in handle.readline().split()[1:]]
    return fields[7], sum(fields[:8])


class RequestCounter:
    """Counts the requests of one kind a librdkafka client sent, from its statistics
    (`statistics.interval.ms`): records per request tells how the client batched against
    this broker, which CPU per record depends on as much as the broker's code does. The
    statistics arrive every 100 ms, so the last tenth of a second may be missing."""

    def __init__(self, kind):
        self.kind = kind
        self.count = 0

    def __call__(self, stats_json):
        brokers = json.loads(stats_json).get("brokers", {}).values()
        self.count = sum(broker.get("req", {}).get(self.kind, 0) for broker in brokers)


def percentile(sorted_values, fraction):
    if not sorted_values:
        return float("nan")
    index = min(len(sorted_values) - 1, int(fraction * len(sorted_values)))
    return sorted_values[index]


def create_topic(bootstrap, topic, partitions):
    admin = AdminClient({"bootstrap.servers": bootstrap})
    futures = admin.create_topics([NewTopic(topic, num_partitions=partitions, replication_factor=1)])
    for future in futures.values():
        future.result(timeout=30)
    # Wait until the topic's leaders are known.
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        metadata = admin.list_topics(topic, timeout=5)
        entry = metadata.topics.get(topic)
        if entry and entry.error is None and len(entry.partitions) == partitions and all(p.leader >= 0 for p in entry.partitions.values()):
            return
        time.sleep(0.1)
    raise RuntimeError(f"topic {topic} has no leaders after 30 s")


def consume(bootstrap, topic, partitions, expected, deadline, results, per_message, fetch_min_bytes):
    """Runs in its own process, so the producer's pacing loop and the consumer never share
    the interpreter lock; sends back the sorted latencies and when the last record arrived."""
    latencies = []
    fetches = RequestCounter("Fetch")
    consumer = Consumer({"bootstrap.servers": bootstrap, "group.id": f"bench-{uuid.uuid4().hex[:6]}",
                         "enable.auto.commit": False, "fetch.wait.max.ms": 100, "fetch.min.bytes": fetch_min_bytes,
                         "statistics.interval.ms": 100, "stats_cb": fetches})
    consumer.assign([TopicPartition(topic, p, 0) for p in range(partitions)])
    received = 0
    while received < expected and time.monotonic() < deadline:
        # consume(n, timeout) returns when n messages are queued or the timeout passes, which
        # would count the wait for the batch as latency; when latency is the point, take
        # each message as soon as it arrives.
        batch = [consumer.poll(0.1)] if per_message else consumer.consume(10_000, 0.1)
        for message in batch:
            if message is None:
                continue
            if message.error():
                continue
            now = time.time_ns()
            sent = struct.unpack_from(">q", message.value())[0]
            latencies.append((now - sent) / 1e6)
            received += 1
    consumer.poll(0.2)  # one more statistics report
    consumer.close()
    latencies.sort()
    results.put({"received": received, "finished": time.time(), "latencies": latencies, "fetches": fetches.count})


def run(args):
    topic = f"bench-{uuid.uuid4().hex[:8]}"
    create_topic(args.bootstrap, topic, args.partitions)
    results = multiprocessing.Queue()
    # time.monotonic() is system-wide on Linux, so the child can share the deadline.
    deadline = time.monotonic() + args.timeout
    consumer = multiprocessing.Process(target=consume, args=(args.bootstrap, topic, args.partitions, args.records, deadline, results, bool(args.rate),
                                             max(1, args.batch_records * args.size)))
    consumer.start()
    time.sleep(1.0)  # let the consumer's first fetch park at the log end
    produces = RequestCounter("Produce")
    producer_config = {"bootstrap.servers": args.bootstrap, "acks": args.acks, "linger.ms": args.linger_ms,
                       "batch.size": 1_000_000, "queue.buffering.max.messages": 1_000_000,
                       "compression.type": args.compression, "statistics.interval.ms": 100, "stats_cb": produces}
    if args.batch_records:
        # Fixed batching: every broker gets produce requests of at most this many records,
        # and fetches that wait for as many bytes (how often a broker answers them is its own).
        producer_config["batch.num.messages"] = args.batch_records
    producer = Producer(producer_config)
    padding = b"x" * max(0, args.size - 8)
    cpu_before = cpu_seconds(args.broker_pid)
    # Steal time: CPU the hypervisor gave to other guests while this one had work. On a shared
    # VM it arrives in bursts that stall every process for tens of milliseconds, which shows
    # up in the latency tail whatever the broker does.
    steal_before, total_before = cpu_times()
    started = time.monotonic()
    started_wall = time.time()
    for index in range(args.records):
        if args.rate:
            # Pace by schedule, not by sleeping per record: send what is due, then nap.
            due = started + index / args.rate
            while time.monotonic() < due:
                producer.poll(0)
                time.sleep(0.0002)
        value = struct.pack(">q", time.time_ns()) + padding
        while True:
            try:
                producer.produce(topic, value, partition=index % args.partitions)
                break
            except BufferError:
                producer.poll(0.001)
        if index % 1000 == 0:
            producer.poll(0)
    producer.flush(args.timeout)
    produced = time.monotonic()
    producer.poll(0.2)  # one more statistics report
    try:
        done = results.get(timeout=max(1.0, deadline - time.monotonic()) + 5)
    except Exception:
        done = {"received": 0, "finished": time.time(), "latencies": [], "fetches": 0}
    consumer.join(5)
    cpu_after = cpu_seconds(args.broker_pid)
    steal_after, total_after = cpu_times()
    received = done["received"]
    latencies = done["latencies"]
    elapsed_produce = produced - started
    elapsed_total = done["finished"] - started_wall
    result = {
        "records": args.records, "received": received, "size": args.size,
        "produce_records_per_s": args.records / elapsed_produce,
        "produce_mb_per_s": args.records * args.size / elapsed_produce / 1e6,
        "e2e_records_per_s": received / elapsed_total if elapsed_total > 0 else 0,
        "latency_ms_p50": percentile(latencies, 0.50), "latency_ms_p99": percentile(latencies, 0.99),
        "latency_ms_p999": percentile(latencies, 0.999), "latency_ms_max": latencies[-1] if latencies else float("nan"),
    }
    result["steal_pct"] = 100.0 * (steal_after - steal_before) / max(1, total_after - total_before)
    result["produce_requests"] = produces.count
    result["fetch_requests"] = done["fetches"]
    if cpu_before is not None:
        broker_cpu = cpu_after - cpu_before
        result["broker_cpu_s"] = broker_cpu
        result["broker_cpu_us_per_record"] = broker_cpu / max(1, received) * 1e6
        result["broker_cpu_us_per_request"] = broker_cpu / max(1, produces.count + done["fetches"]) * 1e6
    return result


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--bootstrap", required=True)
    parser.add_argument("--records", type=int, default=1_000_000)
    parser.add_argument("--size", type=int, default=100)
    parser.add_argument("--partitions", type=int, default=1)
    parser.add_argument("--rate", type=float, default=0, help="records per second; 0 = as fast as possible")
    parser.add_argument("--acks", default="1")
    parser.add_argument("--linger-ms", type=int, default=5)
    parser.add_argument("--compression", default="none")
    parser.add_argument("--broker-pid", type=int, default=None)
    parser.add_argument("--timeout", type=float, default=300)
    parser.add_argument("--label", default="")
    parser.add_argument("--batch-records", type=int, default=0,
                        help="records per produce request at most, and the consumer's fetch.min.bytes in records "
                             "(0 = librdkafka's defaults: the batching then depends on the broker's timing)")
    args = parser.parse_args()
    result = run(args)
    label = f"{args.label}: " if args.label else ""
    print(label + " ".join(f"{key}={value:.2f}" if isinstance(value, float) else f"{key}={value}" for key, value in result.items()), flush=True)
    return 0 if result["received"] == args.records else 1


if __name__ == "__main__":
    raise SystemExit(main())
