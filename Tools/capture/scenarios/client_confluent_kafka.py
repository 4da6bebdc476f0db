#!/usr/bin/env python3
"""confluent-kafka (pip; bundles its own, newer librdkafka) scenarios."""
from __future__ import annotations

import time

from confluent_kafka import Consumer, KafkaException, Producer, TopicPartition
from confluent_kafka.admin import (AdminClient, AlterConfigOpType, ConfigEntry, ConfigResource,
                                   NewPartitions, NewTopic, ResourceType)

from common import (BOOTSTRAP, CODECS, HEADERS, KEYS, TIMESTAMPS, VALUES, Runner, group_facts, produce_facts, topic,
                    transaction_facts)

CLIENT = "confluent-kafka"
SHORT = "ck"
T = 10  # seconds for any single blocking call


def conf(cid: str, **extra) -> dict:
    c = {"bootstrap.servers": BOOTSTRAP, "client.id": cid, "socket.timeout.ms": 5000}
    c.update({k.replace("_", "."): v for k, v in extra.items()})
    return c


def admin(cid: str) -> AdminClient:
    return AdminClient(conf(cid))


def wait_all(futures: dict) -> str:
    return ", ".join(f"{k}: {f.result(timeout=T)}" for k, f in futures.items())


def admin_call(cid: str, method: str, *args, **kwargs):
    """Calls an AdminClient method and waits; the client must outlive its futures."""
    a = admin(cid)
    res = getattr(a, method)(*args, request_timeout=T, **kwargs)
    if isinstance(res, dict):
        return wait_all(res)
    return res.result(timeout=T)


def produce_records(p: Producer, t: str) -> None:
    errors: list = []
    for k, v, h, ts in zip(KEYS, VALUES, HEADERS, TIMESTAMPS):
        p.produce(t, value=v.encode(), key=k.encode(), partition=0, timestamp=ts,
                  headers=[(hk, hv.encode()) for hk, hv in h],
                  on_delivery=lambda err, msg: errors.append(err) if err else None)
    left = p.flush(T)
    if left or errors:
        raise KafkaException(f"{left} undelivered, errors {errors}")



