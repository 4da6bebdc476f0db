// Goal: the producer-state table decides as Kafka's ProducerStateManager does: duplicates of
// any of the last five batches, sequence gaps, fenced and new epochs, Int32 wraparound,
// unknown producers, several batches in one request, expiry, and a snapshot that round-trips
// and refuses damage. Method: drive the pure struct with batch summaries and fixed clocks.

import Testing
import TernBrokerCore
import TernProtocol

@Suite struct ProducerStateTableTests {
    private let now: Int64 = 1_700_000_000_000

    private func batch(_ producerId: Int64 = 7, epoch: Int16 = 0, sequence: Int32, count: Int32 = 1,
                       transactional: Bool = false) -> ProducerBatch {
        ProducerBatch(producerId: producerId, producerEpoch: epoch, baseSequence: sequence, lastOffsetDelta: count - 1,
                      maxTimestamp: now, isTransactional: transactional)
    }

    /// A table after appending `batches` one request each, from offset 0 on.
    private func table(after batches: [ProducerBatch]) -> ProducerStateTable {
        var table = ProducerStateTable()
        var offset: Int64 = 0
        for batch in batches {
            #expect(table.check([batch]) == .append)
            table.update(after: [batch], firstOffset: offset, now: now)
            offset += Int64(batch.lastOffsetDelta) + 1
        }
        return table
    }

    private func isRejected(_ verdict: ProducerStateTable.Verdict, with code: KafkaErrorCode) -> Bool {
        if case .rejected(code, _) = verdict { return true }
        return false
    }

    @Test func check_retryOfEachOfLastFive_isDuplicateWithOriginalOffsets() {
        let batches = (0..<6).map { batch(sequence: Int32($0) * 2, count: 2) }
        let table = table(after: batches)
        // The first batch (sequence 0–1) has been pushed out of the five kept.
        #expect(isRejected(table.check([batches[0]]), with: .outOfOrderSequenceNumber))
        for index in 1..<6 {
            guard case .duplicate(let original) = table.check([batches[index]]) else {
                Issue.record("batch \(index) is not a duplicate")
                continue
            }
            #expect(original.firstOffset == Int64(index) * 2 && original.lastOffset == Int64(index) * 2 + 1)
            #expect(original.firstSequence == Int32(index) * 2)
        }
    }

    @Test func check_sameFirstSequenceDifferentLength_isNotDuplicate() {
        let table = table(after: [batch(sequence: 0, count: 3)])
        #expect(isRejected(table.check([batch(sequence: 0, count: 2)]), with: .outOfOrderSequenceNumber))
    }

    @Test func check_nextSequence_isAppended_gapAndRepeatOutsideCache_areOutOfOrder() {
        let table = table(after: [batch(sequence: 0, count: 3)])
        #expect(table.check([batch(sequence: 3)]) == .append)
        #expect(isRejected(table.check([batch(sequence: 5)]), with: .outOfOrderSequenceNumber))
        #expect(isRejected(table.check([batch(sequence: 1)]), with: .outOfOrderSequenceNumber))
    }

    @Test func check_olderEpoch_isInvalidProducerEpoch() {
        let table = table(after: [batch(epoch: 3, sequence: 0)])
        #expect(isRejected(table.check([batch(epoch: 2, sequence: 1)]), with: .invalidProducerEpoch))
        // Even a batch that would have been a duplicate in the older epoch.
        #expect(isRejected(table.check([batch(epoch: 2, sequence: 0)]), with: .invalidProducerEpoch))
    }

    @Test func check_newerEpoch_mustStartAtZero_andForgetsOldBatches() {
        var table = table(after: [batch(epoch: 0, sequence: 0), batch(epoch: 0, sequence: 1)])
        #expect(isRejected(table.check([batch(epoch: 1, sequence: 2)]), with: .outOfOrderSequenceNumber))
        #expect(table.check([batch(epoch: 1, sequence: 0)]) == .append)
        table.update(after: [batch(epoch: 1, sequence: 0)], firstOffset: 2, now: now)
        #expect(table.producers[7]?.epoch == 1 && table.producers[7]?.batches.count == 1)
        #expect(isRejected(table.check([batch(epoch: 0, sequence: 1)]), with: .invalidProducerEpoch))
    }

