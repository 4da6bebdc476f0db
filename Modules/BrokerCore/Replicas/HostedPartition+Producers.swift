import NIOCore
import TernLogStore
import TernPrimitives
import TernProtocol

// Idempotent producers on a hosted partition: the check-append-update path, the gate that
// keeps a producer's appends from interleaving between check and update, and the
// producer-state snapshot (loaded when the partition is hosted, written periodically and at
// close).
//
// Restoring follows Kafka: load the newest snapshot, then replay the headers of the batches
// from its offset to the log end. Without a usable snapshot (none written yet, or one that
// does not decode, which is reported) replay starts at the first record no older than
// `producer.id.expiration.ms`, found through the time index: a producer whose batches all
// lie before it would be expired at once anyway, and a large log is not read from its start
// when a broker first runs this code over it (Kafka bounds that case by replaying only its
// last two segments). Producers the snapshot or replay leave already expired are dropped.
// Replay also re-adds the aborts it meets to the log's aborted-transaction index; an index that
// lost entries below the snapshot (the snapshot names the last abort it must hold) is rebuilt
// by replaying the log from its start to the snapshot first.

/// What restoring a partition's producer state found, for the replica manager to log.
struct ProducerStateLoad: Sendable {
    /// The offset of the snapshot used, if one was.
    var snapshotOffset: Int64?
    /// Why a snapshot found was not used.
    var snapshotProblem: String?
    /// Batches replayed from the log after the snapshot.
    var batchesReplayed = 0
    /// Producers known afterwards.
    var producerCount = 0
}

extension HostedPartition {
    typealias GateClaim = ProducerAppendGate<CheckedContinuation<Void, Never>>.Claim

    /// How much of the log one read brings in while replaying it.
    static let replayReadBytes = 1 << 20

    /// The append of a request holding idempotent batches: check, append, update, with the
    /// request's producers held in the gate throughout.
    func appendIdempotent(_ batches: ByteBuffer, summaries: [ProducerBatch], producerIds: Set<Int64>,
                          logAppendTime: Int64?, requiredAcks: Int16,
                          validation: LogAppend.Validation = .full) async throws(PartitionError) -> LogAppendInfo {
        let claim = GateClaim.producers(producerIds)
        await enterProducerGate(claim)
        defer { leaveProducerGate(claim) }
        // Leadership or the ISR may have changed while this append waited.
        try checkCanAppend(requiredAcks: requiredAcks)
        switch producerStates.check(summaries) {
        case .append:
            let info = try await appendToLog(batches, logAppendTime: logAppendTime, validation: validation)
            producerStates.update(after: summaries, firstOffset: info.firstOffset, now: clock.wallClockMilliseconds)
            return info
        case .duplicate(let original):
            let logStartOffset = await log.offsets().logStartOffset
            return LogAppendInfo(
                firstOffset: original.firstOffset, lastOffset: original.lastOffset, maxTimestamp: original.maxTimestamp,
                logAppendTime: logAppendTime == nil ? -1 : original.maxTimestamp, logStartOffset: logStartOffset, recordCount: 0)
        case .rejected(let code, let message):
            throw .producerState(partition, code, message)
        }
    }

    /// Tries the gate inside the continuation's body, where it is queued in the same step:
    /// `await` may suspend before the body runs (a task preferring another executor is
    /// hopped back onto this actor behind other jobs), and a gate found closed before that
    /// could be open by then, with nobody left to admit the waiter.
    func enterProducerGate(_ claim: GateClaim) async {
        await withCheckedContinuation { continuation in
            if producerGate.tryEnter(claim) {
                continuation.resume()
            } else {
                producerGate.wait(claim, continuation)
            }
        }
    }

    func leaveProducerGate(_ claim: GateClaim) {
        for waiter in producerGate.leave(claim) {
            waiter.resume()
        }
    }

    /// The producer state as it stands (tests and tools).
    public var producerStateTable: ProducerStateTable { producerStates }

    // MARK: Snapshots

