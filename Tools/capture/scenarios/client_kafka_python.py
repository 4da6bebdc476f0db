#!/usr/bin/env python3
"""kafka-python scenarios (pure Python client; idempotent producer by default)."""
from __future__ import annotations

import time

from kafka import KafkaAdminClient, KafkaConsumer, KafkaProducer, TopicPartition
from kafka.admin import ConfigResource, ConfigResourceType, NewPartitions, NewTopic
from kafka.structs import OffsetAndMetadata

from common import (BOOTSTRAP, CODECS, HEADERS, KEYS, TIMESTAMPS, VALUES, Runner, group_facts, produce_facts, topic,
                    transaction_facts)

CLIENT = "kafka-python"
SHORT = "kp"
T_MS = 10_000


def common_conf(cid: str) -> dict:
    return {"bootstrap_servers": BOOTSTRAP, "client_id": cid, "request_timeout_ms": T_MS}


def admin_do(cid: str, fn):
    a = KafkaAdminClient(**common_conf(cid))
    try:
        return fn(a)
    finally:
        a.close()


def produce_records(p: KafkaProducer, t: str) -> None:
    futures = [p.send(t, value=v.encode(), key=k.encode(), partition=0, timestamp_ms=ts,
                      headers=[(hk, hv.encode()) for hk, hv in h])
               for k, v, h, ts in zip(KEYS, VALUES, HEADERS, TIMESTAMPS)]
    p.flush(timeout=10)
    for f in futures:
        f.get(timeout=10)



