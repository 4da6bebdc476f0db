#!/usr/bin/env python3
"""aiokafka scenarios (asyncio client)."""
from __future__ import annotations

import asyncio
import time

from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, TopicPartition
from aiokafka.admin import AIOKafkaAdminClient, NewPartitions, NewTopic, RecordsToDelete
from aiokafka.admin.config_resource import ConfigResource, ConfigResourceType

from common import (BOOTSTRAP, CODECS, HEADERS, KEYS, TIMESTAMPS, VALUES, Runner, group_facts, produce_facts, topic,
                    transaction_facts)

CLIENT = "aiokafka"
SHORT = "aio"
T_MS = 10_000
SCENARIO_TIMEOUT_S = 30


def common_conf(cid: str) -> dict:
    return {"bootstrap_servers": BOOTSTRAP, "client_id": cid, "request_timeout_ms": T_MS}


def sync(coro_fn):
    """Adapts an async scenario to the Runner, bounded in time."""
    def run(cid: str):
        return asyncio.run(asyncio.wait_for(coro_fn(cid), SCENARIO_TIMEOUT_S))
    return run


async def admin_do(cid: str, fn):
    a = AIOKafkaAdminClient(**common_conf(cid))
    await a.start()
    try:
        return await fn(a)
    finally:
        await a.close()


async def produce_records(p: AIOKafkaProducer, t: str) -> None:
    futures = [await p.send(t, value=v.encode(), key=k.encode(), partition=0, timestamp_ms=ts,
                            headers=[(hk, hv.encode()) for hk, hv in h])
               for k, v, h, ts in zip(KEYS, VALUES, HEADERS, TIMESTAMPS)]
    await p.flush()
    for f in futures:
        await f



