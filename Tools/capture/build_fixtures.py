#!/usr/bin/env python3
"""Turns the proxy's raw capture into the golden fixture set.

Input  (--raw): <raw>/<client>/log.jsonl, frames/, facts/, outcomes/ and
                <raw>/versions.txt, as written by capture.sh.
Output (--out): <out>/<client>/NNNN-<apiKey>-<ApiName>-v<version>-req.bin
                and -resp.bin (frames without their size prefix),
                <out>/manifest.json, <out>/scenarios.json, <out>/versions.txt.

Selection:
  * a request with no response is dropped, except Produce with acks=0 (which
    never gets one) and a request the broker dropped the connection on when
    it is the only capture of its API version: "file_response" is null and
    "note" says why;
  * pairs that are identical apart from correlation id and client id (periodic
    Heartbeats, ApiVersions on every new connection, ...) are kept once per
    client;
  * at most --cap pairs per (client, scenario, api key, api version) are kept,
    the first ones captured (Fetch long polls, Metadata refreshes).
Clients captured in this run replace their earlier fixtures; the entries of
other clients already in the manifest are kept.
"""
from __future__ import annotations

import argparse
import json
import shutil
import struct
from pathlib import Path

from check_fixtures import decode_metadata_request, request_reader, response_problem, response_tags

# Requests every scenario sends along the way: at most --cap of each version
# per client are kept unless the scenario is about them.
AMBIENT = {18: None, 71: None, 3: "Metadata", 10: "FindCoordinator"}

API_NAMES = {
    0: "Produce", 1: "Fetch", 2: "ListOffsets", 3: "Metadata", 8: "OffsetCommit",
    9: "OffsetFetch", 10: "FindCoordinator", 11: "JoinGroup", 12: "Heartbeat",
    13: "LeaveGroup", 14: "SyncGroup", 15: "DescribeGroups", 16: "ListGroups",
    17: "SaslHandshake", 18: "ApiVersions", 19: "CreateTopics", 20: "DeleteTopics",
    21: "DeleteRecords", 22: "InitProducerId", 23: "OffsetForLeaderEpoch",
    24: "AddPartitionsToTxn", 25: "AddOffsetsToTxn", 26: "EndTxn", 27: "WriteTxnMarkers",
    28: "TxnOffsetCommit", 29: "DescribeAcls", 30: "CreateAcls", 31: "DeleteAcls",
    32: "DescribeConfigs", 33: "AlterConfigs", 34: "AlterReplicaLogDirs",
    35: "DescribeLogDirs", 36: "SaslAuthenticate", 37: "CreatePartitions",
    38: "CreateDelegationToken", 39: "RenewDelegationToken", 40: "ExpireDelegationToken",
    41: "DescribeDelegationToken", 42: "DeleteGroups", 43: "ElectLeaders",
    44: "IncrementalAlterConfigs", 45: "AlterPartitionReassignments",
    46: "ListPartitionReassignments", 47: "OffsetDelete", 48: "DescribeClientQuotas",
    49: "AlterClientQuotas", 50: "DescribeUserScramCredentials",
    51: "AlterUserScramCredentials", 55: "DescribeQuorum", 57: "UpdateFeatures",
    60: "DescribeCluster", 61: "DescribeProducers", 64: "UnregisterBroker",
    65: "DescribeTransactions", 66: "ListTransactions", 68: "ConsumerGroupHeartbeat",
    69: "ConsumerGroupDescribe", 71: "GetTelemetrySubscriptions", 72: "PushTelemetry",
    74: "ListClientMetricsResources", 75: "DescribeTopicPartitions",
}


def api_name(key: int) -> str:
    return API_NAMES.get(key, f"Api{key}")


