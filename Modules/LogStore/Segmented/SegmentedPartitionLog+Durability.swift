#if canImport(Glibc)
import Glibc
#endif
import TernPrimitives
import TernProtocol

// Group commit. Appends are ordered by bytes ever appended (`appendedBytes`, which never
// goes down, even across truncation), and `durableBytes` is how far an fsync has covered.
// An append that must be durable waits until `durableBytes` passes its own end. The first
// waiter to find no fsync running becomes the syncer: it notes the target (everything
// appended so far) and runs the fdatasync calls, on the lane itself when they cover little
// (appends arriving meanwhile queue on the lane) or on a pool thread, suspending, which
// frees the lane for appends to write their bytes meanwhile (`laneSyncBytesMax`). Either
// way appends that find a round running queue up as waiters; when it ends they all wake,
// those covered return, and one of the rest starts the next round for all of them. So N
// concurrent appends cost about two fsyncs, not N.
//
// The same mechanism serves `flush()`, `flush.messages` (an append past the count waits
// for an fsync) and `flush.ms`: `SegmentedLogStore.flushDueLogs()` calls `flushIfDue()` on
// every open log, and the broker runs that from a background service every second or so
// (Kafka's `log.flush.scheduler.interval.ms`), so a log with `interval` set is fsynced at
// most that long after its last flush.

/// The group-commit bookkeeping of one log.
struct DurabilityState {
    /// Bytes ever appended to the log.
    var appendedBytes: UInt64 = 0
    /// The prefix of `appendedBytes` an fsync has covered.
    var durableBytes: UInt64 = 0
    /// Records ever appended, for `flush.messages`.
    var appendedRecords = 0
    /// `appendedRecords` when the latest fsync started.
    var requestedRecords = 0
    /// Whether an fsync is running now.
    var syncing = false
    /// `appendedBytes` when the last successful round ended plus the bytes it made durable,
    /// and how long its fsyncs took: the next round waits briefly for appends to reach the
    /// target (`gatherAppendsForRound`).
    var gatherTarget: UInt64 = 0
    var lastRoundDuration = Duration.zero
    /// Appends (and flushes) waiting for the running fsync to finish.
    var waiters: [CheckedContinuation<Void, Never>] = []
    /// Segments sealed since the last fsync started; their files are synced with the next.
    var unsyncedSealed: [DiskSegment] = []
    /// Directories with entries (new segment files, a new partition directory) not yet
    /// made durable. A directory fsync costs milliseconds here, so creating a segment
    /// defers it to the next fsync round, which any append that must be durable waits for.
    var unsyncedDirectories: [String] = []
    /// Small files (checkpoints) replaced without an fsync, synced by the next round.
    var unsyncedFiles: [String] = []
    /// Whether the store directory has this log's new directory in it, not yet durable;
    /// synced through the store's `DirectorySyncGroup`, which logs created together share.
    var storeDirectoryUnsynced = false
    /// Whether index entries were written since the last round that synced the active
    /// segment's index files (only `close()` syncs them: a crash rebuilds them).
    var activeIndexesUnsynced = false
    /// The fsync round a roll started in the background, awaited by `close()`.
    var backgroundSync: Task<Void, Never>?
    /// When the last fsync finished (monotonic clock), for `flush.ms`.
    var lastFlush = Instant.zero
    /// fsync rounds completed (each syncs every file that needs it); tests read it.
    var syncRounds = 0
    /// Every offset below this is in batches an fsync has covered (see `+RecoveryPoint`).
    var recoveryPoint: Int64 = 0
    /// The value in the recovery-point checkpoint file; nil when there is none.
    var checkpointedRecoveryPoint: Int64?
    /// Truncations so far: a round that spans one must not raise the recovery point, since
    /// offsets it covered may have been written again after it started.
    var truncations = 0
}

