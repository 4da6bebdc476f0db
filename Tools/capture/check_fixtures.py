#!/usr/bin/env python3
"""Sanity check of the golden fixtures with a small, independent decoder.

Not a codec: it reads only what is needed to confirm that the captured frames
are what the scenarios meant to send.

  * every manifest entry's files exist; the request header's api key, version,
    correlation id and client id match the entry; the response starts with
    the same correlation id;
  * Produce requests: every record batch has magic 2 and a correct CRC-32C;
    its codec bits match facts.compression; the records (decompressed) match
    facts.record_count / keys / values / headers / timestamps; acks matches
    facts.acks when given;
  * Fetch responses of scenarios with facts.compression: record batches with
    that codec are present and carry the expected keys;
  * group id (JoinGroup, SyncGroup, Heartbeat, LeaveGroup, OffsetCommit,
    OffsetFetch), FindCoordinator key, ListOffsets timestamp, Metadata topics,
    CreateTopics / DeleteTopics names, transactional ids, when the facts
    name them.

Prints a summary (codec bits seen per client, versions per API) and exits 1
on any mismatch.
"""
from __future__ import annotations

import argparse
import gzip
import json
import struct
import sys
from collections import defaultdict
from pathlib import Path

# First flexible request version per API key (request header v2 from there on).
FLEXIBLE_FROM = {
    0: 9, 1: 12, 2: 6, 3: 9, 8: 8, 9: 6, 10: 3, 11: 6, 12: 4, 13: 4, 14: 4, 15: 5,
    16: 3, 18: 3, 19: 5, 20: 4, 21: 2, 22: 2, 23: 4, 24: 3, 25: 3, 26: 3, 28: 3,
    29: 2, 30: 2, 31: 2, 32: 4, 33: 2, 35: 2, 36: 2, 37: 2, 42: 2, 43: 2, 44: 1,
    45: 0, 46: 0, 47: 99, 48: 1, 49: 1, 50: 0, 51: 0, 60: 0, 61: 0, 65: 0, 66: 0,
    68: 0, 69: 0, 71: 0, 72: 0, 74: 0, 75: 0, 17: 99,
}
CODECS = {0: "none", 1: "gzip", 2: "snappy", 3: "lz4", 4: "zstd"}


def _crc32c_table() -> list[int]:
    table = []
    for i in range(256):
        c = i
        for _ in range(8):
            c = (c >> 1) ^ 0x82F63B78 if c & 1 else c >> 1
        table.append(c)
    return table


_CRC_TABLE = _crc32c_table()


def crc32c(data: bytes) -> int:
    c = 0xFFFFFFFF
    for b in data:
        c = _CRC_TABLE[(c ^ b) & 0xFF] ^ (c >> 8)
    return c ^ 0xFFFFFFFF


class Reader:
    def __init__(self, buf: bytes, off: int = 0, flexible: bool = False) -> None:
        self.buf, self.off, self.flex = buf, off, flexible

    def take(self, n: int) -> bytes:
        if self.off + n > len(self.buf):
            raise ValueError(f"read past end ({self.off}+{n} > {len(self.buf)})")
        b = self.buf[self.off:self.off + n]
        self.off += n
        return b

    def i8(self) -> int: return struct.unpack(">b", self.take(1))[0]
    def i16(self) -> int: return struct.unpack(">h", self.take(2))[0]
    def i32(self) -> int: return struct.unpack(">i", self.take(4))[0]
    def i64(self) -> int: return struct.unpack(">q", self.take(8))[0]
    def u32(self) -> int: return struct.unpack(">I", self.take(4))[0]

    def uvarint(self) -> int:
        v = shift = 0
        while True:
            b = self.take(1)[0]
            v |= (b & 0x7F) << shift
            if not b & 0x80:
                return v
            shift += 7
            if shift > 63:
                raise ValueError("varint too long")

    def varint(self) -> int:
        v = self.uvarint()
        return (v >> 1) ^ -(v & 1)

    def string(self) -> str | None:
        n = self.uvarint() - 1 if self.flex else self.i16()
        return None if n < 0 else self.take(n).decode()

    def bytes_(self) -> bytes | None:
        n = self.uvarint() - 1 if self.flex else self.i32()
        return None if n < 0 else self.take(n)

    def array_len(self) -> int:
        return self.uvarint() - 1 if self.flex else self.i32()

    def tags(self) -> list[int]:
        """Skips a tagged-field section; returns the tags it held."""
        found = []
        if self.flex:
            for _ in range(self.uvarint()):
                found.append(self.uvarint())
                self.take(self.uvarint())
        return found


