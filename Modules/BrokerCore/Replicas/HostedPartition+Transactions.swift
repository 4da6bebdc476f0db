import NIOCore
public import TernLogStore
public import TernTransactionCoordinator
import TernPrimitives
import TernProtocol

// Transactions on a hosted partition: transaction markers appended as leader (WriteTxnMarkers,
// or the transaction coordinator on this broker directly), the last stable offset, and the
// aborted transactions a read_committed Fetch returns.
//
// A marker is checked and recorded under the producer's gate claim, like an idempotent
// append, so no producer-state snapshot falls between the marker's append and its entry in
// the aborted-transaction index; replay after a restart re-adds the aborts it meets, which
// also repairs an index that lost its tail (the store ignores entries it already holds).

extension HostedPartition {
    /// The offset below which read_committed consumers may read: the high watermark, or the
    /// first record of the earliest open transaction when that is lower.
    public var lastStableOffset: Int64 {
        min(highWatermark, producerStates.firstUnstableOffset ?? .max)
    }

    /// Appends a transaction marker for `producerId` as leader and records its outcome;
    /// returns the marker's offset.
    public func writeTransactionMarker(producerId: Int64, producerEpoch: Int16, coordinatorEpoch: Int32,
                                       result: TransactionResult) async throws(PartitionError) -> Int64 {
        let claim = GateClaim.producers([producerId])
        await enterProducerGate(claim)
        defer { leaveProducerGate(claim) }
        try checkCanAppend(requiredAcks: -1)
        if let (code, message) = producerStates.markerProblem(producerId: producerId, epoch: producerEpoch,
                                                              coordinatorEpoch: coordinatorEpoch) {
            throw .producerState(partition, code, message)
        }
        let now = clock.wallClockMilliseconds
        let marker = EndTransactionMarker(result: result == .commit ? .commit : .abort, coordinatorEpoch: coordinatorEpoch)
        var bytes = ByteBuffer()
        do {
            try marker.batch(producerId: producerId, producerEpoch: producerEpoch, timestamp: now).encode(into: &bytes)
        } catch {
            preconditionFailure("a one-record marker batch always encodes: \(error)")
        }
        let info = try await appendToLog(bytes, logAppendTime: nil)
        let completed = producerStates.completeTransaction(
            producerId: producerId, epoch: producerEpoch, coordinatorEpoch: coordinatorEpoch, isAbort: result == .abort,
            offset: info.firstOffset, timestamp: now)
        if let completed, completed.isAbort { try await recordAbort(completed) }
        return info.firstOffset
    }

    /// The aborted transactions meeting [fetchOffset, upperBound), for a read_committed Fetch.
    public func abortedTransactions(from fetchOffset: Int64, upTo upperBound: Int64) async throws(PartitionError) -> [AbortedTransaction] {
        do {
            return try await log.abortedTransactions(from: fetchOffset, upTo: upperBound)
        } catch {
            throw .storage(partition, error)
        }
    }

    /// Adds an aborted transaction to the log's index, with the last stable offset it leaves.
    func recordAbort(_ completed: ProducerStateTable.CompletedTransaction) async throws(PartitionError) {
        let stable = producerStates.firstUnstableOffset ?? (completed.lastOffset + 1)
        let entry = AbortedTransaction(producerId: completed.producerId, firstOffset: completed.firstOffset,
                                       lastOffset: completed.lastOffset, lastStableOffset: stable)
        do {
            try await log.appendAbortedTransaction(entry)
        } catch {
            throw .storage(partition, error)
        }
    }

    /// Replays a control batch met while restoring producer state: a transaction marker
    /// closes the producer's transaction; an abort is (re-)added to the index. Other control
    /// records (none are written by this broker) are skipped.
    func replayControl(_ view: RecordBatchView, into table: inout ProducerStateTable, now: Int64) async throws(PartitionError) {
        guard view.producerId >= 0, let record = try? view.records().first,
              let marker = try? EndTransactionMarker(record: record) else { return }
        let completed = table.completeTransaction(
            producerId: view.producerId, epoch: view.producerEpoch, coordinatorEpoch: marker.coordinatorEpoch,
            isAbort: marker.result == .abort, offset: view.baseOffset, timestamp: min(view.maxTimestamp, now))
        guard let completed, completed.isAbort else { return }
        let stable = table.firstUnstableOffset ?? (completed.lastOffset + 1)
        do {
            try await log.appendAbortedTransaction(AbortedTransaction(
                producerId: completed.producerId, firstOffset: completed.firstOffset, lastOffset: completed.lastOffset,
                lastStableOffset: stable))
        } catch {
            throw .storage(partition, error)
        }
    }
}
