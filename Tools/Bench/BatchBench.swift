// Record-batch hot path: how fast the broker can checksum and validate produced batches,
// set against memcpy of the same bytes, which is the floor any zero-copy path must approach.
//
// Method: encode about 1 MiB of 100-byte-value records twice, once as 16 KiB batches (what
// producers typically send with default linger/batch settings) and once as a single 1 MiB
// batch. Then time, best of `rounds`: (a) CRC32C over 1 MiB with the SSE4.2 path and with
// the table fallback, (b) splitting each records buffer into views, which decodes every
// header and verifies every CRC, and (c) memcpy of 1 MiB. Best-of filters noise from other
// work on a shared machine. GB/s means 10^9 bytes per second.

import NIOCore
import TernProtocol

/// Runs the batch benchmarks and returns report lines, a header line first.
///
/// A step that gives a wrong answer (too few batches, a checksum mismatch) reports that
/// instead of a number, so a broken fast path cannot pass for a fast one.
func runBatchBench(rounds: Int = 50) -> [String] {
    let rounds = max(1, rounds)
    let smallBatches = makeBenchRecordsField(batchBytesTarget: 16 * 1024, totalBytesTarget: 1 << 20)
    let oneBatch = makeBenchRecordsField(batchBytesTarget: 1 << 20, totalBytesTarget: 1 << 20)
    let size = oneBatch.buffer.readableBytes
    var lines = [
        "batch bench: ~1 MiB of 100-byte records, best of \(rounds); "
            + "CRC32C hardware path \(CRC32C.isHardwareAccelerated ? "available" : "NOT available")",
    ]

    let bytes = Array(oneBatch.buffer.readableBytesView)
    let expectedCRC = CRC32C.checksum(bytes)
    if CRC32C.isHardwareAccelerated {
        lines.append(bytes.withUnsafeBytes { raw in
            let hardware = bestSeconds(rounds) { CRC32C.hardwareChecksum(raw) == expectedCRC }
            return benchLine("crc32c sse4.2", bytes: raw.count, seconds: hardware)
        })
    }
    lines.append(bytes.withUnsafeBytes { raw in
        let software = bestSeconds(rounds) { CRC32C.softwareChecksum(raw) == expectedCRC }
        return benchLine("crc32c slice-by-8", bytes: raw.count, seconds: software)
    })
    for field in [smallBatches, oneBatch] {
        let seconds = bestSeconds(rounds) { validatedBatchCount(field.buffer) == field.batchCount }
        let label = "split+validate \(field.batchCount) batch\(field.batchCount == 1 ? "" : "es")"
        lines.append(benchLine(label, bytes: field.buffer.readableBytes, seconds: seconds))
    }
    // Headers only: what splitting costs apart from the checksum.
    let headersOnly = bestSeconds(rounds) {
        validatedBatchCount(smallBatches.buffer, verifyingChecksums: false) == smallBatches.batchCount
    }
    lines.append(benchLine("split, no CRC, \(smallBatches.batchCount) batches", bytes: smallBatches.buffer.readableBytes, seconds: headersOnly))
    var destination = [UInt8](repeating: 0, count: size)
    let copySeconds = bytes.withUnsafeBytes { source in
        destination.withUnsafeMutableBytes { target in
            bestSeconds(rounds) {
                target.copyMemory(from: source)
                return target[size - 1] == source[size - 1]
            }
        }
    }
    lines.append(benchLine("memcpy", bytes: size, seconds: copySeconds))
    return lines
}

/// A `records` field and how many batches it holds.
private struct BenchRecordsField {
    let buffer: ByteBuffer
    let batchCount: Int
}

/// Encodes batches of records with 100-byte values until the field is about to pass
/// `totalBytesTarget` bytes, starting a new batch before one would pass `batchBytesTarget`.
private func makeBenchRecordsField(batchBytesTarget: Int, totalBytesTarget: Int) -> BenchRecordsField {
    var buffer = ByteBuffer()
    var batchCount = 0
    var nextSequence: Int32 = 0
    while true {
        let budget = min(batchBytesTarget, totalBytesTarget - buffer.readableBytes) - RecordBatchHeader.size
        var records: [Record] = []
        var used = 0
        while true {
            let index = records.count
            let record = Record(
                timestampDelta: Int64(index), offsetDelta: Int32(index),
                value: ByteBuffer(repeating: UInt8(truncatingIfNeeded: index), count: 100)
            )
            let size = encodedSize(of: record)
            guard used + size <= budget else { break }
            records.append(record)
            used += size
        }
        guard !records.isEmpty else { break }
        let batch = RecordBatch(
            baseTimestamp: 1_700_000_000_000, maxTimestamp: 1_700_000_000_000 + Int64(records.count),
            producerId: 1, producerEpoch: 0, baseSequence: nextSequence, records: records
        )
        do {
            try batch.encode(into: &buffer)
        } catch {
            preconditionFailure("benchmark batch does not encode: \(error)")
        }
        nextSequence &+= Int32(records.count)
        batchCount += 1
    }
    return BenchRecordsField(buffer: buffer, batchCount: batchCount)
}

/// Bytes `record` takes encoded, length prefix included.
private func encodedSize(of record: Record) -> Int {
    var scratch = ByteBuffer()
    do {
        try record.encode(into: &scratch)
    } catch {
        preconditionFailure("benchmark record does not encode: \(error)")
    }
    return scratch.readableBytes
}

/// Splits `records` into views, verifying every header (and CRC, unless told not to);
/// returns how many batches passed, or -1 if any failed.
private func validatedBatchCount(_ records: ByteBuffer, verifyingChecksums: Bool = true) -> Int {
    var splitter = RecordBatchSplitter(records: records, verifyingChecksums: verifyingChecksums)
    var count = 0
    do {
        while let entry = try splitter.next() {
            guard case .batch = entry else { return -1 }
            count += 1
        }
    } catch {
        return -1
    }
    return count
}

/// The shortest of `rounds` timed runs of `body`, or nil if any run returned false.
private func bestSeconds(_ rounds: Int, _ body: () -> Bool) -> Double? {
    let clock = ContinuousClock()
    var best = Double.infinity
    for _ in 0..<rounds {
        let start = clock.now
        let correct = body()
        let elapsed = clock.now - start
        guard correct else { return nil }
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        best = min(best, seconds)
    }
    return best
}

/// One aligned report line: label, size, GB/s.
private func benchLine(_ label: String, bytes: Int, seconds: Double?) -> String {
    let paddedLabel = label.count >= 32 ? label + " " : label + String(repeating: " ", count: 32 - label.count)
    guard let seconds else { return paddedLabel + "WRONG RESULT" }
    guard seconds > 0 else { return paddedLabel + "too fast to time" }
    let gigabytesPerSecond = Double(bytes) / seconds / 1e9
    let hundredths = Int((gigabytesPerSecond * 100).rounded())
    let fraction = hundredths % 100
    return paddedLabel + "\(bytes) B  \(hundredths / 100).\(fraction < 10 ? "0" : "")\(fraction) GB/s"
}
