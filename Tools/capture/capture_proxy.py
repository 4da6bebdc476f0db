#!/usr/bin/env python3
"""Recording TCP proxy for the Kafka wire protocol.

Listens on 127.0.0.1:<listen-port>, forwards every connection to the real
broker on 127.0.0.1:<upstream-port>, and splits both directions into Kafka
frames (int32 big-endian size prefix).  Each request header is read
(api_key, api_version, correlation_id, client_id); each response is paired
with its request by correlation id (per connection) and the pair is appended
to a raw capture directory:

    <out>/frames/<seq>-req.bin   request frame, size prefix removed
    <out>/frames/<seq>-resp.bin  response frame, size prefix removed
    <out>/log.jsonl              one JSON line per pair

Requests that never get a response (Produce with acks=0, or a connection
closed first) are logged with "file_response": null.

The bytes are forwarded unchanged; the proxy never rewrites a frame.  The
broker must advertise the proxy's address so that clients keep coming back
through it.  ``build_fixtures.py`` turns the raw capture into the golden
fixture set.

Stop it with SIGTERM or SIGINT; it also stops by itself after --max-seconds.
"""
from __future__ import annotations

import argparse
import asyncio
import json
import os
import signal
import struct
import sys
import time
from pathlib import Path

MAX_FRAME = 64 * 1024 * 1024


class Recorder:
    """Appends request/response pairs to the raw capture directory."""

    def __init__(self, out: Path) -> None:
        self.out = out
        (out / "frames").mkdir(parents=True, exist_ok=True)
        self.log = open(out / "log.jsonl", "a", encoding="utf-8")
        self.seq = self._next_seq()

    def _next_seq(self) -> int:
        highest = 0
        for p in (self.out / "frames").glob("*-req.bin"):
            try:
                highest = max(highest, int(p.name.split("-", 1)[0]))
            except ValueError:
                pass
        return highest + 1

    def record(self, conn_id: int, header: dict, request: bytes, response: bytes | None,
               t_req: float, t_resp: float | None, forwarded_modified: bool = False) -> None:
        seq = self.seq
        self.seq += 1
        req_name = f"{seq:06d}-req.bin"
        (self.out / "frames" / req_name).write_bytes(request)
        resp_name = None
        if response is not None:
            resp_name = f"{seq:06d}-resp.bin"
            (self.out / "frames" / resp_name).write_bytes(response)
        entry = {
            "seq": seq,
            "conn": conn_id,
            "api_key": header["api_key"],
            "api_version": header["api_version"],
            "correlation_id": header["correlation_id"],
            "client_id": header["client_id"],
            "file_request": req_name,
            "file_response": resp_name,
            "t_request": t_req,
            "t_response": t_resp,
        }
        if forwarded_modified:
            # The client got a compatibility-rewritten response; the file holds
            # the broker's original bytes.
            entry["forwarded_modified"] = True
        if not self.log.closed:
            self.log.write(json.dumps(entry) + "\n")
            self.log.flush()


def parse_request_header(frame: bytes) -> dict:
    """Reads api_key, api_version, correlation_id and client_id.

    client_id is a nullable int16-length string in request header v1 and v2
    (every request header a current client sends); only ControlledShutdown v0
    uses header v0, which has no client_id.
    """
    if len(frame) < 8:
        raise ValueError(f"request frame too short: {len(frame)} bytes")
    api_key, api_version, correlation_id = struct.unpack_from(">hhi", frame, 0)
    client_id = None
    if len(frame) >= 10:
        (n,) = struct.unpack_from(">h", frame, 8)
        if n >= 0 and 10 + n <= len(frame):
            client_id = frame[10:10 + n].decode("utf-8", "replace")
    return {"api_key": api_key, "api_version": api_version,
            "correlation_id": correlation_id, "client_id": client_id}


async def read_frame(reader: asyncio.StreamReader) -> bytes | None:
    try:
        size_bytes = await reader.readexactly(4)
    except (asyncio.IncompleteReadError, ConnectionError):
        return None
    (size,) = struct.unpack(">i", size_bytes)
    if size < 0 or size > MAX_FRAME:
        raise ValueError(f"bad frame size {size}")
    try:
        return await reader.readexactly(size)
    except (asyncio.IncompleteReadError, ConnectionError):
        return None


