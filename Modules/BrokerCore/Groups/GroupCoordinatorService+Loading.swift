// Loading a shard: read its `__consumer_offsets` partition from offset 0 to the high watermark,
// replay every record into a new state machine off the actor, then install and start it.

import Logging
import TernCompression
import TernGroupCoordinator
import NIOCore
import TernPrimitives
import TernProtocol

extension GroupCoordinatorService {
    /// The longest wait between two attempts to load a partition whose log failed.
    static let loadRetryBackoffMax: Duration = .seconds(5)

    func beginLoading(_ partition: Int32) {
        switch lifecycle {
        case .running: break
        case .created, .starting, .stopped: return
        }
        guard (0..<settings.offsetsTopicPartitionCount).contains(partition), shards[partition] == nil else { return }
        lastEpoch += 1
        let epoch = lastEpoch
        // Each shard draws its own generator, so member ids differ between shards and loads.
        let seed = random.next()
        shards[partition] = Shard(epoch: epoch)
        shards[partition]?.loader = Task { await self.load(partition, epoch: epoch, seed: seed) }
        logger.debug("loading __consumer_offsets partition", metadata: ["partition": "\(partition)"])
    }

    /// Loads the shard, retrying storage failures with backoff until it succeeds, the shard is
    /// dropped, or the partition turns out not to be ours.
    private func load(_ partition: Int32, epoch: UInt64, seed: UInt64) async {
        var backoff: Duration = .milliseconds(100)
        while shards[partition]?.epoch == epoch, !Task.isCancelled {
            let started = clock.now
            do {
                let manager = try await Self.replay(
                    partition: partition, store: store, settings: settings, codecs: codecs, clock: clock, logger: logger,
                    random: SeededRandom(seed: seed))
                guard shards[partition]?.epoch == epoch else { return }
                install(manager, partition: partition, took: clock.now - started)
                return
            } catch {
                guard shards[partition]?.epoch == epoch else { return }
                switch error {
                case .notLeader:
                    logger.info("not the leader of __consumer_offsets partition; not loading", metadata: ["partition": "\(partition)"])
                    unload(partition, answering: .notCoordinator)
                    return
                case .storage, .creationFailed:
                    logger.warning("cannot load __consumer_offsets partition; retrying", metadata: [
                        "partition": "\(partition)", "error": "\(error)", "retryIn": "\(backoff)"])
                }
            }
            do { try await sleep(backoff) } catch { return }
            backoff = min(backoff * 2, Self.loadRetryBackoffMax)
        }
    }

    private func install(_ manager: GroupMetadataManager, partition: Int32, took: Duration) {
        managers[partition] = manager
        shards[partition]?.loader = nil
        let actions = managers[partition]!.start(now: clock.now, wallClockMilliseconds: clock.wallClockMilliseconds)
        perform(actions, partition: partition)
        logger.debug("loaded __consumer_offsets partition", metadata: [
            "partition": "\(partition)", "groups": "\(manager.groups.count)", "took": "\(took)"])
    }

    /// Reads `partition` through its high watermark and replays it into a new state machine.
    /// Runs off the actor: it touches only its arguments.
    private static func replay(
        partition: Int32, store: any InternalTopicStore, settings: GroupCoordinatorSettings, codecs: CompressionCodecs,
        clock: any BrokerClock, logger: Logger, random: SeededRandom
    ) async throws(InternalTopicError) -> GroupMetadataManager {
        var manager = GroupMetadataManager(configuration: settings.coordinator, random: random)
        let topicPartition = topicPartition(partition)
        var offset: Int64 = 0
        while true {
            let read = try await store.read(topicPartition, from: offset, maxBytes: settings.offsetsLoadBufferBytes)
            guard read.batches.readableBytes > 0 else { break }
            let decoded: GroupRecordBatch.Decoded
            do {
                decoded = try GroupRecordBatch.decode(read.batches, from: offset, codecs: codecs, logger: logger)
            } catch {
                throw .storage("unreadable batch in \(topicPartition) at or after offset \(offset): \(error)")
            }
            let now = clock.now
            let wallClock = clock.wallClockMilliseconds
            for entry in decoded.records {
                switch entry {
                case .record(let record):
                    manager.replay(record, now: now, wallClockMilliseconds: wallClock)
                case let .transactional(record, producerId):
                    manager.replayTransactional(record, producerId: producerId)
                case let .marker(producerId, committed):
                    manager.completeTransaction(producerId: producerId, committed: committed, now: now, wallClockMilliseconds: wallClock)
                }
            }
            // A store that returns nothing new would otherwise keep us here.
            guard decoded.nextOffset > offset else { break }
            offset = decoded.nextOffset
            if offset >= read.highWatermark { break }
        }
        return manager
    }
}