def request_reader(frame: bytes) -> tuple[dict, Reader]:
    r = Reader(frame)
    h = {"api_key": r.i16(), "api_version": r.i16(), "correlation_id": r.i32()}
    h["client_id"] = r.string()
    flexible = h["api_version"] >= FLEXIBLE_FROM.get(h["api_key"], 99)
    r.flex = flexible
    r.tags()  # request header v2
    return h, r


# ----------------------------------------------------------------- records

def decompress(codec: int, data: bytes) -> bytes:
    if codec == 0:
        return data
    if codec == 1:
        return gzip.decompress(data)
    if codec == 2:
        import snappy
        if data.startswith(b"\x82SNAPPY\x00"):  # xerial framing
            out, r = b"", Reader(data, 16)
            while r.off < len(data):
                out += snappy.uncompress(r.take(r.i32()))
            return out
        return snappy.uncompress(data)
    if codec == 3:
        import lz4.frame
        return lz4.frame.decompress(data)
    if codec == 4:
        import zstandard
        return zstandard.ZstdDecompressor().decompressobj().decompress(data)
    raise ValueError(f"codec {codec}")


def decode_batches(data: bytes) -> list[dict]:
    batches = []
    r = Reader(data)
    while r.off < len(data):
        if len(data) - r.off < 61:  # a partial batch at the end of a fetch
            break
        base_offset = r.i64()
        length = r.i32()
        if r.off + length > len(data):
            break
        end = r.off + length
        r.i32()  # partition leader epoch
        magic = r.i8()
        if magic != 2:
            raise ValueError(f"magic {magic}")
        crc = r.u32()
        crc_start = r.off
        attributes = r.i16()
        r.i32()  # last offset delta
        base_ts = r.i64()
        r.i64()  # max timestamp
        producer_id, producer_epoch, base_seq = r.i64(), r.i16(), r.i32()
        count = r.i32()
        if crc32c(data[crc_start:end]) != crc:
            raise ValueError("record batch CRC-32C mismatch")
        body = decompress(attributes & 0x7, data[r.off:end])
        rr = Reader(body)
        records = []
        for _ in range(count):
            rr.varint()  # length
            rr.i8()
            ts_delta = rr.varint()
            rr.varint()  # offset delta
            kl = rr.varint()
            key = rr.take(kl) if kl >= 0 else None
            vl = rr.varint()
            value = rr.take(vl) if vl >= 0 else None
            headers = []
            for _ in range(rr.varint()):
                hk = rr.take(rr.varint()).decode()
                hl = rr.varint()
                headers.append([hk, rr.take(hl).decode() if hl >= 0 else None])
            records.append({"key": key.decode() if key is not None else None,
                            "value": value.decode() if value is not None else None,
                            "headers": headers, "timestamp": base_ts + ts_delta})
        batches.append({"base_offset": base_offset, "codec": CODECS[attributes & 0x7],
                        "transactional": bool(attributes & 0x10), "control": bool(attributes & 0x20),
                        "producer_id": producer_id, "producer_epoch": producer_epoch,
                        "base_sequence": base_seq, "records": records})
        r.off = end
    return batches


# ----------------------------------------------------------------- requests

def decode_produce(r: Reader, v: int) -> dict:
    out: dict = {"transactional_id": r.string() if v >= 3 else None}
    out["acks"] = r.i16()
    r.i32()
    out["topics"] = {}
    for _ in range(r.array_len()):
        name = r.string()
        parts = {}
        for _ in range(r.array_len()):
            idx = r.i32()
            parts[idx] = decode_batches(r.bytes_() or b"")
            r.tags()
        r.tags()
        out["topics"][name] = parts
    r.tags()
    return out


