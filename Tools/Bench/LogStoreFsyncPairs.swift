// The `fsyncpairs` step: fsync before acknowledge against raw writes with an fdatasync every
// 8, alternated in short slices. This VM's disk changes its fsync speed by 2× within minutes
// (fio `--fdatasync=8` read 187 and then 108 MB/s one run apart), so a raw run and a store run
// a minute apart compare the disk's moods as much as the code; slices of a few seconds each,
// raw then store, give pairs that saw nearly the same disk, and their ratios a median.

import Foundation
import NIOCore
import TernLogStore

/// `slices` pairs of (raw pwrite + fdatasync every 8, then 8 appenders from the store's
/// executor with fsync before acknowledge), each writing `appends / slices` batches.
func measureFsyncPairs(directory: String, pool: [LogBenchBatch], appends: Int, slices: Int = 8) async throws -> [String] {
    let batchBytes = pool[0].bytes.readableBytes
    let perSlice = max(8, appends / slices)
    let bytes = Double(perSlice * batchBytes)
    var config = LogConfig()
    config.durability = .fsyncBeforeAcknowledge
    var lines = ["fsync pairs: \(slices) × (raw, store) of \(perSlice) batches each"]
    var ratios: [Double] = []
    for slice in 0..<slices {
        let rawStart = ContinuousClock.now
        _ = try measureRawWrites(path: directory + "/pair-raw.bin", blocks: perSlice, blockBytes: batchBytes, syncEvery: 8)
        let raw = bytes / 1e6 / secondsSince(rawStart)

        let storeStart = ContinuousClock.now
        let store = try SegmentedLogStore(directory: directory + "/pair-store")
        let log = try await store.openLog(benchPartition, config: config)
        try await appendConcurrently(log, pool: pool, appends: perSlice, executor: store.preferredTaskExecutor, validation: .crcVerifiedByCaller)
        try await store.close()
        let stored = bytes / 1e6 / secondsSince(storeStart)
        try FileManager.default.removeItem(atPath: directory + "/pair-store")

        ratios.append(stored / raw)
        lines.append("  pair \(slice + 1): raw \(Int(raw)) MB/s, store \(Int(stored)) MB/s = \(Int((stored / raw * 100).rounded())) %")
    }
    let sorted = ratios.sorted()
    let median = sorted.count % 2 == 1 ? sorted[sorted.count / 2] : (sorted[sorted.count / 2 - 1] + sorted[sorted.count / 2]) / 2
    lines.append("  store / raw: median \(Int((median * 100).rounded())) %, range \(Int((sorted[0] * 100).rounded()))–\(Int((sorted[sorted.count - 1] * 100).rounded())) %")
    return lines
}
