#!/usr/bin/env python3
"""Writes the starting corpora for FuzzRecords and FuzzCoordination: small, valid inputs that
let libFuzzer reach the decoders quickly instead of rediscovering the layout (and a CRC) from
random bytes. Run from anywhere; it writes into FuzzRecords/ and FuzzCoordination/ beside
itself.

FuzzRecords' stand-in decompressor returns its input unchanged, so a "compressed" seed here
simply carries uncompressed records with a codec id set."""

import os
import struct


def crc(data, poly):
    value = 0xFFFFFFFF
    for byte in data:
        value ^= byte
        for _ in range(8):
            value = (value >> 1) ^ poly if value & 1 else value >> 1
    return value ^ 0xFFFFFFFF


def varint(n):
    zigzag = (n << 1) ^ (n >> 63)
    out = bytearray()
    while zigzag >= 0x80:
        out.append((zigzag & 0x7F) | 0x80)
        zigzag >>= 7
    out.append(zigzag)
    return bytes(out)


def nullable(data):
    return varint(-1) if data is None else varint(len(data)) + data


def record(offset_delta, ts_delta, key, value, headers=()):
    body = b"\x00" + varint(ts_delta) + varint(offset_delta) + nullable(key) + nullable(value)
    body += varint(len(headers))
    for hkey, hvalue in headers:
        body += varint(len(hkey)) + hkey + nullable(hvalue)
    return varint(len(body)) + body


def batch(records, attributes=0, base_offset=0):
    section = b"".join(records)
    after_crc = struct.pack(">hiqqqhii", attributes, len(records) - 1, 1000, 2000, 7, 1, 0, len(records)) + section
    head = struct.pack(">qiib", base_offset, 4 + 1 + 4 + len(after_crc), -1, 2)
    return head + struct.pack(">I", crc(after_crc, 0x82F63B78)) + after_crc


def legacy(offset, magic, attributes, key, value, timestamp=None):
    body = struct.pack(">bb", magic, attributes)
    if magic == 1:
        body += struct.pack(">q", timestamp or 0)
    for field in (key, value):
        body += struct.pack(">i", -1) if field is None else struct.pack(">i", len(field)) + field
    message = struct.pack(">I", crc(body, 0xEDB88320)) + body
    return struct.pack(">qi", offset, len(message)) + message


records = [
    record(0, 0, b"k", b"value"),
    record(1, 300, None, b"", [(b"h", b"x"), (b"n", None)]),
]
inner_v1 = legacy(0, 1, 0, None, b"a", 5) + legacy(1, 1, 0, b"k", b"b", 6)
seeds = {
    "v2-plain": batch(records),
    "v2-lz4": batch(records, attributes=3),
    "v2-control": batch([record(0, 0, struct.pack(">hh", 0, 1), struct.pack(">hi", 0, 5))], attributes=0x30),
    "legacy-v0": legacy(3, 0, 0, b"abc", None),
    "legacy-v1-wrapper": legacy(1, 1, 1, None, inner_v1, 6),
}
seeds["mixed-cut"] = seeds["legacy-v0"] + seeds["v2-plain"] + seeds["v2-lz4"][:40]



def jute_string(text):
    data = text.encode()
    return struct.pack(">i", len(data)) + data


def jute_buffer(data):
    return struct.pack(">i", len(data)) + data


WORLD_ANYONE = struct.pack(">ii", 1, 0x1F) + jute_string("world") + jute_string("anyone")

# ZooKeeper: what kazoo sends first, and request frames (xid, op code, body) of the kinds a
# broker writes. FuzzCoordination tries every input as each record, so one file can seed several.
coordination_seeds = {
    "connect-request": struct.pack(">iqiq", 0, 0, 10_000, 0) + jute_buffer(bytes(16)) + b"\x00",
    "create2-frame": struct.pack(">ii", 1, 15) + jute_string("/app") + jute_buffer(b"hi") + WORLD_ANYONE
    + struct.pack(">i", 3),
    "get-children2-frame": struct.pack(">ii", 2, 12) + jute_string("/brokers/ids") + b"\x01",
    "set-data-frame": struct.pack(">ii", 3, 5) + jute_string("/controller") + jute_buffer(b'{"brokerid":1}')
    + struct.pack(">i", -1),
    "multi-frame": struct.pack(">ii", 4, 14)
    + struct.pack(">ibi", 1, 0, -1) + jute_string("/a") + jute_buffer(b"") + WORLD_ANYONE + struct.pack(">i", 0)
    + struct.pack(">ibi", 2, 0, -1) + jute_string("/a") + struct.pack(">i", -1)
    + struct.pack(">ibi", -1, 1, -1),
}

here = os.path.dirname(os.path.abspath(__file__))
for corpus, entries in (("FuzzRecords", seeds), ("FuzzCoordination", coordination_seeds)):
    directory = os.path.join(here, corpus)
    os.makedirs(directory, exist_ok=True)
    for name, data in entries.items():
        with open(os.path.join(directory, name), "wb") as handle:
            handle.write(data)