def main() -> int:
    r = Runner(CLIENT)
    topics = [topic(SHORT, c) for c in CODECS] + [topic(SHORT, s) for s in ("plain", "txn", "delete")]
    t_compact = topic(SHORT, "compact")
    t_none = topic(SHORT, "none")
    t_delete = topic(SHORT, "delete")

    def create(cid: str):
        new = [NewTopic(t, num_partitions=1, replication_factor=1) for t in topics]
        new.append(NewTopic(t_compact, num_partitions=1, replication_factor=1,
                            topic_configs={"cleanup.policy": "compact"}))
        return admin_do(cid, lambda a: a.create_topics(new, timeout_ms=T_MS))

    r.run("admin-create-topics",
          {"CreateTopics": {"topics": topics + [t_compact], "num_partitions": 1, "replication_factor": 1,
                            "configs": {t_compact: {"cleanup.policy": "compact"}}}},
          create)
    r.run("metadata-all", {"Metadata": {"all_topics": True}},
          lambda cid: admin_do(cid, lambda a: len(a.list_topics())))
    r.run("metadata-topic", {"Metadata": {"topics": [t_none]}},
          lambda cid: admin_do(cid, lambda a: str(a.describe_topics([t_none]))[:160]))
    t_missing = topic(SHORT, "missing")
    r.run("metadata-unknown-topic", {"Metadata": {"topics": [t_missing]}},
          lambda cid: admin_do(cid, lambda a: str(a.describe_topics([t_missing]))[:160]))

    for codec in CODECS:
        t = topic(SHORT, codec)

        def produce(cid: str, t: str = t, codec: str = codec) -> None:
            p = KafkaProducer(**common_conf(cid), linger_ms=100,
                              compression_type=None if codec == "none" else codec)
            try:
                produce_records(p, t)
            finally:
                p.close(timeout=5)

        # kafka-python 3 is idempotent unless told otherwise.
        r.run(f"produce-{codec}", {**produce_facts(t, codec, idempotent=True),
                                   "InitProducerId": {"transactional_id": None}}, produce)

    t_plain = topic(SHORT, "plain")

    def produce_plain(cid: str) -> None:
        p = KafkaProducer(**common_conf(cid), linger_ms=100, enable_idempotence=False, acks=1)
        try:
            produce_records(p, t_plain)
        finally:
            p.close(timeout=5)

    r.run("produce-not-idempotent", produce_facts(t_plain, "none", acks=1), produce_plain)

    t_txn = topic(SHORT, "txn")
    txn_id = "golden-kp-txn-id"
    txn_group = "golden-kp-txn-group"

    def transactional(cid: str) -> None:
        p = KafkaProducer(**common_conf(cid), linger_ms=100, transactional_id=txn_id)
        try:
            p.init_transactions()
            p.begin_transaction()
            produce_records(p, t_txn)
            p.send_offsets_to_transaction({TopicPartition(t_none, 0): OffsetAndMetadata(3, "", -1)},
                                          txn_group)
            p.commit_transaction()
        finally:
            p.close(timeout=5)

    txn_facts = transaction_facts(t_txn, txn_id, txn_group, t_none)
    r.run("produce-transactional", txn_facts, transactional)

    group = "golden-kp-group"

    def consume_group(cid: str) -> str:
        c = KafkaConsumer(**common_conf(cid), group_id=group, auto_offset_reset="earliest",
                          enable_auto_commit=False, session_timeout_ms=6000, heartbeat_interval_ms=500)
        got = []
        try:
            c.subscribe([t_none])
            deadline = time.monotonic() + 15
            while len(got) < 3 and time.monotonic() < deadline:
                for recs in c.poll(timeout_ms=500).values():
                    got.extend(rec.key.decode() for rec in recs)
            end = time.monotonic() + 1.5  # long enough for a couple of heartbeats
            while time.monotonic() < end:
                c.poll(timeout_ms=200)
            if got:
                c.commit()
        finally:
            c.close()
        return f"consumed {got}"

    r.run("consumer-group",
          group_facts(group, t_none, "none"),
          consume_group)

    tp = TopicPartition(t_none, 0)

    def consumer_do(cid: str, fn):
        c = KafkaConsumer(**common_conf(cid))
        try:
            return fn(c)
        finally:
            c.close()

    r.run("offsets-for-times",
          {"ListOffsets": {"topics": [t_none], "partition": 0, "timestamp": TIMESTAMPS[1]}},
          lambda cid: consumer_do(cid, lambda c: c.offsets_for_times({tp: TIMESTAMPS[1]})))
    r.run("beginning-offsets",
          {"ListOffsets": {"topics": [t_none], "partition": 0, "timestamp": -2}},
          lambda cid: consumer_do(cid, lambda c: c.beginning_offsets([tp])))
    r.run("end-offsets",
          {"ListOffsets": {"topics": [t_none], "partition": 0, "timestamp": -1}},
          lambda cid: consumer_do(cid, lambda c: c.end_offsets([tp])))

    r.run("admin-describe-configs",
          {"DescribeConfigs": {"resources": [["topic", t_compact]]}},
          lambda cid: admin_do(cid, lambda a: str(a.describe_configs(
              [ConfigResource(ConfigResourceType.TOPIC, t_compact)]))[:160]))
    r.run("admin-describe-cluster", {},
          lambda cid: admin_do(cid, lambda a: a.describe_cluster().get("cluster_id")))
    r.run("admin-list-groups", {}, lambda cid: admin_do(cid, lambda a: a.list_groups()))
    r.run("admin-describe-groups", {"DescribeGroups": {"groups": [group]},
                                    "FindCoordinator": {"key": group}},
          lambda cid: admin_do(cid, lambda a: str(a.describe_groups([group]))[:160]))
    r.run("admin-list-group-offsets", {"OffsetFetch": {"group_id": group},
                                       "FindCoordinator": {"key": group}},
          lambda cid: admin_do(cid, lambda a: a.list_group_offsets({group: None})))
    r.run("admin-create-partitions", {"CreatePartitions": {"topics": [t_delete], "count": 2}},
          lambda cid: admin_do(cid, lambda a: a.create_partitions({t_delete: NewPartitions(2)})))
    r.run("admin-delete-groups", {"DeleteGroups": {"groups": [group]},
                                  "FindCoordinator": {"key": group}},
          lambda cid: admin_do(cid, lambda a: a.delete_groups([group])))
    r.run("admin-delete-topics", {"DeleteTopics": {"topics": [t_delete]}},
          lambda cid: admin_do(cid, lambda a: a.delete_topics([t_delete], timeout_ms=T_MS)))
    return r.summary()


if __name__ == "__main__":
    raise SystemExit(main())