def decode_metadata_request(r: Reader, v: int) -> list[str] | None:
    n = r.array_len()
    if n < 0:
        return None
    names = []
    for _ in range(n):
        if v >= 10:
            r.take(16)
        names.append(r.string())
        r.tags()
    return names


def decode_list_offsets(r: Reader, v: int) -> list[tuple[str, int, int]]:
    r.i32()
    if v >= 2:
        r.i8()
    out = []
    for _ in range(r.array_len()):
        name = r.string()
        for _ in range(r.array_len()):
            p = r.i32()
            if v >= 4:
                r.i32()
            ts = r.i64()
            if v == 0:
                r.i32()
            r.tags()
            out.append((name, p, ts))
        r.tags()
    return out


def offset_commit(r: Reader, v: int, txn: bool) -> dict:
    """OffsetCommit (txn=False) or TxnOffsetCommit (txn=True) request."""
    out: dict = {}
    if txn:
        out["transactional_id"] = r.string()
        out["group_id"] = r.string()
        r.i64(); r.i16()
        if v >= 3:
            r.i32(); r.string(); r.string()
    else:
        out["group_id"] = r.string()
        if v >= 1:
            r.i32(); r.string()
        if v >= 7:
            r.string()
        if 2 <= v <= 4:
            r.i64()
    out["offsets"] = []
    for _ in range(r.array_len()):
        name = r.string()
        for _ in range(r.array_len()):
            idx, off = r.i32(), r.i64()
            if (not txn and v >= 6) or (txn and v >= 2):
                r.i32()
            if not txn and v == 1:
                r.i64()
            r.string(); r.tags()
            out["offsets"].append((name, idx, off))
        r.tags()
    return out


def join_group(r: Reader, v: int) -> dict:
    out = {"group_id": r.string()}
    r.i32()
    if v >= 1:
        r.i32()
    r.string()
    if v >= 5:
        r.string()
    out["protocol_type"] = r.string()
    out["subscriptions"] = []
    for _ in range(r.array_len()):
        r.string()
        meta = r.bytes_() or b""
        m = Reader(meta)  # ConsumerProtocolSubscription, never flexible
        m.i16()
        out["subscriptions"].append([m.string() for _ in range(m.i32())])
        r.tags()
    return out


def first_string(r: Reader) -> str | None:
    return r.string()


def find_coordinator(r: Reader, v: int) -> tuple[list[str], int]:
    if v < 4:
        key = r.string()
        kt = r.i8() if v >= 1 else 0
        return [key], kt
    kt = r.i8()
    return [r.string() for _ in range(r.array_len())], kt


def offset_fetch_groups(r: Reader, v: int) -> list[str]:
    if v < 8:
        return [r.string()]
    groups = []
    for _ in range(r.array_len()):
        groups.append(r.string())
        if v >= 9:
            r.string()  # member id
            r.i32()  # member epoch
        n = r.array_len()
        for _ in range(max(n, 0)):
            r.string()
            for _ in range(r.array_len()):
                r.i32()
            r.tags()
        r.tags()
    return groups


def _created(r: Reader, v: int) -> list[str]:
    names = []
    for _ in range(r.array_len()):
        names.append(r.string())
        r.i32(); r.i16()
        for _ in range(r.array_len()):
            r.i32()
            for _ in range(r.array_len()):
                r.i32()
            r.tags()
        for _ in range(r.array_len()):
            r.string(); r.string(); r.tags()
        r.tags()
    return names


def deleted_topic_names(r: Reader, v: int) -> list[str]:
    names = []
    for _ in range(r.array_len()):
        if v >= 6:
            names.append(r.string())
            r.take(16)
            r.tags()
        else:
            names.append(r.string())
    return names


# ---------------------------------------------------------------- responses