class Proxy:
    def __init__(self, upstream_port: int, recorder: Recorder, verbose: bool,
                 strip_tags: bool = False) -> None:
        self.upstream_port = upstream_port
        self.strip_tags = strip_tags
        self.recorder = recorder
        self.verbose = verbose
        self.conn_seq = 0

    async def handle(self, c_reader: asyncio.StreamReader, c_writer: asyncio.StreamWriter) -> None:
        self.conn_seq += 1
        conn_id = self.conn_seq
        try:
            u_reader, u_writer = await asyncio.wait_for(
                asyncio.open_connection("127.0.0.1", self.upstream_port), timeout=5)
        except (OSError, asyncio.TimeoutError) as e:
            print(f"[proxy] conn {conn_id}: upstream connect failed: {e}", file=sys.stderr)
            c_writer.close()
            return
        # correlation id -> (header, request bytes, time); insertion ordered.
        pending: dict[int, tuple[dict, bytes, float]] = {}

        async def client_to_broker() -> None:
            while True:
                frame = await read_frame(c_reader)
                if frame is None:
                    break
                header = parse_request_header(frame)
                pending[header["correlation_id"]] = (header, frame, time.time())
                if self.verbose:
                    print(f"[proxy] conn {conn_id} -> {header}", file=sys.stderr)
                u_writer.write(struct.pack(">i", len(frame)) + frame)
                await u_writer.drain()
                # Produce with acks=0 gets no response: record it right away.
                if header["api_key"] == 0 and produce_acks(frame, header) == 0:
                    h, req, t = pending.pop(header["correlation_id"])
                    self.recorder.record(conn_id, h, req, None, t, None)

        async def broker_to_client() -> None:
            while True:
                frame = await read_frame(u_reader)
                if frame is None:
                    break
                (corr,) = struct.unpack_from(">i", frame, 0)
                sent = frame
                if self.strip_tags and corr in pending and pending[corr][0]["api_key"] == 18:
                    sent = strip_apiversions_tags(frame, pending[corr][0]["api_version"])
                c_writer.write(struct.pack(">i", len(sent)) + sent)
                await c_writer.drain()
                item = pending.pop(corr, None)
                if item is None:
                    print(f"[proxy] conn {conn_id}: response with unknown correlation id {corr}",
                          file=sys.stderr)
                    continue
                header, req, t = item
                self.recorder.record(conn_id, header, req, frame, t, time.time(),
                                     forwarded_modified=sent is not frame)

        tasks = [asyncio.create_task(client_to_broker()), asyncio.create_task(broker_to_client())]
        try:
            await self._pump(conn_id, tasks)
        except asyncio.CancelledError:
            pass
        finally:
            for t in tasks:
                t.cancel()
            for h, req, ts in pending.values():
                self.recorder.record(conn_id, h, req, None, ts, None)
            pending.clear()
            for w in (c_writer, u_writer):
                try:
                    w.close()
                except Exception:
                    pass

    @staticmethod
    async def _pump(conn_id: int, tasks: list) -> None:
        done, _ = await asyncio.wait(tasks, return_when=asyncio.FIRST_COMPLETED)
        for t in done:
            if t.exception() is not None:
                print(f"[proxy] conn {conn_id}: {t.exception()!r}", file=sys.stderr)
        # Give the other direction a moment to deliver in-flight frames.
        await asyncio.wait(tasks, timeout=1.0)


def produce_acks(frame: bytes, header: dict) -> int | None:
    """acks of a Produce request (versions 3+ start with transactional_id)."""
    try:
        off = 8
        (n,) = struct.unpack_from(">h", frame, off)
        off += 2 + max(n, 0)
        version = header["api_version"]
        flexible = version >= 9
        if flexible:
            off += skip_tagged(frame, off)
        if version >= 3:
            if flexible:
                ln, sz = read_uvarint(frame, off)
                off += sz + max(ln - 1, 0)
            else:
                (ln,) = struct.unpack_from(">h", frame, off)
                off += 2 + max(ln, 0)
        (acks,) = struct.unpack_from(">h", frame, off)
        return acks
    except (struct.error, IndexError):
        return None


def strip_apiversions_tags(frame: bytes, version: int) -> bytes:
    """ApiVersions v3+ response with its top-level tagged fields dropped."""
    if version < 3:
        return frame
    try:
        off = 4 + 2  # correlation id, error code
        n, sz = read_uvarint(frame, off)
        off += sz
        for _ in range(max(n - 1, 0)):
            off += 6
            off += skip_tagged(frame, off)
        off += 4  # throttle_time_ms
        return frame[:off] + b"\x00"
    except (IndexError, ValueError):
        return frame


def read_uvarint(buf: bytes, off: int) -> tuple[int, int]:
    value = 0
    shift = 0
    for i in range(5):
        b = buf[off + i]
        value |= (b & 0x7F) << shift
        if not b & 0x80:
            return value, i + 1
        shift += 7
    raise ValueError("varint too long")


def skip_tagged(buf: bytes, off: int) -> int:
    start = off
    count, sz = read_uvarint(buf, off)
    off += sz
    for _ in range(count):
        _, sz = read_uvarint(buf, off)
        off += sz
        ln, sz = read_uvarint(buf, off)
        off += sz + ln
    return off - start


async def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--listen-port", type=int, required=True)
    ap.add_argument("--upstream-port", type=int, required=True)
    ap.add_argument("--out", type=Path, required=True, help="raw capture directory")
    ap.add_argument("--max-seconds", type=float, default=900.0)
    ap.add_argument("--verbose", action="store_true")
    ap.add_argument("--strip-apiversions-tags", action="store_true")
    args = ap.parse_args()

    recorder = Recorder(args.out)
    proxy = Proxy(args.upstream_port, recorder, args.verbose, args.strip_apiversions_tags)
    server = await asyncio.start_server(proxy.handle, "127.0.0.1", args.listen_port)
    print(f"[proxy] 127.0.0.1:{args.listen_port} -> 127.0.0.1:{args.upstream_port}, "
          f"recording into {args.out}", file=sys.stderr, flush=True)

    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    try:
        await asyncio.wait_for(stop.wait(), timeout=args.max_seconds)
    except asyncio.TimeoutError:
        print("[proxy] --max-seconds reached, stopping", file=sys.stderr)
    server.close()
    # Let open connections flush what they have, then close the log.
    for task in [t for t in asyncio.all_tasks() if t is not asyncio.current_task()]:
        task.cancel()
    await asyncio.sleep(0.2)
    recorder.log.close()
    return 0


if __name__ == "__main__":
    sys.exit(asyncio.run(main()))
