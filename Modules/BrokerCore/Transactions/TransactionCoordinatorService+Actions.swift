// Carrying out the transaction coordinator's actions: answers, producer id allocations,
// appends to `__transaction_state` (in order per shard), marker delivery and timers.

import Logging
import NIOCore
import TernPrimitives
import TernProtocol
import TernTransactionCoordinator

extension TransactionCoordinatorService {
    /// The wait between two attempts to deliver a marker to a partition that did not take it.
    static let markerRetryBackoff: Duration = .milliseconds(100)

    func perform(_ actions: [TransactionAction], partition: Int32) {
        guard let epoch = shards[partition]?.epoch else { return }
        for action in actions {
            switch action {
            case let .respond(token, response):
                guard let request = parked.removeValue(forKey: token) else { continue }
                request.continuation.resume(returning: response)
            case let .allocateProducerId(token):
                Task { await self.allocateProducerId(token, partition: partition, epoch: epoch) }
            case let .append(append):
                enqueue(append, partition: partition, epoch: epoch)
            case let .writeMarkers(markers):
                Task { await self.deliver(markers, partition: partition, epoch: epoch) }
            case let .scheduleTimer(timer, deadline):
                schedule(ShardTimer(partition: partition, timer: timer), at: deadline, epoch: epoch)
            }
        }
    }

    /// Runs `event` against the shard if it is still the one of `epoch`.
    private func resume(partition: Int32, epoch: UInt64,
                        _ event: (inout TransactionMetadataManager, Instant, Int64) -> [TransactionAction]) {
        guard shards[partition]?.epoch == epoch, managers[partition] != nil else { return }
        let actions = event(&managers[partition]!, clock.now, clock.wallClockMilliseconds)
        perform(actions, partition: partition)
    }

    private func allocateProducerId(_ token: TransactionRequestToken, partition: Int32, epoch: UInt64) async {
        do {
            let producerId = try await producerIds.nextProducerId()
            resume(partition: partition, epoch: epoch) { $0.producerIdAllocated(producerId, token: token, now: $1, wallClockMilliseconds: $2) }
        } catch {
            logger.warning("cannot allocate a producer id for a transactional id", metadata: ["error": "\(error)"])
            resume(partition: partition, epoch: epoch) {
                $0.producerIdAllocationFailed(token: token, error: .coordinatorLoadInProgress, now: $1, wallClockMilliseconds: $2)
            }
        }
    }

    // MARK: - Appends

    private func enqueue(_ append: TransactionAppend, partition: Int32, epoch: UInt64) {
        shards[partition]?.appends.append(append)
        guard shards[partition]?.writer == nil else { return }
        shards[partition]?.writer = Task { await self.drainAppends(partition: partition, epoch: epoch) }
    }

    private func drainAppends(partition: Int32, epoch: UInt64) async {
        while let append = nextAppend(partition: partition, epoch: epoch) {
            let failure = await write(append, partition: partition)
            resume(partition: partition, epoch: epoch) { $0.appended(append, failure: failure, now: $1, wallClockMilliseconds: $2) }
        }
    }

    private func nextAppend(partition: Int32, epoch: UInt64) -> TransactionAppend? {
        guard shards[partition]?.epoch == epoch else { return nil }
        guard let append = shards[partition]?.appends.first else {
            shards[partition]?.writer = nil
            return nil
        }
        shards[partition]?.appends.removeFirst()
        return append
    }

    private func write(_ append: TransactionAppend, partition: Int32) async -> TransactionAppendFailure? {
        guard !append.records.isEmpty else { return nil }
        let batch: ByteBuffer
        do {
            batch = try TransactionRecordBatch.encode(append.records, timestamp: clock.wallClockMilliseconds)
        } catch {
            logger.error("cannot encode transaction records", metadata: ["error": "\(error)"])
            return .recordTooLarge
        }
        do {
            _ = try await store.append(batch, to: Self.topicPartition(partition))
            return nil
        } catch {
            logger.warning("cannot append to __transaction_state", metadata: ["partition": "\(partition)", "error": "\(error)"])
            switch error {
            case .notLeader: return .notLeader
            case .storage, .creationFailed: return .partitionUnavailable
            }
        }
    }

    // MARK: - Markers

    /// Writes the markers to every partition, retrying each until it is done, then reports
    /// them written.
    private func deliver(_ markers: TransactionMarkers, partition: Int32, epoch: UInt64) async {
        for target in markers.partitions {
            while shards[partition]?.epoch == epoch {
                do throws(PartitionError) {
                    try await self.markers.write(target, producerId: markers.producerId, producerEpoch: markers.producerEpoch,
                                                 coordinatorEpoch: markers.coordinatorEpoch, result: markers.result)
                    break
                } catch {
                    if case .unknownTopicOrPartition = error { break }
                    if case .producerState = error {
                        // The partition has moved past this producer epoch or coordinator.
                        logger.info("transaction marker refused as fenced", metadata: [
                            "partition": "\(target)", "transactionalId": "\(markers.transactionalId)", "error": "\(error)"])
                        break
                    }
                    logger.debug("transaction marker not written; retrying", metadata: ["partition": "\(target)", "error": "\(error)"])
                }
                do { try await sleep(Self.markerRetryBackoff) } catch { return }
            }
        }
        resume(partition: partition, epoch: epoch) { $0.markersWritten(markers, now: $1, wallClockMilliseconds: $2) }
    }

    // MARK: - Timers

    private func schedule(_ timer: ShardTimer, at deadline: Instant, epoch: UInt64) {
        timers[timer] = deadline
        let delay = deadline - clock.now
        let sleep = self.sleep
        Task {
            if delay > .zero {
                do { try await sleep(delay) } catch { return }
            }
            self.fire(timer, deadline: deadline, epoch: epoch)
        }
    }

    private func fire(_ timer: ShardTimer, deadline: Instant, epoch: UInt64) {
        guard timers[timer] == deadline else { return }
        timers[timer] = nil
        resume(partition: timer.partition, epoch: epoch) { $0.expire(timer.timer, now: $1, wallClockMilliseconds: $2) }
    }

    /// Fires every timer due on the clock (tests, after moving a manual clock).
    public func fireDueTimers() {
        let now = clock.now
        for (timer, deadline) in timers.sorted(by: { $0.value < $1.value }) where deadline <= now {
            guard let epoch = shards[timer.partition]?.epoch else { continue }
            fire(timer, deadline: deadline, epoch: epoch)
        }
    }
}