def fetch_response_batches(frame: bytes, v: int, tags_out: list[str] | None = None) -> list[dict]:
    flexible = v >= 12
    r = Reader(frame, 4, flexible)
    tags = tags_out if tags_out is not None else []
    tags += [f"header:{t}" for t in r.tags()]  # response header v1
    if v >= 1:
        r.i32()
    if v >= 7:
        r.i16(); r.i32()
    batches = []
    for _ in range(r.array_len()):
        if v >= 13:
            r.take(16)
        else:
            r.string()
        for _ in range(r.array_len()):
            r.i32(); r.i16(); r.i64()
            if v >= 4:
                r.i64()
                if v >= 5:
                    r.i64()
                for _ in range(max(r.array_len(), 0)):
                    r.i64(); r.i64()
                    r.tags()
            if v >= 11:
                r.i32()
            records = r.bytes_()
            tags += [f"partition:{t}" for t in r.tags()]
            if records:
                batches.extend(decode_batches(records))
        tags += [f"topic:{t}" for t in r.tags()]
    tags += [f"top:{t}" for t in r.tags()]
    if r.off != len(frame):
        raise ValueError(f"{len(frame) - r.off} bytes left after the Fetch response")
    return batches


def response_problem(api_key: int, v: int, frame: bytes) -> str | None:
    """Reads the whole of an OffsetFetch response; a reason if it does not parse.

    OffsetFetch is read in full because Tansu was seen to leave its topics
    array out; other responses are not checked here.
    """
    if api_key != 9:
        return None
    flexible = v >= 6
    r = Reader(frame, 4, flexible)
    try:
        r.tags()

        def topics() -> None:
            for _ in range(r.array_len()):
                r.string()
                for _ in range(r.array_len()):
                    r.i32(); r.i64()
                    if v >= 5:
                        r.i32()
                    r.string(); r.i16(); r.tags()
                r.tags()

        if v >= 3:
            r.i32()
        if v >= 8:
            for _ in range(r.array_len()):
                r.string(); topics(); r.i16(); r.tags()
        else:
            topics()
            if v >= 2:
                r.i16()
        r.tags()
    except (ValueError, struct.error) as ex:
        return f"OffsetFetch v{v} response does not parse: {ex}"
    if r.off != len(frame):
        return f"OffsetFetch v{v} response has {len(frame) - r.off} bytes left over"
    return None


def response_tags(api_key: int, v: int, frame: bytes) -> list[str]:
    """Tagged fields present in ApiVersions, Produce and Fetch responses.

    These are the responses the captured clients get whose schema defines
    tagged fields; each is reported as "<level>:<tag>".
    """
    if api_key == 18 and v >= 3:
        r = Reader(frame, 4, True)  # ApiVersions responses always use header v0
        r.i16()
        out = []
        for _ in range(r.array_len()):
            r.i16(); r.i16(); r.i16()
            out += [f"api_key:{t}" for t in r.tags()]
        r.i32()
        out += [f"top:{t}" for t in r.tags()]
        return out
    if api_key == 0 and v >= 9:
        r = Reader(frame, 4, True)
        out = [f"header:{t}" for t in r.tags()]
        for _ in range(r.array_len()):
            r.string()
            for _ in range(r.array_len()):
                r.i32(); r.i16(); r.i64(); r.i64(); r.i64()
                for _ in range(r.array_len()):
                    r.i32(); r.string(); r.tags()
                r.string()
                out += [f"partition:{t}" for t in r.tags()]
            out += [f"topic:{t}" for t in r.tags()]
        r.i32()
        out += [f"top:{t}" for t in r.tags()]
        return out
    if api_key == 1 and v >= 12:
        out: list[str] = []
        fetch_response_batches(frame, v, out)
        return out
    if api_key == 19 and v >= 5:
        r = Reader(frame, 4, True)
        out = [f"header:{t}" for t in r.tags()]
        r.i32()
        for _ in range(r.array_len()):
            r.string()
            if v >= 7:
                r.take(16)
            r.i16(); r.string()
            r.i32(); r.i16(); _create_topics_configs(r)
            out += [f"topic:{t}" for t in r.tags()]
        out += [f"top:{t}" for t in r.tags()]
        return out
    return []


def _create_topics_configs(r: "Reader") -> None:
    for _ in range(max(r.array_len(), 0)):
        r.string(); r.string(); r.i8(); r.i8(); r.i8(); r.tags()


# -------------------------------------------------------------------- main

