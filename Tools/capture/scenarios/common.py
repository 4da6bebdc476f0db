"""Shared helpers for the capture scenarios.

Every scenario runs with its own client id, "<client>.<scenario>", so the
fixture builder can tell which client and which scenario sent each captured
frame.  Before it runs, a scenario records the facts it sets (topics, codec,
keys, group id, ...) per API name in $CAPTURE_RAW/facts/<client_id>.json; the
fixture builder copies them into the manifest.  Facts are what the scenario
asked for, never what was parsed back from the wire.
"""
from __future__ import annotations

import json
import os
import sys
import time
import traceback
from pathlib import Path
from typing import Callable

BOOTSTRAP = os.environ.get("CAPTURE_BOOTSTRAP", "127.0.0.1:19193")
RAW = Path(os.environ.get("CAPTURE_RAW", "/tmp/tern-capture-raw"))
# Wall-clock budget for one client's whole scenario list.
CLIENT_BUDGET_S = float(os.environ.get("CAPTURE_CLIENT_BUDGET", "150"))

CODECS = ["none", "gzip", "snappy", "lz4", "zstd"]

# Three records per produce scenario: keys, values, one header each and an
# explicit timestamp for clients that let a record carry one.
BASE_TS = 1_700_000_000_000
KEYS = ["key-0", "key-1", "key-2"]
# Values long and repetitive enough that every codec shrinks the batch
# (librdkafka sends a batch uncompressed when compressing does not help).
VALUES = [f"value-{i}-" + "tern golden fixture " * 6 for i in range(3)]
HEADERS = [[["h", "0"]], [["h", "1"]], [["h", "2"]]]
TIMESTAMPS = [BASE_TS + i for i in range(3)]


def client_id(client: str, scenario: str) -> str:
    return f"{client}.{scenario}"


def write_facts(client: str, scenario: str, facts: dict[str, dict]) -> None:
    """facts maps an API name (e.g. "Produce") to what that API's requests carry."""
    d = RAW / "facts"
    d.mkdir(parents=True, exist_ok=True)
    cid = client_id(client, scenario)
    (d / f"{cid}.json").write_text(json.dumps(
        {"client": client, "scenario": scenario, "client_id": cid, "facts": facts}, indent=1))


def write_outcome(client: str, scenario: str, outcome: str) -> None:
    d = RAW / "outcomes"
    d.mkdir(parents=True, exist_ok=True)
    (d / f"{client_id(client, scenario)}.txt").write_text(outcome + "\n")


class Runner:
    """Runs a client's scenarios in order, each isolated and time-bounded."""

    def __init__(self, client: str) -> None:
        self.client = client
        self.start = time.monotonic()
        self.start_wall = time.time()
        self.results: list[tuple[str, str]] = []

    def run(self, scenario: str, facts: dict[str, dict], fn: Callable[[str], object]) -> None:
        if time.monotonic() - self.start > CLIENT_BUDGET_S:
            outcome = "skipped: client time budget used up"
        else:
            write_facts(self.client, scenario, facts)
            t0 = time.monotonic()
            try:
                result = fn(client_id(self.client, scenario))
                outcome = "ok" if not result else f"ok: {str(result).strip().splitlines()[0][:160]}"
            except Exception as e:  # a scenario's failure is a finding, not a crash
                msg = (str(e).strip().splitlines() or [""])[0][:300]
                outcome = f"error: {type(e).__name__}: {msg}"
                traceback.print_exc(file=sys.stderr)
            outcome += f" ({time.monotonic() - t0:.1f}s)"
        write_outcome(self.client, scenario, outcome)
        self.results.append((scenario, outcome))
        print(f"[{self.client}] {scenario}: {outcome}", file=sys.stderr, flush=True)

    def summary(self) -> int:
        return 0


def group_facts(group: str, t: str, compression: str, committed_offset: int = 3) -> dict[str, dict]:
    """Facts of a consumer-group scenario: one member subscribes to topic t
    (partition 0 holds KEYS), reads from the earliest offset, commits
    committed_offset and leaves."""
    return {
        "FindCoordinator": {"key": group, "key_type": 0},
        "JoinGroup": {"group_id": group, "topics": [t], "protocol_type": "consumer"},
        "SyncGroup": {"group_id": group},
        "Heartbeat": {"group_id": group},
        "OffsetFetch": {"group_id": group, "topics": [t]},
        "ListOffsets": {"topics": [t], "partition": 0, "timestamp": -2},
        "Fetch": {"topics": [t], "partition": 0, "compression": compression, "keys": KEYS},
        "OffsetCommit": {"group_id": group, "topics": [t], "partition": 0,
                         "committed_offset": committed_offset},
        "LeaveGroup": {"group_id": group},
    }


def produce_facts(t: str, codec: str, headers: list | None = None, **extra) -> dict:
    """Facts of a produce scenario: three records with KEYS and VALUES into partition 0 of
    topic t with the given codec; headers default to HEADERS with TIMESTAMPS set."""
    facts = {"topics": [t], "partition": 0, "compression": codec, "record_count": 3,
             "keys": KEYS, "values": VALUES}
    if headers is None:
        facts.update({"headers": HEADERS, "timestamps": TIMESTAMPS})
    else:
        facts["headers"] = headers
    facts.update(extra)
    return {"Produce": facts}


def transaction_facts(t_txn: str, txn_id: str, txn_group: str, offsets_topic: str) -> dict[str, dict]:
    """Facts of the transactional scenario the Python clients run: produce into t_txn, send
    offset 3 of offsets_topic for txn_group within the transaction, commit."""
    facts = produce_facts(t_txn, "none", transactional_id=txn_id)
    facts.update({
        "InitProducerId": {"transactional_id": txn_id},
        "AddPartitionsToTxn": {"transactional_id": txn_id, "topics": [t_txn]},
        "AddOffsetsToTxn": {"transactional_id": txn_id, "group_id": txn_group},
        "TxnOffsetCommit": {"transactional_id": txn_id, "group_id": txn_group, "topics": [offsets_topic],
                            "committed_offset": 3},
        "EndTxn": {"transactional_id": txn_id, "committed": True},
    })
    return facts


def topic(client_short: str, suffix: str) -> str:
    return f"golden-{client_short}-{suffix}"