extension SegmentedPartitionLog {
    /// Whether the append just made must wait for an fsync before it returns, as its
    /// config asks. `append` checks this before awaiting anything: an `await`, even of a
    /// call that returns at once, can send a task that prefers another executor (the
    /// broker's event loops, the store's pool) through the lane's queue twice more, and under
    /// the default flush policy almost no append needs to wait.
    var appendAwaitsDurability: Bool {
        switch config.durability {
        case .fsyncBeforeAcknowledge:
            return true
        case let .flushPolicy(messages, _):
            guard let messages else { return false }
            return durability.appendedRecords - durability.requestedRecords >= max(1, messages)
        }
    }

    /// Forces every appended byte to disk.
    func flush() async throws(LogStoreError) {
        try requireOpen()
        try await awaitDurable(durability.appendedBytes)
    }

    /// Flushes if the config's `flush.ms` has passed since the last flush and there is
    /// something to flush; the store's `flushDueLogs()` drives this.
    func flushIfDue() async throws(LogStoreError) {
        guard case .open = phase, case let .flushPolicy(_, interval?) = config.durability else { return }
        guard durability.durableBytes < durability.appendedBytes,
              context.clock.now - durability.lastFlush >= interval
        else { return }
        try await awaitDurable(durability.appendedBytes)
    }

    /// The number of fsync rounds so far (for tests of group commit).
    func syncRounds() -> Int {
        durability.syncRounds
    }

    /// Bytes ever appended, and how many of them an fsync has covered (for tests).
    func durabilityProgress() -> (appended: UInt64, durable: UInt64) {
        (durability.appendedBytes, durability.durableBytes)
    }

    /// Starts an fsync round in the background, as Kafka flushes a segment when it rolls,
    /// so a sealed segment reaches the disk soon even when no policy asks for fsyncs (crash
    /// recovery scans only the active segment). The append that rolled does not wait.
    func syncSealedInBackground() {
        guard durability.backgroundSync == nil else { return }
        let target = durability.appendedBytes
        durability.backgroundSync = Task {
            defer { durability.backgroundSync = nil }
            do throws(LogStoreError) {
                try await awaitDurable(target)
            } catch {
                // An open log's failure went through `fail`, which took it offline and
                // reported it; appends will throw it. Anything else is reported here.
                if case .failed = phase {} else { context.report("\(partition): background flush failed: \(error)") }
            }
        }
    }

    /// Returns once an fsync that started after `target` bytes were appended has finished.
    func awaitDurable(_ target: UInt64) async throws(LogStoreError) {
        while durability.durableBytes < target {
            if case let .failed(error) = phase { throw error }
            if durability.syncing {
                await awaitRoundEnd()
                debugCheckOnLane()
            } else {
                durability.syncing = true
                await gatherAppendsForRound()
                debugCheckOnLane()
                try await syncRound()
                debugCheckOnLane()
            }
        }
    }

    /// Debug builds (the tests) check that the log's code runs on the thread draining its
    /// lane right now after each suspension of group commit, where a task resumes from
    /// another executor: a runtime or lane bug that ran it elsewhere would let two threads
    /// touch the round's state at once. (Once, chasing the hang `awaitRoundEnd` explains,
    /// this check failed in an instrumented build and never again; it stays to catch it.)
    func debugCheckOnLane() {
        #if DEBUG
        lane.checkIsolated()
        #endif
    }

    /// Returns once the running fsync round has ended, at once if none is running. The
    /// check sits in the continuation's body, not before the call, on purpose: `await
    /// withCheckedContinuation` may suspend before its body runs (a task that prefers
    /// another executor is hopped back onto the lane and queued behind the jobs already
    /// there), and if the round ends meanwhile, a waiter registered after a stale check
    /// waits for a round nobody starts. The benchmark's 8 appenders preferring the store's
    /// executor hung that way about one run in four once rounds ran on the lane.
    private func awaitRoundEnd() async {
        await withCheckedContinuation { continuation in
            if durability.syncing {
                durability.waiters.append(continuation)
            } else {
                continuation.resume()
            }
        }
    }

