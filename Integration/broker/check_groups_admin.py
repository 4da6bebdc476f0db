"""Consumer groups, admin operations and hostile input, with real clients. Imported by
check_broker.py, which registers these checks after its own."""

import socket
import struct
import time

from check_broker import check, expect, kcat, kcat_consume, unique


def produce_spread(broker, topic, count, partitions):
    from confluent_kafka import Producer
    producer = Producer({"bootstrap.servers": broker.bootstrap, "acks": "all"})
    for i in range(count):
        producer.produce(topic, f"m{i}".encode(), partition=i % partitions)
    expect(producer.flush(30) == 0, "producer did not flush")


def create_topic(broker, topic, partitions, configs=None):
    from confluent_kafka.admin import AdminClient, NewTopic
    admin = AdminClient({"bootstrap.servers": broker.bootstrap})
    admin.create_topics([NewTopic(topic, num_partitions=partitions, replication_factor=1, config=configs or {})])[topic].result(30)
    return admin


def drain(consumer, want, seconds):
    got = []
    deadline = time.monotonic() + seconds
    while len(got) < want and time.monotonic() < deadline:
        for message in consumer.consume(500, 0.2):
            if message.error() is None:
                got.append(message)
    return got


@check
def confluent_group_two_members_split_partitions_and_resume_from_commits(broker, args):
    from confluent_kafka import Consumer
    topic = unique("grp")
    group = unique("g")
    create_topic(broker, topic, 4)
    produce_spread(broker, topic, 400, 4)
    config = {"bootstrap.servers": broker.bootstrap, "group.id": group, "auto.offset.reset": "earliest",
              "enable.auto.commit": False, "session.timeout.ms": 6000, "heartbeat.interval.ms": 500}
    first, second = Consumer(config), Consumer(config)
    first.subscribe([topic])
    second.subscribe([topic])
    got = []

    def take(consumer):
        message = consumer.poll(0.05)
        if message is not None and message.error() is None:
            got.append(message.value())
            consumer.commit(message=message, asynchronous=False)

    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        take(first)
        take(second)
        a, b = first.assignment(), second.assignment()
        if len(a) + len(b) == 4 and a and b:
            break
    a = sorted(p.partition for p in first.assignment())
    b = sorted(p.partition for p in second.assignment())
    expect(len(a) == 2 and len(b) == 2 and not set(a) & set(b), f"assignments {a} and {b}")
    deadline = time.monotonic() + 30
    while len(got) < 400 and time.monotonic() < deadline:
        take(first)
        take(second)
    expect(len(got) == 400 and len(set(got)) == 400, f"group consumed {len(got)} ({len(set(got))} distinct) of 400")
    first.close()
    second.close()
    produce_spread(broker, topic, 40, 4)
    resumed = Consumer(config)
    resumed.subscribe([topic])
    again = drain(resumed, 40, 30)
    resumed.close()
    values = sorted(m.value() for m in again)
    expect(len(again) == 40 and all(int(v[1:]) < 40 for v in values), f"resumed consumer read {len(again)}: not just the 40 new messages")


@check
def committed_offsets_survive_a_restart(broker, args):
    from confluent_kafka import Consumer, TopicPartition
    topic = unique("commit")
    group = unique("g")
    kcat(broker, "-P", "-t", topic, input_bytes=b"".join(f"m{i}\n".encode() for i in range(10)))
    consumer = Consumer({"bootstrap.servers": broker.bootstrap, "group.id": group, "enable.auto.commit": False})
    consumer.commit(offsets=[TopicPartition(topic, 0, 7)], asynchronous=False)
    consumer.close()
    expect(broker.stop() == 0, "graceful stop failed")
    broker.start()
    consumer = Consumer({"bootstrap.servers": broker.bootstrap, "group.id": group})
    committed = consumer.committed([TopicPartition(topic, 0)], timeout=20)
    consumer.close()
    expect(committed[0].offset == 7, f"committed offset after restart is {committed[0].offset}")


