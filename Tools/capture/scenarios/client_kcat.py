#!/usr/bin/env python3
"""kcat (librdkafka from Debian) scenarios.

kcat cannot create topics: it relies on the broker creating them when the
producer's Metadata request asks for an unknown topic, and writes to
partition 0 (-p 0) so every scenario's records land in one batch.
"""
from __future__ import annotations

import subprocess
import time

from common import BOOTSTRAP, CODECS, KEYS, VALUES, Runner, group_facts, produce_facts, topic

CLIENT = "kcat"
SHORT = "kcat"
HEADER = ["h", "kcat"]  # kcat's -H adds the same header to every record
# kcat sets one header per record and no explicit timestamps.
KCAT_HEADERS = [[HEADER]] * 3


def kcat(cid: str, args: list[str], stdin: str | None = None, timeout: float = 20,
         conf: dict[str, str] | None = None, check: bool = True) -> str:
    cmd = ["kcat", "-b", BOOTSTRAP, "-X", f"client.id={cid}", "-m", "5"]
    for k, v in (conf or {}).items():
        cmd += ["-X", f"{k}={v}"]
    cmd += args
    p = subprocess.run(cmd, input=stdin, capture_output=True, text=True, timeout=timeout)
    if check and p.returncode != 0:
        raise RuntimeError(f"kcat exited {p.returncode}: {p.stderr.strip()[-400:]}")
    return p.stdout


def keyed_input() -> str:
    return "".join(f"{k}:{v}\n" for k, v in zip(KEYS, VALUES))



def main() -> int:
    r = Runner(CLIENT)
    linger = {"linger.ms": "100"}

    r.run("metadata-all", {"Metadata": {"all_topics": True}}, lambda cid: kcat(cid, ["-L"]))

    for codec in CODECS:
        t = topic(SHORT, codec)
        r.run(f"produce-{codec}", produce_facts(t, codec, headers=KCAT_HEADERS),
              lambda cid, t=t, codec=codec: kcat(
                  cid, ["-P", "-t", t, "-p", "0", "-K", ":", "-H", "=".join(HEADER), "-z", codec],
                  stdin=keyed_input(), conf=linger))

    t_acks0 = topic(SHORT, "acks0")
    r.run("produce-acks0", produce_facts(t_acks0, "none", headers=KCAT_HEADERS, acks=0),
          lambda cid: kcat(cid, ["-P", "-t", t_acks0, "-p", "0", "-K", ":", "-H", "=".join(HEADER)],
                           stdin=keyed_input(), conf={**linger, "acks": "0"}))

    t_idem = topic(SHORT, "idempotent")
    r.run("produce-idempotent", {**produce_facts(t_idem, "none", headers=KCAT_HEADERS, idempotent=True),
                                 "InitProducerId": {"transactional_id": None}},
          lambda cid: kcat(cid, ["-P", "-t", t_idem, "-p", "0", "-K", ":", "-H", "=".join(HEADER)],
                           stdin=keyed_input(), conf={**linger, "enable.idempotence": "true"}))

    t_txn = topic(SHORT, "txn")
    txn_id = "golden-kcat-txn-id"
    txn_facts = produce_facts(t_txn, "none", headers=KCAT_HEADERS, transactional_id=txn_id)
    txn_facts.update({
        "InitProducerId": {"transactional_id": txn_id},
        "FindCoordinator": {"key": txn_id, "key_type": 1},
        "AddPartitionsToTxn": {"transactional_id": txn_id, "topics": [t_txn]},
        "EndTxn": {"transactional_id": txn_id, "committed": True},
    })
    r.run("produce-transactional", txn_facts,
          lambda cid: kcat(cid, ["-P", "-t", t_txn, "-p", "0", "-K", ":", "-H", "=".join(HEADER)],
                           stdin=keyed_input(), conf={**linger, "transactional.id": txn_id}))

    t_none = topic(SHORT, "none")
    r.run("metadata-topic", {"Metadata": {"topics": [t_none]}},
          lambda cid: kcat(cid, ["-L", "-t", t_none]))
    t_missing = topic(SHORT, "missing")
    r.run("metadata-unknown-topic", {"Metadata": {"topics": [t_missing]}},
          lambda cid: kcat(cid, ["-L", "-t", t_missing],
                           conf={"allow.auto.create.topics": "false"}))

    t_gzip = topic(SHORT, "gzip")
    fetch = {"topics": [t_gzip], "partition": 0, "compression": "gzip", "keys": KEYS}
    r.run("consume-beginning", {"ListOffsets": {"topics": [t_gzip], "partition": 0, "timestamp": -2},
                                "Fetch": fetch},
          lambda cid: kcat(cid, ["-C", "-t", t_gzip, "-p", "0", "-o", "beginning", "-e", "-c", "3"]))
    r.run("consume-end", {"ListOffsets": {"topics": [t_gzip], "partition": 0, "timestamp": -1},
                          "Fetch": fetch},
          lambda cid: kcat(cid, ["-C", "-t", t_gzip, "-p", "0", "-o", "end", "-e"]))

    # kcat stamps records with the produce time, so any time before this run
    # finds offset 0; the scenario asks for the start of the capture run.
    query_ts = int(r.start_wall * 1000)
    r.run("query-offset-by-timestamp",
          {"ListOffsets": {"topics": [t_none], "partition": 0, "timestamp": query_ts}},
          lambda cid: kcat(cid, ["-Q", "-t", f"{t_none}:0:{query_ts}"]))

    group = "golden-kcat-group"
    r.run("consumer-group",
          group_facts(group, t_none, "none"),
          lambda cid: kcat(cid, ["-G", group, "-c", "3", t_none],
                           conf={"auto.offset.reset": "earliest", "enable.auto.commit": "true",
                                 "auto.commit.interval.ms": "200", "session.timeout.ms": "6000"},
                           timeout=30))
    return r.summary()


if __name__ == "__main__":
    raise SystemExit(main())