    /// Lets appends already on their way in join the round about to start. When a round
    /// ends, the appenders it covered are resumed and come back with their next batch;
    /// without this the first of them starts the next round alone and the rest wait a whole
    /// fsync for the one after (8 steady appenders: about one fdatasync per append; letting
    /// only the appends already queued on the lane join: one per 4 appends). So a round
    /// waits, yielding the lane to them, until as many bytes as the previous round covered
    /// have arrived since it ended, for at most a quarter of that round's fsync time: a lone
    /// appender never waits (its own bytes are the ones expected), and when appenders stop,
    /// the wait is a fraction of the fsync it can save.
    ///
    /// Only appends acknowledged after an fsync wait for rounds; under the flush policy a
    /// round (write-behind, `flush.ms`, a roll) gathers nothing by waiting, and its waiting
    /// was a busy loop of yields that cut the appends' throughput by a third to two thirds.
    private func gatherAppendsForRound() async {
        guard case .fsyncBeforeAcknowledge = config.durability else { return }
        let wanted = durability.gatherTarget
        guard durability.appendedBytes < wanted else { return }
        let clock = ContinuousClock()
        let deadline = clock.now + durability.lastRoundDuration / 4
        // A cap on yields too, in case the clock reads stall.
        for _ in 0..<Self.gatherYieldsMax {
            await Task.yield()
            if durability.appendedBytes >= wanted || clock.now >= deadline { return }
        }
    }

    private static var gatherYieldsMax: Int { 100_000 }

    /// The most unsynced bytes a round fsyncs on the log's lane itself; bigger rounds (the
    /// flush policy's write-behind, a roll, a close) go to the sync pool.
    ///
    /// Why on the lane at all: handing the fdatasync to a pool thread and resuming the log
    /// afterwards costs two thread wake-ups, about 200 µs per round in this VM, against
    /// fdatasyncs of 0.5–1 ms for the 100–200 KiB a round of 8 appenders covers. On the
    /// lane, 8 appenders preferring the store's executor reach 183–195 MB/s against
    /// 179–221 MB/s for raw pwrites with an fdatasync every 8 (off the lane: 119–147 against
    /// 130–223). The price is that the partition's reads wait while such a round runs; a
    /// bound on its bytes bounds that wait, and a write-behind round of 32 MiB, which would
    /// hold the lane for tens of milliseconds, still runs off it while appends continue.
    static let laneSyncBytesMax: UInt64 = 1 << 20

    /// One fsync round: every file with unsynced appended bytes, on the lane when it is
    /// small (`laneSyncBytesMax`), otherwise off it; with `activeIndexes`, the active
    /// segment's index files too (closing).
    private func syncRound(activeIndexes: Bool = false) async throws(LogStoreError) {
        durability.syncing = true
        let target = durability.appendedBytes
        // What this round makes durable; nothing else moves `durableBytes` while it runs.
        let roundBytes = target - min(target, durability.durableBytes)
        let targetOffset = logEndOffset
        let truncations = durability.truncations
        durability.requestedRecords = durability.appendedRecords
        let sealed = durability.unsyncedSealed
        durability.unsyncedSealed = []
        let directories = durability.unsyncedDirectories
        durability.unsyncedDirectories = []
        let files = durability.unsyncedFiles
        durability.unsyncedFiles = []
        let storeDirectory = durability.storeDirectoryUnsynced
        durability.storeDirectoryUnsynced = false
        if activeIndexes { durability.activeIndexesUnsynced = false }
        let result: Result<Void, LogStoreError>
        let started = ContinuousClock.now
        do throws(LogStoreError) {
            let handles = try handlesToSync(sealed: sealed, activeIndexes: activeIndexes)
            let syncAll = { @Sendable () throws(LogStoreError) in
                for handle in handles {
                    try POSIXFile.syncData(handle.descriptor, path: handle.path)
                }
                try Self.syncSmallFiles(files, directories: directories)
            }
            let small = handles.count == 1 && files.isEmpty && directories.isEmpty && roundBytes <= Self.laneSyncBytesMax
            if small { try syncAll() } else { try await context.syncPool.run(syncAll) }
            if storeDirectory { try await context.storeDirectorySync.sync() }
            result = .success(())
        } catch {
            result = .failure(error)
        }
        durability.syncing = false
        durability.syncRounds += 1
        let waiters = durability.waiters
        durability.waiters = []
        switch result {
        case .success:
            durability.gatherTarget = durability.appendedBytes + roundBytes
            durability.lastRoundDuration = ContinuousClock.now - started
            durability.durableBytes = max(durability.durableBytes, target)
            durability.lastFlush = context.clock.now
            if durability.truncations == truncations { advanceRecoveryPoint(to: targetOffset) }
        case let .failure(error):
            // After a failed fsync the page cache may have dropped the data (Linux marks the
            // pages clean), so retrying could report success for lost bytes: go offline.
            _ = fail(error)
        }
        for waiter in waiters {
            waiter.resume()
        }
        try result.get()
    }