@check
def kafka_python_admin_describes_groups_and_offsets(broker, args):
    from kafka import KafkaAdminClient, KafkaConsumer
    topic = unique("kpgrp")
    group = unique("g")
    kcat(broker, "-P", "-t", topic, input_bytes=b"a\nb\nc\n")
    consumer = KafkaConsumer(topic, bootstrap_servers=broker.bootstrap, group_id=group, auto_offset_reset="earliest",
                             enable_auto_commit=False, consumer_timeout_ms=15_000)
    # A new group's first join waits group.initial.rebalance.delay.ms (3 s), as in Kafka.
    values = []
    for record in consumer:
        values.append(record.value)
        if len(values) == 3:
            break
    consumer.commit()
    admin = KafkaAdminClient(bootstrap_servers=broker.bootstrap)
    listing = admin.list_groups()
    expect(group in str(listing), f"{group} not in {listing}")
    description = admin.describe_groups([group])
    expect("Stable" in str(description) and consumer.config["client_id"] in str(description), f"description {description}")
    offsets = admin.list_group_offsets(group)
    # kafka-python 3 answers {group: {TopicPartition: OffsetAndMetadata}}.
    committed = offsets.get(group, offsets)
    expect([entry.offset for entry in committed.values()] == [3], f"offsets {offsets}")
    consumer.close()
    admin.delete_groups([group])
    admin.close()
    expect(values == [b"a", b"b", b"c"], f"values {values}")


@check
def admin_topic_operations_and_their_error_codes(broker, args):
    from confluent_kafka import KafkaError
    from confluent_kafka.admin import AdminClient, ConfigResource, NewPartitions, NewTopic
    admin = AdminClient({"bootstrap.servers": broker.bootstrap})
    topic = unique("adm")
    admin.create_topics([NewTopic(topic, 2, 1, config={"retention.ms": "3600000"})])[topic].result(30)

    def error_of(future):
        try:
            future.result(30)
            return None
        except Exception as error:  # confluent wraps the Kafka error
            return error.args[0].code()

    expect(error_of(admin.create_topics([NewTopic(topic, 2, 1)])[topic]) == KafkaError.TOPIC_ALREADY_EXISTS, "duplicate create")
    expect(error_of(admin.create_topics([NewTopic("bad name!", 1, 1)])["bad name!"]) == KafkaError.TOPIC_EXCEPTION, "bad name")
    rf_topic = unique("rf")
    expect(error_of(admin.create_topics([NewTopic(rf_topic, 1, 3)])[rf_topic]) == KafkaError.INVALID_REPLICATION_FACTOR, "rf 3 on one broker")
    bad_config = unique("cfg")
    expect(error_of(admin.create_topics([NewTopic(bad_config, 1, 1, config={"cleanup.policy": "shred"})])[bad_config]) == KafkaError.INVALID_CONFIG,
           "invalid config")
    admin.create_partitions([NewPartitions(topic, 5)])[topic].result(30)
    # As in Kafka, the answer does not wait for the metadata to reach every broker's cache, so
    # a Metadata request right after it may still see the old count for a moment.
    deadline = time.monotonic() + 5
    while len(admin.list_topics(topic, timeout=10).topics[topic].partitions) != 5 and time.monotonic() < deadline:
        time.sleep(0.1)
    expect(len(admin.list_topics(topic, timeout=10).topics[topic].partitions) == 5, "partitions after CreatePartitions")
    expect(error_of(admin.create_partitions([NewPartitions(topic, 3)])[topic]) == KafkaError.INVALID_PARTITIONS, "shrinking partitions")

    resource = ConfigResource(ConfigResource.Type.TOPIC, topic)
    described = admin.describe_configs([resource])[resource].result(30)
    expect(described["retention.ms"].value == "3600000" and not described["retention.ms"].is_default, "retention.ms override")
    expect(described["segment.bytes"].is_default, "segment.bytes default")
    admin.incremental_alter_configs([ConfigResource(ConfigResource.Type.TOPIC, topic, incremental_configs=[
        __import__("confluent_kafka.admin", fromlist=["ConfigEntry"]).ConfigEntry(
            "max.message.bytes", "2000", incremental_operation=__import__("confluent_kafka.admin", fromlist=["AlterConfigOpType"]).AlterConfigOpType.SET)])])[
        ConfigResource(ConfigResource.Type.TOPIC, topic)].result(30)
    described = admin.describe_configs([resource])[resource].result(30)
    expect(described["max.message.bytes"].value == "2000", "incremental alter not applied")
    # Applied live: a batch above the new limit is refused. Brokers apply config changes
    # when the coordination service tells them, as Kafka's do from ZooKeeper watches, so
    # allow the change a moment to arrive.
    from confluent_kafka import Producer
    producer = Producer({"bootstrap.servers": broker.bootstrap, "message.max.bytes": 100000, "compression.type": "none"})
    errors = []
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline:
        errors.clear()
        producer.produce(topic, b"x" * 5000, partition=0, on_delivery=lambda err, msg: errors.append(err))
        producer.flush(30)
        if errors and errors[0] is not None:
            break
        time.sleep(0.2)
    expect(errors and errors[0] is not None and errors[0].code() == KafkaError.MSG_SIZE_TOO_LARGE, f"oversized produce answered {errors}")

    broker_resource = ConfigResource(ConfigResource.Type.BROKER, "1")
    broker_configs = admin.describe_configs([broker_resource])[broker_resource].result(30)
    expect("num.partitions" in broker_configs and "log.retention.hours" in broker_configs, "broker configs missing")

    admin.delete_topics([topic])[topic].result(30)
    expect(topic not in admin.list_topics(timeout=10).topics, "topic still listed after delete")
    expect(error_of(admin.delete_topics([topic])[topic]) == KafkaError.UNKNOWN_TOPIC_OR_PART, "deleting a deleted topic")