def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--fixtures", type=Path, required=True)
    ap.add_argument("-v", "--verbose", action="store_true")
    args = ap.parse_args()
    manifest = json.loads((args.fixtures / "manifest.json").read_text())
    problems: list[str] = []
    versions: dict[tuple[str, str], set[int]] = defaultdict(set)
    codecs_seen: dict[str, set[str]] = defaultdict(set)
    checked = defaultdict(int)
    tagged_seen: dict[tuple, list[str]] = {}

    def bad(e: dict, msg: str) -> None:
        problems.append(f"{e['file_request']} [{e['scenario']}]: {msg}")

    for e in manifest:
        req = (args.fixtures / e["file_request"]).read_bytes()
        resp = (args.fixtures / e["file_response"]).read_bytes() if e["file_response"] else None
        h, r = request_reader(req)
        for k in ("api_key", "api_version", "correlation_id", "client_id"):
            if h[k] != e[k]:
                bad(e, f"header {k} {h[k]!r} != manifest {e[k]!r}")
        if resp is not None and struct.unpack_from(">i", resp, 0)[0] != e["correlation_id"]:
            bad(e, "response correlation id differs")
        versions[(e["client"], e["api_name"])].add(e["api_version"])
        f = e["facts"]
        key, v = e["api_key"], e["api_version"]
        try:
            if resp is not None:
                problem = response_problem(key, v, resp)
                if problem != e.get("response_malformed"):
                    bad(e, f"response problem {problem!r} != manifest {e.get('response_malformed')!r}")
                tags = response_tags(key, v, resp)
                if tags != e.get("response_tagged_fields", []):
                    bad(e, f"response tagged fields {tags} != manifest {e.get('response_tagged_fields')}")
                if tags:
                    tagged_seen[(e["client"], e["api_name"], v)] = tags
            if key == 0:
                p = decode_produce(r, v)
                checked["produce"] += 1
                if "acks" in f and p["acks"] != f["acks"]:
                    bad(e, f"acks {p['acks']} != {f['acks']}")
                if "transactional_id" in f and p["transactional_id"] != f["transactional_id"]:
                    bad(e, f"transactional_id {p['transactional_id']!r}")
                if "topics" in f and sorted(p["topics"]) != sorted(f["topics"]):
                    bad(e, f"topics {sorted(p['topics'])} != {f['topics']}")
                batches = [b for parts in p["topics"].values() for bs in parts.values() for b in bs]
                records = [rec for b in batches for rec in b["records"]]
                for b in batches:
                    codecs_seen[e["client"]].add(b["codec"])
                    if "compression" in f and b["codec"] != f["compression"]:
                        bad(e, f"batch codec {b['codec']} != {f['compression']}")
                    if f.get("idempotent") and b["producer_id"] < 0:
                        bad(e, "idempotent produce without producer id")
                    if "transactional_id" in f and not b["transactional"]:
                        bad(e, "transactional produce batch without the transactional bit")
                if "record_count" in f and len(records) != f["record_count"]:
                    bad(e, f"{len(records)} records != {f['record_count']}")
                for fk, rk in (("keys", "key"), ("values", "value"), ("headers", "headers"),
                               ("timestamps", "timestamp")):
                    if fk in f and [rec[rk] for rec in records] != f[fk]:
                        bad(e, f"{fk} {[rec[rk] for rec in records]} != {f[fk]}")
                if "partition" in f:
                    parts = {pi for parts in p["topics"].values() for pi in parts}
                    if parts != {f["partition"]}:
                        bad(e, f"partitions {parts} != {f['partition']}")
            elif key == 1 and resp is not None and "compression" in f:
                batches = fetch_response_batches(resp, v)
                checked["fetch-with-codec"] += 1
                data = [b for b in batches if not b["control"]]
                if data:
                    if any(b["codec"] != f["compression"] for b in data):
                        bad(e, f"fetched codecs {[b['codec'] for b in data]} != {f['compression']}")
                    keys = [rec["key"] for b in data for rec in b["records"]]
                    if "keys" in f and not set(keys) <= set(f["keys"]):
                        bad(e, f"fetched keys {keys} not among {f['keys']}")
            elif key == 3 and "topics" in f:
                names = decode_metadata_request(r, v)
                checked["metadata"] += 1
                if names != f["topics"]:
                    bad(e, f"metadata topics {names} != {f['topics']}")
            elif key == 3 and f.get("all_topics"):
                names = decode_metadata_request(r, v)
                checked["metadata"] += 1
                if names is not None and names != []:
                    bad(e, f"metadata all topics asked for {names}")
            elif key == 2 and ("timestamp" in f or "timestamp_one_of" in f):
                entries = decode_list_offsets(r, v)
                checked["list-offsets"] += 1
                allowed = f.get("timestamp_one_of", [f.get("timestamp")])
                if any(ts not in allowed for _, _, ts in entries) or \
                        ("topics" in f and sorted({t for t, _, _ in entries}) != sorted(f["topics"])):
                    bad(e, f"list offsets {entries} != {f.get('topics')} @ {allowed}")
            elif key in (8, 28) and "group_id" in f:
                oc = offset_commit(r, v, txn=key == 28)
                checked["offset-commit"] += 1
                for k in ("group_id", "transactional_id"):
                    if k in f and oc[k] != f[k]:
                        bad(e, f"{k} {oc[k]!r} != {f[k]!r}")
                if "topics" in f and sorted({t for t, _, _ in oc["offsets"]}) != sorted(f["topics"]):
                    bad(e, f"committed topics {oc['offsets']} != {f['topics']}")
                if "committed_offset" in f and any(o != f["committed_offset"] for _, _, o in oc["offsets"]):
                    bad(e, f"committed offsets {oc['offsets']} != {f['committed_offset']}")
            elif key == 11 and "group_id" in f:
                jg = join_group(r, v)
                checked["group"] += 1
                if jg["group_id"] != f["group_id"] or jg["protocol_type"] != f.get("protocol_type", jg["protocol_type"]):
                    bad(e, f"join {jg['group_id']!r}/{jg['protocol_type']!r} != {f}")
                if "topics" in f and any(sub != f["topics"] for sub in jg["subscriptions"]):
                    bad(e, f"subscriptions {jg['subscriptions']} != {f['topics']}")
            elif key in (12, 13, 14):
                if "group_id" in f:
                    g = first_string(r)
                    checked["group"] += 1
                    if g != f["group_id"]:
                        bad(e, f"group id {g!r} != {f['group_id']!r}")
            elif key == 9 and "group_id" in f:
                gs = offset_fetch_groups(r, v)
                checked["group"] += 1
                if gs != [f["group_id"]]:
                    bad(e, f"offset fetch groups {gs} != {f['group_id']!r}")
            elif key == 10 and "key" in f:
                keys, kt = find_coordinator(r, v)
                checked["find-coordinator"] += 1
                if keys != [f["key"]] or kt != f.get("key_type", kt):
                    bad(e, f"coordinator keys {keys} type {kt} != {f['key']!r} type {f.get('key_type')}")
            elif key == 19 and "topics" in f:
                names = _created(r, v)
                checked["create-topics"] += 1
                if sorted(names) != sorted(f["topics"]):
                    bad(e, f"created {names} != {f['topics']}")
            elif key == 20 and "topics" in f:
                names = deleted_topic_names(r, v)
                checked["delete-topics"] += 1
                if sorted(names) != sorted(f["topics"]):
                    bad(e, f"deleted {names} != {f['topics']}")
            elif key in (22, 25, 26) or (key == 24 and v <= 3):
                if "transactional_id" in f:
                    tid = first_string(r)
                    checked["transactional-id"] += 1
                    if tid != f["transactional_id"]:
                        bad(e, f"transactional id {tid!r} != {f['transactional_id']!r}")
        except (ValueError, struct.error, IndexError, OSError) as ex:
            bad(e, f"decode error: {ex}")

    print(f"[check] {len(manifest)} entries; field checks: {dict(checked)}")
    for client in sorted({e['client'] for e in manifest}):
        print(f"[check] {client}: produce codecs seen {sorted(codecs_seen[client])}")
        line = ", ".join(f"{api} v{'/'.join(map(str, sorted(vs)))}"
                         for (c, api), vs in sorted(versions.items()) if c == client)
        print(f"[check] {client}: {line}")
    for (client, api, v), tags in sorted(tagged_seen.items()):
        print(f"[check] {client}: {api} v{v} response carries tagged fields {tags}")
    for p in problems:
        print(f"[check] PROBLEM {p}")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