    /// The log file of the active segment (and its index files with `activeIndexes`), and
    /// every file of the segments sealed since the last round that still exist.
    private func handlesToSync(sealed: [DiskSegment], activeIndexes: Bool) throws(LogStoreError) -> [SegmentFileHandle] {
        var handles: [SegmentFileHandle] = []
        for segment in sealed where segments.contains(where: { $0 === segment }) {
            for kind in SegmentFileKind.allCases {
                handles.append(try context.files.handle(segment.key(kind), path: segment.path(kind)))
            }
        }
        let current = active
        for kind in activeIndexes ? SegmentFileKind.allCases : [.log] {
            handles.append(try context.files.handle(current.key(kind), path: current.path(kind)))
        }
        return handles
    }

    /// Closes the log: refuses new calls, flushes what was appended, gives the active
    /// segment its final time-index entry, syncs its files, and releases every descriptor.
    /// Closing a closed log does nothing.
    func close() async throws(LogStoreError) {
        guard case .open = phase else {
            phase = .closed
            releaseFiles()
            return
        }
        phase = .closed
        // Nothing written since a clean load: the files are as the last close synced them.
        if unchangedSinceCleanLoad {
            releaseFiles()
            return
        }
        var failure: LogStoreError?
        await durability.backgroundSync?.value
        do throws(LogStoreError) {
            // The final time-index entry and the pending index entries go first, so one
            // round covers them with everything else a clean shutdown must leave durable.
            try seal(active)
            while durability.syncing {
                await awaitRoundEnd()
            }
            if owesSync { try await syncRound(activeIndexes: true) }
        } catch {
            failure = error
        }
        releaseFiles()
        if let failure { throw failure }
    }

    /// Whether anything written is not yet durable.
    var owesSync: Bool {
        durability.durableBytes < durability.appendedBytes || durability.activeIndexesUnsynced
            || !durability.unsyncedSealed.isEmpty || !durability.unsyncedDirectories.isEmpty
            || !durability.unsyncedFiles.isEmpty || durability.storeDirectoryUnsynced
    }

    /// Syncs files replaced without an fsync (a file gone since was replaced again or
    /// deleted, which its own path handles), then directories. Blocking.
    private static func syncSmallFiles(_ files: [String], directories: [String]) throws(LogStoreError) {
        for path in files {
            let descriptor: Int32
            do throws(LogStoreError) {
                descriptor = try POSIXFile.open(path, flags: O_RDONLY)
            } catch {
                if case .io(_, _, ENOENT) = error { continue }
                throw error
            }
            defer { _ = Glibc.close(descriptor) }
            try POSIXFile.sync(descriptor, path: path)
        }
        for directory in directories {
            try POSIXFile.syncDirectory(directory)
        }
    }

    /// Notes a directory whose new entries the next fsync round must make durable.
    func markUnsynced(directory path: String) {
        if !durability.unsyncedDirectories.contains(path) { durability.unsyncedDirectories.append(path) }
    }

    /// Marks the log closed without flushing: it is about to be deleted.
    func closeForDeletion() {
        phase = .closed
        releaseFiles()
    }

    private func releaseFiles() {
        for segment in segments {
            context.files.evict(segmentID: segment.id)
        }
    }
}
