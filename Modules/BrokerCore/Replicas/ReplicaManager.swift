public import Logging
public import TernCoordination
public import TernLogStore
public import TernPrimitives
import TernProtocol

/// The partitions this broker holds replicas of, kept in step with the cluster metadata.
///
/// Each metadata snapshot is applied whole: partitions newly assigned here are opened (their
/// logs created or recovered), changed ones take the new leader, epoch and settings, and those
/// of deleted topics are closed and their logs removed. Lookups go through a lock-free copy of
/// the table so request handlers do not queue behind a metadata change.
public actor ReplicaManager {
    private let nodeId: Int32
    private let logStore: any LogStore
    private let settingsResolver: @Sendable (ClusterMetadata, String) -> TopicSettings
    private let logger: Logger
    private let clock: any BrokerClock
    private let producerIdExpiration: Duration
    private var hosted: [TopicPartition: HostedPartition] = [:]
    private let table: PartitionTable
    private var appliedVersion: Int64 = -1
    private var strayLogsChecked = false
    private var applying: Task<Void, Never>?

    /// A manager for broker `nodeId` over `logStore`; `settingsResolver` gives a topic's
    /// effective settings from the metadata. `clock`'s wall clock times producer activity,
    /// and producers inactive for `producerIdExpiration` (`producer.id.expiration.ms`, a day
    /// by default) are forgotten at the next `maintain`.
    public init(
        nodeId: Int32, logStore: any LogStore, logger: Logger, clock: any BrokerClock = SystemClock(),
        producerIdExpiration: Duration = .seconds(86_400),
        settingsResolver: @escaping @Sendable (ClusterMetadata, String) -> TopicSettings
    ) {
        self.nodeId = nodeId
        self.logStore = logStore
        self.settingsResolver = settingsResolver
        self.logger = logger
        self.clock = clock
        self.producerIdExpiration = producerIdExpiration
        self.table = PartitionTable()
    }

    /// The hosted partition, if this broker holds a replica of it.
    public nonisolated func partition(_ partition: TopicPartition) -> HostedPartition? {
        table.get(partition)
    }

    /// Applies a metadata snapshot; older or repeated snapshots are ignored. Applications run
    /// one after another, and a call returns only once every snapshot passed before it (its
    /// own included) has been applied, so a caller that saw a topic created can rely on its
    /// partitions being hosted.
    public func apply(_ metadata: ClusterMetadata) async {
        let previous = applying
        let task = Task {
            await previous?.value
            await self.applyInOrder(metadata)
        }
        applying = task
        await task.value
    }

    private func applyInOrder(_ metadata: ClusterMetadata) async {
        guard metadata.version > appliedVersion else { return }
        appliedVersion = metadata.version
        var wanted: [TopicPartition: (TopicMetadata, PartitionAssignment)] = [:]
        for topic in metadata.topics.values {
            for (index, assignment) in topic.partitions.enumerated() where assignment.replicas.contains(nodeId) {
                wanted[TopicPartition(topic: topic.name, partition: Int32(index))] = (topic, assignment)
            }
        }
        for (partition, replica) in hosted where wanted[partition] == nil {
            await remove(partition, replica: replica)
        }
        var opening: [TopicPartition: Hosting] = [:]
        for (partition, (topic, assignment)) in wanted {
            let settings = settingsResolver(metadata, topic.name)
            if let replica = hosted[partition] {
                if replica.topicId == topic.id {
                    await replica.update(assignment: assignment, settings: settings)
                    continue
                }
                // Deleted and recreated under the same name while we missed the gap.
                await remove(partition, replica: replica)
            }
            opening[partition] = Hosting(topic: topic, assignment: assignment, settings: settings)
        }
        await host(opening)
        if !strayLogsChecked {
            strayLogsChecked = true
            await removeStrayLogs(keeping: Set(wanted.keys))
        }
        table.replace(with: hosted)
    }

    /// What hosting a partition needs besides its log.
    private struct Hosting {
        var topic: TopicMetadata
        var assignment: PartitionAssignment
        var settings: TopicSettings
    }

    /// Opens the logs of the partitions newly assigned here all in one call to the store,
    /// which opens several at once (a broker restarting after a crash recovers each log it
    /// holds, and thousands of those one at a time take long), then hosts each one.
    private func host(_ opening: [TopicPartition: Hosting]) async {
        guard !opening.isEmpty else { return }
        let logs = await logStore.openLogs(opening.mapValues(\.settings.log))
        for (partition, hosting) in opening {
            switch logs[partition] {
            case .success(let log):
                await host(partition, log: log, topic: hosting.topic, assignment: hosting.assignment, settings: hosting.settings)
            case .failure(let error):
                logger.error("cannot open partition log", metadata: ["partition": "\(partition)", "error": "\(error)"])
            case nil:
                logger.error("cannot open partition log", metadata: ["partition": "\(partition)", "error": "the store did not open it"])
            }
        }
    }

    private func host(_ partition: TopicPartition, log: any PartitionLog, topic: TopicMetadata, assignment: PartitionAssignment,
                      settings: TopicSettings) async {
        let replica = await HostedPartition(
            partition: partition, topicId: topic.id, log: log, settings: settings, assignment: assignment, nodeId: nodeId,
            clock: clock, producerIdExpiration: producerIdExpiration)
        do {
            let load = try await replica.loadProducerState()
            if let problem = load.snapshotProblem {
                logger.warning("ignoring the producer snapshot, rebuilding from the log", metadata: ["partition": "\(partition)", "problem": "\(problem)"])
            }
            logger.debug("loaded producer state", metadata: [
                "partition": "\(partition)", "snapshot": "\(load.snapshotOffset.map(String.init) ?? "none")",
                "replayed": "\(load.batchesReplayed)", "producers": "\(load.producerCount)"])
        } catch {
            logger.error("cannot load producer state", metadata: ["partition": "\(partition)", "error": "\(error)"])
            do {
                try await log.close()
            } catch {
                logger.error("cannot close partition log", metadata: ["partition": "\(partition)", "error": "\(error)"])
            }
            return
        }
        hosted[partition] = replica
    }

    private func remove(_ partition: TopicPartition, replica: HostedPartition) async {
        hosted[partition] = nil
        table.replace(with: hosted)
        do {
            try await replica.close()
            try await logStore.deleteLog(partition)
            logger.info("deleted partition", metadata: ["partition": "\(partition)"])
        } catch {
            logger.error("cannot delete partition log", metadata: ["partition": "\(partition)", "error": "\(error)"])
        }
    }

    /// Logs left on disk for partitions the metadata no longer assigns here (a topic deleted
    /// while this broker was down) are removed once, at the first snapshot, as Kafka does.
    private func removeStrayLogs(keeping wanted: Set<TopicPartition>) async {
        do {
            for partition in try await logStore.existingPartitions() where !wanted.contains(partition) {
                logger.warning("removing the log of a partition not assigned here", metadata: ["partition": "\(partition)"])
                try await logStore.deleteLog(partition)
            }
        } catch {
            logger.error("cannot list or remove stray logs", metadata: ["error": "\(error)"])
        }
    }

    /// Runs retention and compaction over every hosted partition once.
    public func maintain(wallClockMilliseconds: Int64) async {
        for (partition, replica) in hosted {
            do {
                try await replica.maintain(now: wallClockMilliseconds)
            } catch {
                logger.error("log maintenance failed", metadata: ["partition": "\(partition)", "error": "\(error)"])
            }
        }
    }

    /// Closes every hosted partition and the store (clean shutdown).
    public func shutdown() async {
        for (partition, replica) in hosted {
            do {
                try await replica.close()
            } catch {
                logger.error("cannot close partition log", metadata: ["partition": "\(partition)", "error": "\(error)"])
            }
        }
        hosted.removeAll()
        table.replace(with: [:])
        do {
            try await logStore.close()
        } catch {
            logger.error("cannot close the log store", metadata: ["error": "\(error)"])
        }
    }
}