def raw_request(api_key, version, correlation, body=b"", client_id=b"raw"):
    header = struct.pack(">hhih", api_key, version, correlation, len(client_id)) + client_id
    payload = header + body
    return struct.pack(">i", len(payload)) + payload


def send_and_expect_close(broker, data, seconds=5):
    with socket.create_connection(("127.0.0.1", broker.port), timeout=seconds) as sock:
        try:
            sock.sendall(data)
        except OSError:
            return True
        try:
            return sock.recv(65536) == b""
        except (ConnectionResetError, socket.timeout):
            return True


@check
def raw_socket_abuse_leaves_the_broker_serving(broker, args):
    cases = {
        "garbage": b"\x00\x00\x00\x10" + b"\xde\xad\xbe\xef" * 4,
        "negative size": struct.pack(">i", -5) + b"abcd",
        "absurd size": struct.pack(">i", 2_000_000_000) + b"abcd",
        "unknown api key": raw_request(999, 0, 1),
        "unsupported version": raw_request(3, 99, 1),
        "truncated body": raw_request(3, 1, 1, body=b"\x00\x00\x00\x05\x00"),
    }
    for name, data in cases.items():
        expect(send_and_expect_close(broker, data), f"{name}: the connection stayed open")
    # A frame cut short then abandoned must not hang the broker.
    with socket.create_connection(("127.0.0.1", broker.port), timeout=5) as sock:
        sock.sendall(struct.pack(">i", 100) + b"\x00\x03")
    # Hundreds of connections at once, some idle, some with a request.
    sockets = []
    for i in range(300):
        sockets.append(socket.create_connection(("127.0.0.1", broker.port), timeout=5))
    for sock in sockets[::3]:
        sock.sendall(raw_request(18, 0, 7))  # ApiVersions v0
    answered = 0
    for sock in sockets[::3]:
        length = struct.unpack(">i", sock.recv(4))[0]
        answered += length > 0
    for sock in sockets:
        sock.close()
    expect(answered == 100, f"{answered} of 100 ApiVersions answered")
    # ApiVersions at an unsupported version gets the KIP-511 answer, not a close.
    with socket.create_connection(("127.0.0.1", broker.port), timeout=5) as sock:
        # Flexible request headers (v2) end with a tagged-field count, as clients send them.
        sock.sendall(raw_request(18, 99, 42, body=b"\x00"))
        size = struct.unpack(">i", sock.recv(4))[0]
        body = b""
        while len(body) < size:
            body += sock.recv(size - len(body))
        correlation, error = struct.unpack(">ih", body[:6])
        expect(correlation == 42 and error == 35, f"ApiVersions v99 answered correlation {correlation} error {error}")
    listing = kcat(broker, "-L", "-J")
    expect(b"brokers" in listing, "the broker no longer answers Metadata")
    expect(broker.alive(), "the broker died")
