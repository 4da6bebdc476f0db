// Loading a shard: read its `__transaction_state` partition to the high watermark, replay the
// records into a new state machine, then install and start it (which resumes the markers of
// transactions decided but not completed).

import Logging
import NIOCore
import TernPrimitives
import TernTransactionCoordinator
import TernCompression

extension TransactionCoordinatorService {
    static let loadReadBytes = 5 << 20
    static let loadRetryBackoffMax: Duration = .seconds(5)

    func beginLoading(_ partition: Int32) {
        guard case .running = lifecycle, (0..<partitionCount).contains(partition), shards[partition] == nil else { return }
        lastEpoch += 1
        let epoch = lastEpoch
        shards[partition] = Shard(epoch: epoch)
        shards[partition]?.loader = Task { await self.load(partition, epoch: epoch) }
    }

    private func load(_ partition: Int32, epoch: UInt64) async {
        var backoff: Duration = .milliseconds(100)
        while shards[partition]?.epoch == epoch, !Task.isCancelled {
            do {
                let coordinatorEpoch = await self.coordinatorEpoch(Self.topicPartition(partition))
                let manager = try await Self.replay(partition: partition, coordinatorEpoch: coordinatorEpoch, store: store,
                                                    configuration: configuration, codecs: codecs, logger: logger)
                guard shards[partition]?.epoch == epoch else { return }
                managers[partition] = manager
                shards[partition]?.loader = nil
                let actions = managers[partition]!.start(now: clock.now, wallClockMilliseconds: clock.wallClockMilliseconds)
                perform(actions, partition: partition)
                logger.debug("loaded __transaction_state partition", metadata: [
                    "partition": "\(partition)", "transactionalIds": "\(manager.transactions.count)"])
                return
            } catch InternalTopicError.notLeader {
                guard shards[partition]?.epoch == epoch else { return }
                unload(partition, answering: .notCoordinator)
                return
            } catch {
                guard shards[partition]?.epoch == epoch else { return }
                logger.warning("cannot load __transaction_state partition; retrying", metadata: [
                    "partition": "\(partition)", "error": "\(error)"])
            }
            do { try await sleep(backoff) } catch { return }
            backoff = min(backoff * 2, Self.loadRetryBackoffMax)
        }
    }

    private static func replay(
        partition: Int32, coordinatorEpoch: Int32, store: any InternalTopicStore,
        configuration: TransactionCoordinatorConfiguration, codecs: TernCompression.CompressionCodecs, logger: Logger
    ) async throws -> TransactionMetadataManager {
        var manager = TransactionMetadataManager(configuration: configuration, coordinatorEpoch: coordinatorEpoch)
        let topicPartition = topicPartition(partition)
        var offset: Int64 = 0
        while true {
            let read = try await store.read(topicPartition, from: offset, maxBytes: loadReadBytes)
            guard read.batches.readableBytes > 0 else { break }
            let decoded = try TransactionRecordBatch.decode(read.batches, from: offset, codecs: codecs, logger: logger)
            for record in decoded.records { manager.replay(record) }
            guard decoded.nextOffset > offset else { break }
            offset = decoded.nextOffset
            if offset >= read.highWatermark { break }
        }
        return manager
    }
}