def main() -> int:
    r = Runner(CLIENT)
    topics = [topic(SHORT, c) for c in CODECS] + [topic(SHORT, s) for s in ("idempotent", "txn", "delete")]
    t_compact = topic(SHORT, "compact")
    t_none = topic(SHORT, "none")
    t_delete = topic(SHORT, "delete")

    async def create(cid: str):
        new = [NewTopic(t, num_partitions=1, replication_factor=1) for t in topics]
        new.append(NewTopic(t_compact, num_partitions=1, replication_factor=1,
                            topic_configs={"cleanup.policy": "compact"}))
        return await admin_do(cid, lambda a: a.create_topics(new, timeout_ms=T_MS))

    r.run("admin-create-topics",
          {"CreateTopics": {"topics": topics + [t_compact], "num_partitions": 1, "replication_factor": 1,
                            "configs": {t_compact: {"cleanup.policy": "compact"}}}},
          sync(create))

    async def list_all(cid: str):
        return len(await admin_do(cid, lambda a: a.list_topics()))

    async def describe(cid: str, t: str):
        return str(await admin_do(cid, lambda a: a.describe_topics([t])))[:160]

    r.run("metadata-all", {"Metadata": {"all_topics": True}}, sync(list_all))
    r.run("metadata-topic", {"Metadata": {"topics": [t_none]}}, sync(lambda cid: describe(cid, t_none)))
    t_missing = topic(SHORT, "missing")
    r.run("metadata-unknown-topic", {"Metadata": {"topics": [t_missing]}},
          sync(lambda cid: describe(cid, t_missing)))

    for codec in CODECS:
        t = topic(SHORT, codec)

        async def produce(cid: str, t: str = t, codec: str = codec) -> None:
            p = AIOKafkaProducer(**common_conf(cid), linger_ms=100,
                                 compression_type=None if codec == "none" else codec)
            await p.start()
            try:
                await produce_records(p, t)
            finally:
                await p.stop()

        r.run(f"produce-{codec}", produce_facts(t, codec), sync(produce))

    t_idem = topic(SHORT, "idempotent")

    async def idempotent(cid: str) -> None:
        p = AIOKafkaProducer(**common_conf(cid), linger_ms=100, enable_idempotence=True)
        await p.start()
        try:
            await produce_records(p, t_idem)
        finally:
            await p.stop()

    r.run("produce-idempotent", {**produce_facts(t_idem, "none", idempotent=True),
                                 "InitProducerId": {"transactional_id": None}}, sync(idempotent))

    t_txn = topic(SHORT, "txn")
    txn_id = "golden-aio-txn-id"
    txn_group = "golden-aio-txn-group"

    async def transactional(cid: str) -> None:
        p = AIOKafkaProducer(**common_conf(cid), linger_ms=100, transactional_id=txn_id)
        await p.start()
        try:
            async with p.transaction():
                await produce_records(p, t_txn)
                await p.send_offsets_to_transaction({TopicPartition(t_none, 0): 3}, txn_group)
        finally:
            await p.stop()

    txn_facts = transaction_facts(t_txn, txn_id, txn_group, t_none)
    r.run("produce-transactional", txn_facts, sync(transactional))

    group = "golden-aio-group"

    async def consume_group(cid: str) -> str:
        c = AIOKafkaConsumer(t_none, **common_conf(cid), group_id=group, auto_offset_reset="earliest",
                             enable_auto_commit=False, session_timeout_ms=6000,
                             heartbeat_interval_ms=500)
        await c.start()
        got = []
        try:
            deadline = time.monotonic() + 15
            while len(got) < 3 and time.monotonic() < deadline:
                for recs in (await c.getmany(timeout_ms=500)).values():
                    got.extend(rec.key.decode() for rec in recs)
            await asyncio.sleep(1.5)  # long enough for a couple of heartbeats
            if got:
                await c.commit()
        finally:
            await c.stop()
        return f"consumed {got}"

    r.run("consumer-group",
          group_facts(group, t_none, "none"),
          sync(consume_group))

    tp = TopicPartition(t_none, 0)

    async def consumer_do(cid: str, fn):
        c = AIOKafkaConsumer(**common_conf(cid))
        await c.start()
        try:
            return await fn(c)
        finally:
            await c.stop()

    r.run("offsets-for-times",
          {"ListOffsets": {"topics": [t_none], "partition": 0, "timestamp": TIMESTAMPS[1]}},
          sync(lambda cid: consumer_do(cid, lambda c: c.offsets_for_times({tp: TIMESTAMPS[1]}))))
    r.run("beginning-offsets",
          {"ListOffsets": {"topics": [t_none], "partition": 0, "timestamp": -2}},
          sync(lambda cid: consumer_do(cid, lambda c: c.beginning_offsets([tp]))))
    r.run("end-offsets",
          {"ListOffsets": {"topics": [t_none], "partition": 0, "timestamp": -1}},
          sync(lambda cid: consumer_do(cid, lambda c: c.end_offsets([tp]))))

    async def describe_configs(cid: str):
        return str(await admin_do(cid, lambda a: a.describe_configs(
            [ConfigResource(ConfigResourceType.TOPIC, t_compact)])))[:160]

    r.run("admin-describe-configs", {"DescribeConfigs": {"resources": [["topic", t_compact]]}},
          sync(describe_configs))

    async def describe_cluster(cid: str):
        return str(await admin_do(cid, lambda a: a.describe_cluster()))[:160]

    r.run("admin-describe-cluster", {}, sync(describe_cluster))

    async def list_groups(cid: str):
        return await admin_do(cid, lambda a: a.list_consumer_groups())

    r.run("admin-list-groups", {}, sync(list_groups))

    async def describe_groups(cid: str):
        return str(await admin_do(cid, lambda a: a.describe_consumer_groups([group])))[:160]

    r.run("admin-describe-groups", {"DescribeGroups": {"groups": [group]},
                                    "FindCoordinator": {"key": group, "key_type": 0}},
          sync(describe_groups))

    async def group_offsets(cid: str):
        return await admin_do(cid, lambda a: a.list_consumer_group_offsets(group))

    r.run("admin-list-group-offsets", {"OffsetFetch": {"group_id": group},
                                       "FindCoordinator": {"key": group, "key_type": 0}},
          sync(group_offsets))

    async def create_partitions(cid: str):
        return await admin_do(cid, lambda a: a.create_partitions({t_delete: NewPartitions(2)}))

    r.run("admin-create-partitions", {"CreatePartitions": {"topics": [t_delete], "count": 2}},
          sync(create_partitions))

    async def delete_records(cid: str):
        return await admin_do(cid, lambda a: a.delete_records({tp: RecordsToDelete(1)}, timeout_ms=T_MS))

    r.run("admin-delete-records", {"DeleteRecords": {"topics": [t_none], "partition": 0, "offset": 1}},
          sync(delete_records))

    async def delete_topics(cid: str):
        return await admin_do(cid, lambda a: a.delete_topics([t_delete], timeout_ms=T_MS))

    r.run("admin-delete-topics", {"DeleteTopics": {"topics": [t_delete]}}, sync(delete_topics))
    return r.summary()


if __name__ == "__main__":
    raise SystemExit(main())