    @Test func check_sequenceWrapsFromInt32Max_toZero() {
        let last = batch(sequence: Int32.max - 1, count: 2)
        #expect(last.lastSequence == Int32.max)
        let wrapping = batch(sequence: Int32.max, count: 3)
        #expect(wrapping.lastSequence == 1)
        let table = table(after: [batch(sequence: Int32.max - 3, count: 2)])
        #expect(table.check([last]) == .append)
        let after = self.table(after: [last])
        #expect(after.check([batch(sequence: 0)]) == .append)
        #expect(isRejected(after.check([batch(sequence: 1)]), with: .outOfOrderSequenceNumber))
        let wrapped = self.table(after: [batch(sequence: Int32.max - 1, count: 1), wrapping])
        #expect(wrapped.check([batch(sequence: 2)]) == .append)
        if case .duplicate(let original) = wrapped.check([wrapping]) {
            #expect(original.firstSequence == Int32.max && original.lastSequence == 1)
        } else {
            Issue.record("the wrapping batch is not found as a duplicate")
        }
    }

    @Test func check_unknownProducer_acceptsAnySequenceAndEpoch() {
        let table = table(after: [batch(99, sequence: 0)])
        #expect(table.check([batch(7, epoch: 4, sequence: 1234)]) == .append)
        #expect(table.check([batch(7, epoch: 0, sequence: 0)]) == .append)
    }

    @Test func check_severalBatchesInOneRequest_areCheckedAgainstTheEvolvingState() {
        let table = table(after: [batch(sequence: 0)])
        #expect(table.check([batch(sequence: 1), batch(sequence: 2, count: 3), batch(sequence: 5)]) == .append)
        #expect(isRejected(table.check([batch(sequence: 1), batch(sequence: 3)]), with: .outOfOrderSequenceNumber))
        // A batch repeating an earlier one of the same request is not a duplicate of the log.
        #expect(isRejected(table.check([batch(sequence: 1), batch(sequence: 1)]), with: .outOfOrderSequenceNumber))
        // Batches of producers without idempotence pass unchecked.
        #expect(table.check([batch(-1, epoch: -1, sequence: -1), batch(sequence: 1)]) == .append)
    }

    @Test func update_severalBatches_assignsEachItsOffsets() {
        var table = ProducerStateTable()
        let batches = [batch(sequence: 0, count: 2), batch(-1, epoch: -1, sequence: -1, count: 4), batch(sequence: 2, count: 3)]
        table.update(after: batches, firstOffset: 10, now: now)
        let cached = table.producers[7]?.batches.map { [$0.firstOffset, $0.lastOffset] }
        #expect(cached == [[10, 11], [16, 18]])
    }

    @Test func update_transactionalBatches_openTransactionUntilMarker() {
        var table = table(after: [batch(sequence: 0, count: 2, transactional: true), batch(sequence: 2, transactional: true)])
        #expect(table.producers[7]?.currentTransactionFirstOffset == 0)
        #expect(table.firstUnstableOffset == 0)
        #expect(isRejected(table.check([batch(sequence: 3)]), with: .invalidTxnState))
        #expect(table.markerProblem(producerId: 7, epoch: 0, coordinatorEpoch: 3) == nil)
        let completed = table.completeTransaction(producerId: 7, epoch: 0, coordinatorEpoch: 3, isAbort: true, offset: 3, timestamp: now)
        #expect(completed?.firstOffset == 0 && completed?.lastOffset == 3 && completed?.isAbort == true)
        #expect(table.firstUnstableOffset == nil)
        #expect(table.check([batch(sequence: 3)]) == .append)
        #expect(table.markerProblem(producerId: 7, epoch: 0, coordinatorEpoch: 2)?.0 == .transactionCoordinatorFenced)
        // A marker with a newer epoch (the coordinator bumped it) starts the epoch afresh.
        table.completeTransaction(producerId: 7, epoch: 1, coordinatorEpoch: 3, isAbort: false, offset: 4, timestamp: now)
        #expect(table.producers[7]?.epoch == 1 && table.producers[7]?.batches.isEmpty == true)
        #expect(table.markerProblem(producerId: 7, epoch: 0, coordinatorEpoch: 3)?.0 == .invalidProducerEpoch)
    }

