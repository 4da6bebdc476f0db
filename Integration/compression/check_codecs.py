#!/usr/bin/env python3
"""Cross-check Tern's batch codecs against the reference Python bindings.

Two modes, run by run.sh around the Swift CrossCheckTests:

  write DIR   writes payload.bin and Python-compressed forms of it (listed in
              manifest.txt as "<file> <codec>") for Swift to decode.
  verify DIR  decodes every file Swift listed in swift-manifest.txt with the Python
              libraries, checks Swift's LZ4 frame header matches librdkafka's, folds in
              Swift's own results from swift-results.txt, and prints one PASS/FAIL line
              per check and a final "N passed, N failed" line. Exits 1 on any failure.

The samples cover what Kafka clients send: raw snappy (librdkafka) and xerial-framed
snappy (Java), LZ4 frames with independent and with linked blocks, zstd frames with and
without a content size (librdkafka writes none), gzip and a zlib wrapper.
"""

import gzip
import random
import struct
import sys
import zlib
from pathlib import Path

import lz4.frame
import snappy
import zstandard

XERIAL_MAGIC = b"\x82SNAPPY\x00"


def make_payload() -> bytes:
    """About 300 KB of JSON-like records plus an incompressible stretch, fixed seed."""
    rng = random.Random(20240611)
    lines = []
    size = 0
    index = 0
    while size < 280_000:
        line = (
            '{"offset":%d,"user":"u%d","event":"%s","amount":%d}\n'
            % (index, rng.randrange(500), rng.choice(["view", "click", "buy"]), rng.randrange(10_000))
        ).encode()
        lines.append(line)
        size += len(line)
        index += 1
    return b"".join(lines) + rng.randbytes(40_000)


def xerial_frame(data: bytes, block: int = 32 * 1024) -> bytes:
    """snappy-java's stream framing: magic, version 1, compat 1, [BE length, raw block]*."""
    out = [XERIAL_MAGIC, struct.pack(">ii", 1, 1)]
    for start in range(0, len(data), block):
        raw = snappy.compress(data[start:start + block])
        out.append(struct.pack(">i", len(raw)))
        out.append(raw)
    return b"".join(out)


def zstd_streamed(data: bytes) -> bytes:
    """A zstd frame without a content size, as librdkafka's streaming writer produces."""
    compressor = zstandard.ZstdCompressor(level=3, write_content_size=False)
    chunker = compressor.chunker(chunk_size=65536)
    parts = list(chunker.compress(data)) + list(chunker.finish())
    return b"".join(parts)


def python_samples(payload: bytes) -> list[tuple[str, str, bytes]]:
    half = len(payload) // 2
    return [
        ("py-gzip.bin", "gzip", gzip.compress(payload, compresslevel=6, mtime=0)),
        ("py-gzip-two-members.bin", "gzip", gzip.compress(payload[:half], mtime=0) + gzip.compress(payload[half:], mtime=0)),
        ("py-zlib.bin", "gzip", zlib.compress(payload)),
        ("py-snappy-raw.bin", "snappy", snappy.compress(payload)),
        ("py-snappy-xerial.bin", "snappy", xerial_frame(payload)),
        ("py-lz4-independent.bin", "lz4", lz4.frame.compress(
            payload, block_size=lz4.frame.BLOCKSIZE_MAX64KB, block_linked=False, store_size=False)),
        ("py-lz4-linked-checksums.bin", "lz4", lz4.frame.compress(
            payload, block_size=lz4.frame.BLOCKSIZE_MAX256KB, block_linked=True,
            content_checksum=True, block_checksum=True, store_size=True)),
        ("py-lz4-two-frames.bin", "lz4", lz4.frame.compress(payload[:half]) + lz4.frame.compress(payload[half:])),
        ("py-zstd-no-content-size.bin", "zstd", zstd_streamed(payload)),
        ("py-zstd-content-size.bin", "zstd", zstandard.ZstdCompressor(level=19, write_checksum=True).compress(payload)),
    ]