def request_body_after_header(frame: bytes) -> bytes:
    """Request bytes after api_key/version/correlation id/client id."""
    (n,) = struct.unpack_from(">h", frame, 8)
    return frame[:4] + frame[10 + max(n, 0):]


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--raw", type=Path, required=True)
    ap.add_argument("--out", type=Path, required=True)
    ap.add_argument("--clients", nargs="+", required=True)
    ap.add_argument("--cap", type=int, default=3)
    args = ap.parse_args()

    out: Path = args.out
    out.mkdir(parents=True, exist_ok=True)
    manifest_path = out / "manifest.json"
    kept_entries: list[dict] = []
    kept_scenarios: list[dict] = []
    if manifest_path.exists():
        kept_entries = [e for e in json.loads(manifest_path.read_text()) if e["client"] not in args.clients]
    if (out / "scenarios.json").exists():
        kept_scenarios = [s for s in json.loads((out / "scenarios.json").read_text())
                          if s["client"] not in args.clients]

    entries: list[dict] = []
    scenarios: list[dict] = []
    for client in args.clients:
        raw = args.raw / client
        cdir = out / client
        if cdir.exists():
            shutil.rmtree(cdir)
        cdir.mkdir(parents=True)
        facts: dict[str, dict] = {}
        for f in sorted((raw / "facts").glob("*.json")):
            d = json.loads(f.read_text())
            facts[d["client_id"]] = d
        for f in sorted((raw / "outcomes").glob("*.txt")):
            cid = f.name[:-len(".txt")]
            outcome = f.read_text().strip()
            # drop the timing suffix so reruns give a stable file
            if outcome.endswith("s)") and " (" in outcome:
                outcome = outcome[:outcome.rindex(" (")]
            scenarios.append({"client": client, "scenario": cid.split(".", 1)[1], "outcome": outcome})
        log = raw / "log.jsonl"
        records = [json.loads(line) for line in log.read_text().splitlines()] if log.exists() else []
        records.sort(key=lambda r: r["seq"])
        seen: set[tuple] = set()
        per_bucket: dict[tuple, int] = {}
        selected: list[tuple[dict, bytes, bytes | None, str | None]] = []
        orphans: list[tuple[dict, bytes]] = []
        for r in records:
            cid = r["client_id"] or ""
            if not cid.startswith(client + "."):
                print(f"[build] {client}: skipping frame with client id {cid!r}")
                continue
            scenario = cid.split(".", 1)[1]
            req = (raw / "frames" / r["file_request"]).read_bytes()
            resp = (raw / "frames" / r["file_response"]).read_bytes() if r["file_response"] else None
            note = None
            if resp is None:
                if r["api_key"] == 0 and scenario_acks0(facts.get(cid)):
                    note = "Produce with acks=0: Kafka sends no response"
                else:
                    orphans.append((r, req))
                    continue
            # Frames a scenario is about are never folded into another
            # scenario's identical frame.
            about = scenario if api_name(r["api_key"]) in facts.get(cid, {}).get("facts", {}) else None
            ident = (r["api_key"], r["api_version"], request_body_after_header(req),
                     resp[4:] if resp is not None else None, about)
            if ident in seen:
                continue
            seen.add(ident)
            bucket = (scenario, r["api_key"], r["api_version"])
            if per_bucket.get(bucket, 0) >= args.cap:
                continue
            sf = facts.get(cid, {}).get("facts", {})
            ambient = r["api_key"] in AMBIENT and AMBIENT[r["api_key"]] not in sf
            if ambient:
                abucket = ("*ambient*", r["api_key"], r["api_version"])
                if per_bucket.get(abucket, 0) >= args.cap:
                    continue
                per_bucket[abucket] = per_bucket.get(abucket, 0) + 1
            per_bucket[bucket] = per_bucket.get(bucket, 0) + 1
            if r.get("forwarded_modified"):
                note = ("the client received this response with its top-level tagged fields "
                        "removed by the capture proxy (librdkafka 2.0.2 cannot skip them); "
                        "the file holds the broker's original bytes")
            selected.append((r, req, resp, note))
        # A request the broker never answered (it closed the connection) is kept
        # only when it is the sole capture of its API version for this client.
        have = {(r["api_key"], r["api_version"]) for r, _, _, _ in selected}
        for r, req in orphans:
            if (r["api_key"], r["api_version"]) not in have:
                have.add((r["api_key"], r["api_version"]))
                selected.append((r, req, None, "no response: the broker closed the connection "
                                                "instead of answering this request"))
        selected.sort(key=lambda item: item[0]["seq"])
        n = 0
        for r, req, resp, note in selected:
            cid = r["client_id"]
            scenario = cid.split(".", 1)[1]
            n += 1
            name = api_name(r["api_key"])
            stem = f"{n:04d}-{r['api_key']:02d}-{name}-v{r['api_version']}"
            (cdir / f"{stem}-req.bin").write_bytes(req)
            if resp is not None:
                (cdir / f"{stem}-resp.bin").write_bytes(resp)
            sf = facts.get(cid, {}).get("facts", {})
            entry_facts = dict(sf.get(name, {}))
            incidental = False
            if r["api_key"] == 3 and ("topics" in entry_facts or "all_topics" in entry_facts):
                # A client may also send a Metadata request of its own (brokers
                # only, or a refresh) in a Metadata scenario: the scenario's
                # facts do not describe that one.
                _, rd = request_reader(req)
                asked = decode_metadata_request(rd, r["api_version"])
                if entry_facts.get("all_topics"):
                    incidental = asked not in (None, [])
                else:
                    incidental = asked != entry_facts["topics"]
                if incidental:
                    entry_facts = {}
            entry = {
                "client": client,
                "file_request": f"{client}/{stem}-req.bin",
                "file_response": f"{client}/{stem}-resp.bin" if resp is not None else None,
                "api_key": r["api_key"],
                "api_name": name,
                "api_version": r["api_version"],
                "correlation_id": r["correlation_id"],
                "client_id": cid,
                "scenario": scenario,
                "facts": entry_facts,
            }
            if resp is not None:
                try:
                    tags = response_tags(r["api_key"], r["api_version"], resp)
                except (ValueError, struct.error, IndexError) as ex:
                    raise SystemExit(f"{client} seq {r['seq']}: cannot read response tags: {ex}")
                problem = response_problem(r["api_key"], r["api_version"], resp)
                if problem:
                    entry["response_malformed"] = problem
                if tags:
                    # Tagged fields the broker wrote, as "<level>:<tag>"; Tansu
                    # writes some even when they hold their default value.
                    entry["response_tagged_fields"] = tags
            if r["api_key"] == 3 and r["api_version"] >= 9 and request_body_after_header(req)[4:] == LIBRDKAFKA_BROKERS_ONLY_METADATA:
                entry["request_trailing_bytes"] = 3
                note = ("librdkafka writes this brokers-only Metadata request with an int32 topic count "
                        "(00000000) where a compact array belongs; read as Kafka reads it, that is a null "
                        "(all topics) array followed by 3 bytes Kafka ignores")
            if incidental:
                note = "sent by the client on its own during the scenario: the scenario's facts do not apply"
            if note:
                entry["note"] = note
            entries.append(entry)
        print(f"[build] {client}: {n} pairs kept of {len(records)} captured")

    order = {c: i for i, c in enumerate(["kcat", "confluent-kafka", "kafka-python", "aiokafka"])}
    all_entries = sorted(kept_entries + entries, key=lambda e: (order.get(e["client"], 99), e["file_request"]))
    manifest_path.write_text(json.dumps(all_entries, indent=1) + "\n")
    all_scenarios = sorted(kept_scenarios + scenarios, key=lambda s: (order.get(s["client"], 99),))
    (out / "scenarios.json").write_text(json.dumps(all_scenarios, indent=1) + "\n")
    if (args.raw / "versions.txt").exists():
        shutil.copy(args.raw / "versions.txt", out / "versions.txt")
    total = sum(p.stat().st_size for p in out.rglob("*") if p.is_file())
    print(f"[build] {len(all_entries)} entries, {total / 1024:.0f} KiB in {out}")
    return 0


# The body librdkafka 2.16 sends for a brokers-only Metadata request at v9+ (see the note above).
# The leading 00 is the request header's empty tagged-field section.
LIBRDKAFKA_BROKERS_ONLY_METADATA = bytes.fromhex("00" "00000000010000")


def scenario_acks0(d: dict | None) -> bool:
    return bool(d) and d.get("facts", {}).get("Produce", {}).get("acks") == 0


if __name__ == "__main__":
    raise SystemExit(main())
