"""Real Kafka clients against tern-broker. Each check prints PASS or FAIL with its reason;
the last line is "N passed, N failed". Run through run.sh, which builds the broker."""

import argparse
import json
import subprocess
import sys
import time
import traceback
import uuid

from broker_process import Broker

CHECKS = []


def check(function):
    CHECKS.append(function)
    return function


def unique(prefix):
    return f"{prefix}-{uuid.uuid4().hex[:8]}"


def kcat(broker, *args, input_bytes=None, timeout=60):
    result = subprocess.run(["kcat", "-b", broker.bootstrap, *args], input=input_bytes,
                            capture_output=True, timeout=timeout)
    if result.returncode != 0:
        raise AssertionError(f"kcat {' '.join(args)} exited {result.returncode}: {result.stderr.decode(errors='replace')[-500:]}")
    return result.stdout


def kcat_consume(broker, topic, count, *extra):
    out = kcat(broker, "-C", "-t", topic, "-o", "beginning", "-c", str(count), "-e", "-J", *extra)
    return [json.loads(line) for line in out.decode().splitlines() if line.strip()]


def expect(condition, message):
    if not condition:
        raise AssertionError(message)


@check
def kcat_metadata_lists_the_broker(broker, args):
    listing = json.loads(kcat(broker, "-L", "-J"))
    ports = [b["name"] for b in listing["brokers"]]
    expect(any(name.endswith(f":{broker.port}") for name in ports), f"brokers {ports} lack port {broker.port}")
    expect(listing.get("controllerid") == 1, f"controller {listing.get('controllerid')}")


@check
def kcat_produce_consume_keys_headers_timestamps(broker, args):
    topic = unique("kcat")
    lines = b"k1:v1\nk2:v2\nk3:v3\n"
    kcat(broker, "-P", "-t", topic, "-K:", "-H", "h1=x", "-H", "h2=y", input_bytes=lines)
    records = kcat_consume(broker, topic, 3)
    expect([(r["key"], r["payload"]) for r in records] == [("k1", "v1"), ("k2", "v2"), ("k3", "v3")], f"records {records}")
    expect([r["offset"] for r in records] == [0, 1, 2], "offsets")
    expect(all(r.get("headers") == ["h1", "x", "h2", "y"] for r in records), f"headers {[r.get('headers') for r in records]}")
    now = time.time() * 1000
    expect(all(abs(r["ts"] - now) < 120_000 for r in records), "timestamps far from now")


@check
def kcat_every_codec_round_trips(broker, args):
    for codec in ["none", "gzip", "snappy", "lz4", "zstd"]:
        topic = unique(f"codec-{codec}")
        payload = "".join(f"{codec} message {i} " + "x" * 200 + "\n" for i in range(200)).encode()
        kcat(broker, "-P", "-t", topic, "-z", codec, input_bytes=payload)
        records = kcat_consume(broker, topic, 200)
        expect([r["payload"] for r in records] == payload.decode().splitlines(), f"{codec}: payloads differ")


@check
def confluent_100k_messages_in_order(broker, args):
    from confluent_kafka import Consumer, Producer, TopicPartition
    topic = unique("order")
    producer = Producer({"bootstrap.servers": broker.bootstrap, "linger.ms": 5, "acks": "all"})
    failures = []
    for i in range(100_000):
        while True:
            try:
                producer.produce(topic, value=str(i).encode(), on_delivery=lambda err, msg: err and failures.append(err))
                break
            except BufferError:
                producer.poll(0.05)
        if i % 10_000 == 0:
            producer.poll(0)
    expect(producer.flush(60) == 0, "producer did not flush")
    expect(not failures, f"delivery failures {failures[:3]}")
    consumer = Consumer({"bootstrap.servers": broker.bootstrap, "group.id": unique("g"), "enable.auto.commit": False})
    consumer.assign([TopicPartition(topic, 0, 0)])
    seen = 0
    deadline = time.monotonic() + 60
    while seen < 100_000 and time.monotonic() < deadline:
        for message in consumer.consume(10_000, 1.0):
            expect(message.error() is None, f"consume error {message.error()}")
            expect(int(message.value()) == seen, f"message {seen} out of order: {message.value()}")
            expect(message.offset() == seen, f"offset {message.offset()} != {seen}")
            seen += 1
    consumer.close()
    expect(seen == 100_000, f"consumed {seen} of 100000")


@check
def kafka_python_one_megabyte_message_and_offsets_for_times(broker, args):
    from kafka import KafkaConsumer, KafkaProducer, TopicPartition
    topic = unique("big")
    producer = KafkaProducer(bootstrap_servers=broker.bootstrap, acks="all", max_request_size=2_000_000)
    big = b"m" * 1_000_000
    base = int(time.time() * 1000)
    metadata = [producer.send(topic, value=big if i == 1 else f"small {i}".encode(), timestamp_ms=base + i * 1000).get(timeout=30)
                for i in range(4)]
    producer.close()
    expect([m.offset for m in metadata] == [0, 1, 2, 3], f"offsets {[m.offset for m in metadata]}")
    consumer = KafkaConsumer(bootstrap_servers=broker.bootstrap, enable_auto_commit=False, consumer_timeout_ms=10_000,
                             fetch_max_bytes=2_000_000, max_partition_fetch_bytes=2_000_000)
    partition = TopicPartition(topic, 0)
    consumer.assign([partition])
    found = consumer.offsets_for_times({partition: base + 1500})
    expect(found[partition] is not None and found[partition].offset == 2, f"offsets_for_times {found}")
    expect(consumer.beginning_offsets([partition])[partition] == 0, "beginning offset")
    expect(consumer.end_offsets([partition])[partition] == 4, "end offset")
    consumer.seek(partition, 0)
    values = []
    for record in consumer:
        values.append(record.value)
        if len(values) == 4:
            break
    consumer.close()
    expect(len(values) == 4 and values[1] == big, "the 1 MB message did not come back whole")


