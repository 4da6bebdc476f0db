import Synchronization
public import TernPrimitives

/// One broker's session with an `EmbeddedCoordinationService`. Get one from
/// `service.client()`, or from `EmbeddedCoordination` and `MemoryCoordination` for a broker
/// that has the service to itself.
///
/// `close()` ends only this session: its registrations and controller claim go, its update
/// streams finish, and later calls fail with `.closed`. A client dropped without `close()`
/// keeps its session (like a ZooKeeper session that never expires) until the service goes.
public final class EmbeddedCoordinationClient: CoordinationClient {
    /// This client's session.
    public let session: CoordinationSessionID
    private let service: EmbeddedCoordinationService
    private let closed = Atomic<Bool>(false)

    init(service: EmbeddedCoordinationService, session: CoordinationSessionID) {
        self.service = service
        self.session = session
    }

    /// Whether `close()` was called. The service reads it in the same actor turn as each command.
    var isClosed: Bool { closed.load(ordering: .acquiring) }

    public func metadata() async -> ClusterMetadata {
        await service.metadata()
    }

    public func updates() async -> AsyncStream<ClusterMetadata> {
        await service.subscribe(self)
    }

    public func registerBroker(_ broker: BrokerRegistration) async throws(CoordinationError) {
        _ = try await service.perform(.registerBroker(broker), for: self)
    }

    public func claimController(brokerId: Int32) async throws(CoordinationError) -> Int32 {
        let reply = try await service.perform(.claimController(brokerId: brokerId), for: self)
        guard case .controller(let controller) = reply else { preconditionFailure("claimController answered \(reply)") }
        return controller
    }

    public func createTopic(_ topic: TopicMetadata) async throws(CoordinationError) {
        _ = try await service.perform(.createTopic(topic), for: self)
    }

    public func deleteTopic(named name: String) async throws(CoordinationError) {
        _ = try await service.perform(.deleteTopic(name: name), for: self)
    }

    public func addPartitions(_ partitions: [PartitionAssignment], toTopic name: String) async throws(CoordinationError) {
        _ = try await service.perform(.addPartitions(partitions, topic: name), for: self)
    }

    public func setTopicConfigs(_ configs: [String: String], forTopic name: String) async throws(CoordinationError) {
        _ = try await service.perform(.setTopicConfigs(configs, topic: name), for: self)
    }

    public func setBrokerConfigs(_ configs: [String: String], scope: String) async throws(CoordinationError) {
        _ = try await service.perform(.setBrokerConfigs(configs, scope: scope), for: self)
    }

    public func allocateProducerIds(count: Int) async throws(CoordinationError) -> ClosedRange<Int64> {
        let reply = try await service.perform(.allocateProducerIds(count: count), for: self)
        guard case .producerIds(let ids) = reply else { preconditionFailure("allocateProducerIds answered \(reply)") }
        return ids
    }

    public func updatePartition(
        _ partition: TopicPartition, to assignment: PartitionAssignment, expectedPartitionEpoch: Int32
    ) async throws(CoordinationError) -> Int32 {
        let command = ClusterCommand.updatePartition(partition, assignment, expectedPartitionEpoch: expectedPartitionEpoch)
        let reply = try await service.perform(command, for: self)
        guard case .partitionEpoch(let epoch) = reply else { preconditionFailure("updatePartition answered \(reply)") }
        return epoch
    }

    public func close() async {
        // The flag goes first: a command already queued on the service sees it and is refused.
        guard !closed.exchange(true, ordering: .acquiringAndReleasing) else { return }
        await service.endSession(session)
    }
}

/// The embedded backend for a single broker: the metadata in the broker's data directory,
/// served in-process (the `file://` scheme).
public enum EmbeddedCoordination {
    /// A service over `<dataDirectory>/coordination/`, for several brokers of one process.
    /// Throws when stored metadata exists but cannot be read or is corrupt.
    public static func service(
        dataDirectory: String, random: inout some RandomNumberGenerator
    ) throws(CoordinationStorageError) -> EmbeddedCoordinationService {
        let clusterId = ClusterState.newClusterId(using: &random)
        return try EmbeddedCoordinationService(store: ClusterMetadataFile(dataDirectory: dataDirectory), newClusterId: clusterId)
    }

    /// A broker's client of its own service over `<dataDirectory>/coordination/`. A new cluster's
    /// id is drawn from `random`.
    public static func open(
        dataDirectory: String, random: inout some RandomNumberGenerator
    ) throws(CoordinationStorageError) -> EmbeddedCoordinationClient {
        try service(dataDirectory: dataDirectory, random: &random).client()
    }
}

/// The in-memory backend (the `memory://` scheme and tests): the embedded service with a store
/// that never touches a disk.
public enum MemoryCoordination {
    /// A service starting as a new cluster whose id is drawn from `random`.
    public static func service(random: inout some RandomNumberGenerator) -> EmbeddedCoordinationService {
        let clusterId = ClusterState.newClusterId(using: &random)
        do throws(CoordinationStorageError) {
            return try EmbeddedCoordinationService(store: MemoryClusterMetadataStore(), newClusterId: clusterId)
        } catch {
            preconditionFailure("an empty memory store failed: \(error)")
        }
    }

    /// A broker's client of its own in-memory service.
    public static func client(random: inout some RandomNumberGenerator) -> EmbeddedCoordinationClient {
        service(random: &random).client()
    }
}
