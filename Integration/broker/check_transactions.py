"""Transactions with a real client (confluent-kafka): commit and abort seen through
read_committed and read_uncommitted consumers, consume-transform-produce with
send_offsets_to_transaction, and a broker killed mid-transaction. Imported by check_broker.py,
which registers these checks after its own."""

import time

from check_broker import check, expect, unique
from check_groups_admin import create_topic


def transactional_producer(broker, transactional_id, timeout_ms=60000):
    from confluent_kafka import Producer
    producer = Producer({"bootstrap.servers": broker.bootstrap, "transactional.id": transactional_id,
                         "transaction.timeout.ms": timeout_ms, "message.timeout.ms": 30000})
    producer.init_transactions(30)
    return producer


def read_all(broker, topic, isolation, partitions, want, seconds=15):
    """Every value in `topic` as the consumer sees it (sorted): read until `want` values
    arrived, then a second more to catch any extra, or until `seconds` pass."""
    from confluent_kafka import OFFSET_BEGINNING, Consumer, TopicPartition
    consumer = Consumer({"bootstrap.servers": broker.bootstrap, "group.id": unique("reader"),
                         "enable.auto.commit": False, "isolation.level": isolation})
    consumer.assign([TopicPartition(topic, p, OFFSET_BEGINNING) for p in range(partitions)])
    values = []
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        values += [m.value().decode() for m in consumer.consume(500, 0.2) if m.error() is None]
        if len(values) >= want:
            deadline = min(deadline, time.monotonic() + 1)
    consumer.close()
    return sorted(values)


@check
def confluent_transactions_commit_and_abort_read_committed(broker, args):
    topic = unique("txn")
    create_topic(broker, topic, 2)
    producer = transactional_producer(broker, unique("tid"))
    producer.begin_transaction()
    for i in range(10):
        producer.produce(topic, f"c{i}".encode(), partition=i % 2)
    producer.commit_transaction(30)
    producer.begin_transaction()
    for i in range(10):
        producer.produce(topic, f"a{i}".encode(), partition=i % 2)
    producer.flush(30)
    producer.abort_transaction(30)
    producer.begin_transaction()
    producer.produce(topic, b"c10", partition=1)
    producer.commit_transaction(30)
    committed = read_all(broker, topic, "read_committed", 2, 11)
    expect(committed == sorted([f"c{i}" for i in range(11)]), f"read_committed saw {committed}")
    uncommitted = read_all(broker, topic, "read_uncommitted", 2, 21)
    expect(uncommitted == sorted([f"c{i}" for i in range(11)] + [f"a{i}" for i in range(10)]),
           f"read_uncommitted saw {uncommitted}")


@check
def confluent_send_offsets_to_transaction_commits_group_offsets(broker, args):
    from confluent_kafka import Consumer, Producer, TopicPartition
    source, sink = unique("src"), unique("sink")
    create_topic(broker, source, 1)
    create_topic(broker, sink, 1)
    seed = Producer({"bootstrap.servers": broker.bootstrap, "acks": "all"})
    for i in range(20):
        seed.produce(source, f"m{i}".encode())
    expect(seed.flush(30) == 0, "seed producer did not flush")
    group = unique("ctp")
    consumer = Consumer({"bootstrap.servers": broker.bootstrap, "group.id": group, "auto.offset.reset": "earliest",
                         "enable.auto.commit": False, "isolation.level": "read_committed"})
    consumer.subscribe([source])
    producer = transactional_producer(broker, unique("tid"))
    got = []
    deadline = time.monotonic() + 20
    while len(got) < 10 and time.monotonic() < deadline:
        got += [m for m in consumer.consume(10 - len(got), 0.5) if m.error() is None]
    expect(len(got) == 10, f"consumed {len(got)} of 10")
    producer.begin_transaction()
    for message in got:
        producer.produce(sink, message.value().upper())
    producer.send_offsets_to_transaction([TopicPartition(source, 0, got[-1].offset() + 1)],
                                         consumer.consumer_group_metadata(), 30)
    producer.commit_transaction(30)
    # An aborted transaction's offsets must not stick.
    producer.begin_transaction()
    producer.send_offsets_to_transaction([TopicPartition(source, 0, 19)], consumer.consumer_group_metadata(), 30)
    producer.abort_transaction(30)
    consumer.close()
    checker = Consumer({"bootstrap.servers": broker.bootstrap, "group.id": group})
    committed = checker.committed([TopicPartition(source, 0)], timeout=20)
    checker.close()
    expect(committed[0].offset == 10, f"group offset is {committed[0].offset}, not 10")
    sunk = read_all(broker, sink, "read_committed", 1, 10)
    expect(sunk == sorted(f"M{i}" for i in range(10)), f"sink holds {sunk}")


@check
def confluent_sigkill_mid_transaction_never_shows_its_records(broker, args):
    topic = unique("txnkill")
    create_topic(broker, topic, 2)
    transactional_id = unique("tid")
    producer = transactional_producer(broker, transactional_id)
    producer.begin_transaction()
    producer.produce(topic, b"before", partition=0)
    producer.commit_transaction(30)
    producer.begin_transaction()
    for i in range(10):
        producer.produce(topic, f"lost{i}".encode(), partition=i % 2)
    producer.flush(30)
    broker.kill()
    broker.start()
    # A new producer with the same transactional id fences the old one and aborts its transaction.
    fresh = transactional_producer(broker, transactional_id)
    fresh.begin_transaction()
    fresh.produce(topic, b"after", partition=1)
    fresh.commit_transaction(30)
    committed = read_all(broker, topic, "read_committed", 2, 2)
    expect(committed == ["after", "before"], f"read_committed saw {committed}")