    /// Restores the producer state from the log's snapshot and the batches after it. Runs
    /// once, before the partition serves appends.
    func loadProducerState() async throws(PartitionError) -> ProducerStateLoad {
        var load = ProducerStateLoad()
        var table = ProducerStateTable()
        let snapshot: ProducerSnapshot?
        do {
            snapshot = try await log.producerSnapshot()
        } catch {
            throw .storage(partition, error)
        }
        if let snapshot {
            do {
                table = try ProducerStateTable(snapshot: snapshot.bytes, offset: snapshot.offset)
                load.snapshotOffset = snapshot.offset
            } catch {
                load.snapshotProblem = "\(error)"
            }
        }
        let now = clock.wallClockMilliseconds
        let expiration = producerIdExpiration.millisecondsClamped
        let offsets = await log.offsets()
        var from = offsets.logEndOffset
        if let snapshotOffset = load.snapshotOffset {
            from = snapshotOffset
        } else {
            do {
                from = try await log.offset(forTimestamp: now - expiration)?.offset ?? offsets.logEndOffset
            } catch {
                throw .storage(partition, error)
            }
        }
        from = max(from, offsets.logStartOffset)
        if let snapshotOffset = load.snapshotOffset {
            try await rebuildAbortedTransactionsIfLost(table, below: snapshotOffset, logStartOffset: offsets.logStartOffset, now: now)
        }
        load.batchesReplayed = try await replay(into: &table, from: from, to: offsets.logEndOffset, now: now)
        table.removeExpired(now: now, expiration: expiration)
        load.producerCount = table.producers.count
        producerStates = table
        producerSnapshotOffset = load.snapshotOffset
        producerStateLoaded = true
        return load
    }

    /// Re-adds the aborts below `snapshotOffset` to the log's aborted-transaction index when it
    /// has lost them (its file was deleted or cut short): the snapshot names the last abort the
    /// index must hold. The replay after the snapshot re-adds the later ones itself.
    private func rebuildAbortedTransactionsIfLost(_ table: ProducerStateTable, below snapshotOffset: Int64,
                                                  logStartOffset: Int64, now: Int64) async throws(PartitionError) {
        let lastAbort = table.lastAbortMarkerOffset
        guard lastAbort >= logStartOffset else { return }
        let held: [AbortedTransaction]
        do {
            held = try await log.abortedTransactions(from: lastAbort, upTo: .max)
        } catch {
            throw .storage(partition, error)
        }
        guard !held.contains(where: { $0.lastOffset == lastAbort }) else { return }
        var scratch = ProducerStateTable()
        _ = try await replay(into: &scratch, from: logStartOffset, to: snapshotOffset, now: now)
    }

    /// Replays the headers of the batches holding offsets in [from, end) into `table`;
    /// returns how many batches it saw.
    private func replay(into table: inout ProducerStateTable, from: Int64, to end: Int64, now: Int64) async throws(PartitionError) -> Int {
        var next = from
        var count = 0
        while next < end {
            let bytes: ByteBuffer
            do {
                let result = try await log.read(LogReadRequest(fetchOffset: next, maxBytes: Self.replayReadBytes, minOneBatch: true))
                bytes = try result.readAllBytes()
            } catch {
                throw .storage(partition, error)
            }
            let before = next
            var splitter = RecordBatchSplitter(records: bytes, trailingPartialBatch: .reject, verifyingChecksums: false)
            do {
                while let entry = try splitter.next() {
                    guard case .batch(let view) = entry, view.lastOffset >= next else { continue }
                    if view.isControl {
                        try await replayControl(view, into: &table, now: now)
                    } else {
                        table.replay(ProducerBatch(view.header), baseOffset: view.baseOffset, now: now)
                    }
                    next = view.lastOffset + 1
                    count += 1
                }
            } catch {
                throw .storage(partition, .corruptLog(partition, file: "log", position: next, reason: "replaying producer state: \(error)"))
            }
            // A read that brings nothing new means the rest of the log is gone (retention
            // racing the replay); what was replayed stands.
            if next == before { break }
        }
        return count
    }

    /// Writes a snapshot of the producer state at the log end, unless one was already
    /// written there and `force` is not set. Holds every producer in the gate meanwhile, so
    /// no idempotent append is between its check and its update.
    func snapshotProducerState(force: Bool = false) async throws(PartitionError) {
        // A partition whose state failed to load must not replace a good snapshot.
        guard producerStateLoaded else { return }
        await enterProducerGate(.all)
        defer { leaveProducerGate(.all) }
        let end = await log.offsets().logEndOffset
        guard force || end != producerSnapshotOffset else { return }
        let bytes = producerStates.snapshotBytes(upTo: end)
        do {
            try await log.writeProducerSnapshot(ProducerSnapshot(offset: end, bytes: bytes))
        } catch {
            throw .storage(partition, error)
        }
        producerSnapshotOffset = end
    }
}