    @Test func removeExpired_producerWithOpenTransaction_isKept() throws {
        var table = ProducerStateTable()
        table.update(after: [batch(1, sequence: 0, transactional: true)], firstOffset: 5, now: now)
        #expect(table.removeExpired(now: now + 10_000, expiration: 1_000) == 0)
        let restored = try ProducerStateTable(snapshot: table.snapshotBytes(upTo: 6), offset: 6)
        #expect(restored.producers[1]?.currentTransactionFirstOffset == 5)
        #expect(restored == table)
    }

    @Test func removeExpired_inactiveForExpiration_forgetsProducer() {
        var table = ProducerStateTable()
        table.update(after: [batch(1, sequence: 0)], firstOffset: 0, now: now)
        table.update(after: [batch(2, sequence: 0)], firstOffset: 1, now: now + 500)
        #expect(table.removeExpired(now: now + 999, expiration: 1000) == 0)
        #expect(table.removeExpired(now: now + 1000, expiration: 1000) == 1)
        #expect(table.producers.keys.sorted() == [2])
        // Forgotten, producer 1 is unknown again: any sequence is accepted.
        #expect(table.check([batch(1, sequence: 50)]) == .append)
    }

    @Test func replay_usesBatchTimestampCappedAtNow() {
        var table = ProducerStateTable()
        var old = batch(sequence: 0)
        old.maxTimestamp = now - 5000
        var future = batch(8, sequence: 0)
        future.maxTimestamp = now + 5000
        table.replay(old, baseOffset: 3, now: now)
        table.replay(future, baseOffset: 4, now: now)
        #expect(table.producers[7]?.lastTimestamp == now - 5000)
        #expect(table.producers[8]?.lastTimestamp == now)
        #expect(table.producers[7]?.batches.first?.firstOffset == 3)
    }

    @Test func update_pastProducersMax_forgetsLongestInactive() {
        var table = ProducerStateTable(producersMax: 10)
        for producerId in 0..<11 {
            table.update(after: [batch(Int64(producerId), sequence: 0)], firstOffset: Int64(producerId), now: now + Int64(producerId))
        }
        #expect(table.producers.count == 10)
        #expect(table.producers[0] == nil && table.producers[10] != nil)
    }

    // MARK: Snapshots

    @Test func snapshot_roundTrips() throws {
        var table = table(after: (0..<7).map { batch(sequence: Int32($0), count: 1) })
        table.update(after: [batch(3, epoch: 2, sequence: 40, count: 5)], firstOffset: 7, now: now + 1)
        let bytes = table.snapshotBytes(upTo: 12)
        let decoded = try ProducerStateTable(snapshot: bytes, offset: 12)
        #expect(decoded.producers == table.producers)
        #expect(try ProducerStateTable(snapshot: ProducerStateTable().snapshotBytes(upTo: 0), offset: 0).producers.isEmpty)
    }

    @Test func snapshot_damagedOrMismatched_isRefused() {
        let table = table(after: [batch(sequence: 0, count: 2), batch(9, sequence: 0)])
        let bytes = table.snapshotBytes(upTo: 3)
        var flipped = bytes
        flipped[bytes.count - 3] ^= 0x40
        #expect(throws: ProducerSnapshotError.checksumMismatch) { try ProducerStateTable(snapshot: flipped, offset: 3) }
        #expect(throws: ProducerSnapshotError.self) { try ProducerStateTable(snapshot: Array(bytes.dropLast(4)), offset: 3) }
        #expect(throws: ProducerSnapshotError.truncated) { try ProducerStateTable(snapshot: Array(bytes.prefix(5)), offset: 3) }
        var version = bytes
        version[5] = 9
        #expect(throws: ProducerSnapshotError.unknownFormat) { try ProducerStateTable(snapshot: version, offset: 3) }
        #expect(throws: ProducerSnapshotError.self) { try ProducerStateTable(snapshot: bytes, offset: 4) }
    }
}