def main() -> int:
    r = Runner(CLIENT)
    topics = [topic(SHORT, c) for c in CODECS] + [topic(SHORT, s) for s in ("idempotent", "txn", "delete")]
    t_compact = topic(SHORT, "compact")
    t_none = topic(SHORT, "none")

    def create(cid: str) -> str:
        new = [NewTopic(t, num_partitions=1, replication_factor=1) for t in topics]
        new.append(NewTopic(t_compact, num_partitions=1, replication_factor=1,
                            config={"cleanup.policy": "compact"}))
        return admin_call(cid, "create_topics", new, operation_timeout=T)

    r.run("admin-create-topics",
          {"CreateTopics": {"topics": topics + [t_compact], "num_partitions": 1, "replication_factor": 1,
                            "configs": {t_compact: {"cleanup.policy": "compact"}}}},
          create)

    r.run("metadata-all", {"Metadata": {"all_topics": True}}, lambda cid: len(admin(cid).list_topics(timeout=T).topics))
    r.run("metadata-topic", {"Metadata": {"topics": [t_none]}},
          lambda cid: list(admin(cid).list_topics(topic=t_none, timeout=T).topics))
    t_missing = topic(SHORT, "missing")
    r.run("metadata-unknown-topic", {"Metadata": {"topics": [t_missing]}},
          lambda cid: {n: str(m.error) for n, m in
                       admin(cid).list_topics(topic=t_missing, timeout=T).topics.items()})

    for codec in CODECS:
        t = topic(SHORT, codec)

        def produce(cid: str, t: str = t, codec: str = codec) -> None:
            p = Producer(conf(cid, compression_type=codec, linger_ms=100))
            produce_records(p, t)

        r.run(f"produce-{codec}", produce_facts(t, codec), produce)

    t_idem = topic(SHORT, "idempotent")
    r.run("produce-idempotent",
          {**produce_facts(t_idem, "none", idempotent=True),
           "InitProducerId": {"transactional_id": None}},
          lambda cid: produce_records(Producer(conf(cid, enable_idempotence=True, linger_ms=100)), t_idem))

    t_txn = topic(SHORT, "txn")
    txn_id = "golden-ck-txn-id"
    txn_group = "golden-ck-txn-group"

    def transactional(cid: str) -> None:
        p = Producer(conf(cid, transactional_id=txn_id, linger_ms=100))
        p.init_transactions(T)
        p.begin_transaction()
        produce_records(p, t_txn)
        c = Consumer(conf(cid, group_id=txn_group))
        p.send_offsets_to_transaction([TopicPartition(t_none, 0, 3)], c.consumer_group_metadata(), T)
        p.commit_transaction(T)
        c.close()

    txn_facts = transaction_facts(t_txn, txn_id, txn_group, t_none)
    r.run("produce-transactional", txn_facts, transactional)

    group = "golden-ck-group"

    def consume_group(cid: str) -> str:
        c = Consumer(conf(cid, group_id=group, auto_offset_reset="earliest", enable_auto_commit=False,
                          session_timeout_ms=6000, heartbeat_interval_ms=500))
        got = []
        try:
            c.subscribe([t_none])
            deadline = time.monotonic() + 15
            while len(got) < 3 and time.monotonic() < deadline:
                m = c.poll(0.5)
                if m is not None and m.error() is None:
                    got.append(m.key().decode())
            end = time.monotonic() + 1.5  # long enough for a couple of heartbeats
            while time.monotonic() < end:
                c.poll(0.2)
            if got:
                c.commit(asynchronous=False)
        finally:
            c.close()
        return f"consumed {got}"

    r.run("consumer-group",
          group_facts(group, t_none, "none"),
          consume_group)

    def offsets_for_times(cid: str) -> str:
        c = Consumer(conf(cid, group_id="golden-ck-unused"))
        try:
            res = c.offsets_for_times([TopicPartition(t_none, 0, TIMESTAMPS[1])], timeout=T)
            return str([(x.topic, x.partition, x.offset) for x in res])
        finally:
            c.close()

    r.run("offsets-for-times",
          {"ListOffsets": {"topics": [t_none], "partition": 0, "timestamp": TIMESTAMPS[1]}},
          offsets_for_times)

    def watermarks(cid: str) -> str:
        c = Consumer(conf(cid, group_id="golden-ck-unused"))
        try:
            return str(c.get_watermark_offsets(TopicPartition(t_none, 0), timeout=T))
        finally:
            c.close()

    r.run("watermark-offsets",
          {"ListOffsets": {"topics": [t_none], "partition": 0, "timestamp_one_of": [-2, -1]}},
          watermarks)

    r.run("admin-describe-configs",
          {"DescribeConfigs": {"resources": [["topic", t_compact]]}},
          lambda cid: admin_call(cid, "describe_configs",
                                 [ConfigResource(ResourceType.TOPIC, t_compact)])[:200])

    r.run("admin-incremental-alter-configs",
          {"IncrementalAlterConfigs": {"resources": [["topic", t_compact]],
                                       "configs": {"retention.ms": "3600000"}}},
          lambda cid: admin_call(cid, "incremental_alter_configs",
                                 [ConfigResource(ResourceType.TOPIC, t_compact, incremental_configs=[
                                     ConfigEntry("retention.ms", "3600000",
                                                 incremental_operation=AlterConfigOpType.SET)])]))

    r.run("admin-describe-cluster", {},
          lambda cid: admin_call(cid, "describe_cluster").cluster_id)

    r.run("admin-list-groups", {},
          lambda cid: [g.group_id for g in admin_call(cid, "list_consumer_groups").valid])
    r.run("admin-describe-groups", {"DescribeGroups": {"groups": [group]},
                                    "ConsumerGroupDescribe": {"groups": [group]},
                                    "FindCoordinator": {"key": group, "key_type": 0}},
          lambda cid: admin_call(cid, "describe_consumer_groups", [group]))

    def group_offsets(cid: str) -> str:
        from confluent_kafka import ConsumerGroupTopicPartitions
        return admin_call(cid, "list_consumer_group_offsets", [ConsumerGroupTopicPartitions(group)])

    r.run("admin-list-group-offsets", {"OffsetFetch": {"group_id": group},
                                       "FindCoordinator": {"key": group, "key_type": 0}},
          group_offsets)

    t_delete = topic(SHORT, "delete")
    r.run("admin-create-partitions", {"CreatePartitions": {"topics": [t_delete], "count": 2}},
          lambda cid: admin_call(cid, "create_partitions", [NewPartitions(t_delete, 2)]))
    r.run("admin-delete-records",
          {"DeleteRecords": {"topics": [t_none], "partition": 0, "offset": 1}},
          lambda cid: admin_call(cid, "delete_records", [TopicPartition(t_none, 0, 1)]))
    r.run("admin-delete-groups", {"DeleteGroups": {"groups": [group]},
                                  "FindCoordinator": {"key": group, "key_type": 0}},
          lambda cid: admin_call(cid, "delete_consumer_groups", [group]))
    r.run("admin-delete-topics", {"DeleteTopics": {"topics": [t_delete]}},
          lambda cid: admin_call(cid, "delete_topics", [t_delete], operation_timeout=T))
    return r.summary()


if __name__ == "__main__":
    raise SystemExit(main())