@check
def aiokafka_produce_and_consume(broker, args):
    import asyncio
    from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, TopicPartition

    async def run():
        topic = unique("aio")
        producer = AIOKafkaProducer(bootstrap_servers=broker.bootstrap, acks="all", compression_type="gzip")
        await producer.start()
        try:
            for i in range(50):
                await producer.send_and_wait(topic, key=f"k{i}".encode(), value=f"v{i}".encode(), headers=[("n", str(i).encode())])
        finally:
            await producer.stop()
        consumer = AIOKafkaConsumer(bootstrap_servers=broker.bootstrap, enable_auto_commit=False, auto_offset_reset="earliest")
        await consumer.start()
        try:
            consumer.assign([TopicPartition(topic, 0)])
            got = []
            while len(got) < 50:
                batch = await asyncio.wait_for(consumer.getmany(timeout_ms=1000), 20)
                for records in batch.values():
                    got.extend(records)
        finally:
            await consumer.stop()
        expect([r.value for r in got] == [f"v{i}".encode() for i in range(50)], "values differ")
        expect(got[7].headers == (("n", b"7"),) or list(got[7].headers) == [("n", b"7")], f"headers {got[7].headers}")

    asyncio.run(run())


@check
def fetch_long_poll_answers_when_data_arrives(broker, args):
    from confluent_kafka import Consumer, Producer, TopicPartition
    topic = unique("poll")
    producer = Producer({"bootstrap.servers": broker.bootstrap})
    producer.produce(topic, b"first")
    producer.flush(10)
    consumer = Consumer({"bootstrap.servers": broker.bootstrap, "group.id": unique("g"), "fetch.wait.max.ms": 5000,
                         "enable.auto.commit": False})
    consumer.assign([TopicPartition(topic, 0, 1)])
    consumer.consume(1, 1.0)  # the fetch now parks at the log end
    sent = time.monotonic()
    producer.produce(topic, b"second")
    producer.flush(10)
    messages = []
    while not messages and time.monotonic() - sent < 10:
        messages = [m for m in consumer.consume(1, 0.1) if m.error() is None]
    latency = time.monotonic() - sent
    consumer.close()
    expect(messages and messages[0].value() == b"second", "second message not consumed")
    expect(latency < 2.0, f"a parked fetch took {latency:.2f}s to see new data (fetch.wait.max.ms 5000)")


@check
def restart_keeps_every_message(broker, args):
    topic = unique("restart")
    kcat(broker, "-P", "-t", topic, "-X", "acks=all", input_bytes=b"".join(f"m{i}\n".encode() for i in range(1000)))
    code = broker.stop()
    expect(code == 0, f"graceful stop exited {code}")
    broker.start()
    records = kcat_consume(broker, topic, 1000)
    expect([r["payload"] for r in records] == [f"m{i}" for i in range(1000)], "messages lost or reordered across a restart")


@check
def sigkill_loses_no_acknowledged_message(broker, args):
    from confluent_kafka import Producer
    topic = unique("kill")
    producer = Producer({"bootstrap.servers": broker.bootstrap, "acks": "all", "linger.ms": 1,
                         "message.timeout.ms": 5000, "retries": 0})
    acked = []
    for i in range(2000):
        producer.produce(topic, f"m{i}".encode(), on_delivery=lambda err, msg: err is None and acked.append(msg.value().decode()))
        if i % 100 == 0:
            producer.poll(0)
        if i == 1000:
            producer.flush(10)
            broker.kill()
    producer.flush(10)
    broker.start()
    expect(len(acked) >= 1000, f"only {len(acked)} acknowledged before the kill")
    records = kcat_consume(broker, topic, len(acked))
    stored = {r["payload"] for r in records}
    missing = [m for m in acked if m not in stored]
    expect(not missing, f"{len(missing)} acknowledged messages lost, e.g. {missing[:3]}")


def load_more_checks():
    # Registered after the checks above; imported here so `check` and helpers exist first.
    import check_groups_admin  # noqa: F401
    import check_transactions  # noqa: F401


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--broker", required=True)
    parser.add_argument("--only", default=None, help="run only checks whose name contains this")
    args = parser.parse_args()
    load_more_checks()
    broker = Broker(args.broker)
    broker.start()
    passed = failed = 0
    try:
        for function in CHECKS:
            if args.only and args.only not in function.__name__:
                continue
            if not broker.alive():
                broker.start()
            started = time.monotonic()
            try:
                function(broker, args)
                passed += 1
                print(f"PASS {function.__name__} ({time.monotonic() - started:.1f}s)", flush=True)
            except Exception as error:  # a failed check must not stop the others
                failed += 1
                print(f"FAIL {function.__name__}: {error}", flush=True)
                traceback.print_exc(limit=3)
                print(broker.log_tail(), file=sys.stderr)
    finally:
        if broker.alive():
            broker.stop()
    print(f"{passed} passed, {failed} failed")
    return 0 if failed == 0 else 1


if __name__ == "__main__":
    # Run as a script, this module is __main__; the other check files import it as
    # check_broker, so share one registry under that name.
    sys.modules.setdefault("check_broker", sys.modules[__name__])
    sys.exit(main())