def write(directory: Path) -> None:
    payload = make_payload()
    (directory / "payload.bin").write_bytes(payload)
    manifest = []
    for name, codec, data in python_samples(payload):
        (directory / name).write_bytes(data)
        manifest.append(f"{name} {codec}")
    (directory / "manifest.txt").write_text("\n".join(manifest) + "\n")
    print(f"wrote {len(manifest)} Python samples of a {len(payload)}-byte payload to {directory}")


def decode(codec: str, data: bytes) -> bytes:
    if codec == "gzip":
        return gzip.decompress(data)
    if codec == "snappy":
        if data.startswith(XERIAL_MAGIC):
            out, offset = [], 16
            while offset < len(data):
                (length,) = struct.unpack_from(">i", data, offset)
                out.append(snappy.decompress(data[offset + 4:offset + 4 + length]))
                offset += 4 + length
            return b"".join(out)
        return snappy.decompress(data)
    if codec == "lz4":
        return lz4.frame.decompress(data)
    if codec == "zstd":
        return zstandard.ZstdDecompressor().decompressobj().decompress(data)
    raise ValueError(f"unknown codec {codec}")


def extra_checks(name: str, codec: str, data: bytes) -> list[tuple[str, str | None]]:
    """Format details beyond "it decodes": the headers librdkafka writes."""
    checks = []
    if codec == "lz4":
        info = lz4.frame.get_frame_info(data)
        ok = data[:6] == bytes.fromhex("04224d186040") and not info["block_linked"] and info["block_size_id"] == 4
        checks.append((f"{name}-librdkafka-header", None if ok else f"header {data[:6].hex()} info {info}"))
    if codec == "snappy" and "xerial" not in name:
        checks.append((f"{name}-is-raw", None if not data.startswith(XERIAL_MAGIC) else "has xerial magic"))
    if codec == "gzip":
        checks.append((f"{name}-gzip-magic", None if data[:3] == b"\x1f\x8b\x08" else f"starts {data[:3].hex()}"))
    return checks


def verify(directory: Path) -> int:
    payload = (directory / "payload.bin").read_bytes()
    results: list[tuple[str, str | None]] = []
    manifest_path = directory / "swift-manifest.txt"
    entries = manifest_path.read_text().split("\n") if manifest_path.exists() else []
    entries = [line.split() for line in entries if line.strip()]
    if {codec for _, codec in entries} != {"gzip", "snappy", "lz4", "zstd"}:
        results.append(("swift-manifest-covers-all-codecs", f"got {entries}"))
    for name, codec in entries:
        data = (directory / name).read_bytes()
        try:
            ok = decode(codec, data) == payload
            results.append((f"python-decodes-{name}", None if ok else "content differs"))
        except Exception as error:  # any library error is a failed check, reported by name
            results.append((f"python-decodes-{name}", f"{type(error).__name__}: {error}"))
        results.extend(extra_checks(name, codec, data))

    swift_results = directory / "swift-results.txt"
    python_samples_count = len((directory / "manifest.txt").read_text().split())
    swift_lines = swift_results.read_text().splitlines() if swift_results.exists() else []
    if len(swift_lines) * 2 != python_samples_count:
        results.append(("swift-reported-every-python-sample", f"{len(swift_lines)} result lines"))
    for line in swift_lines:
        status, _, rest = line.partition(" ")
        name, _, reason = rest.partition(": ")
        results.append((name, None if status == "PASS" else reason or "failed"))

    failed = 0
    for name, problem in results:
        print(f"PASS {name}" if problem is None else f"FAIL {name}: {problem}")
        failed += problem is not None
    print(f"{len(results) - failed} passed, {failed} failed")
    return 1 if failed or not results else 0


def main() -> int:
    if len(sys.argv) != 3 or sys.argv[1] not in ("write", "verify"):
        print(__doc__, file=sys.stderr)
        return 2
    directory = Path(sys.argv[2])
    if sys.argv[1] == "write":
        write(directory)
        return 0
    return verify(directory)


if __name__ == "__main__":
    sys.exit(main())
