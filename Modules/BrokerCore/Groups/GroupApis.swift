// The consumer group APIs as a broker component: FindCoordinator, the membership APIs
// (JoinGroup, SyncGroup, Heartbeat, LeaveGroup), the offset APIs (OffsetCommit, OffsetFetch,
// OffsetDelete) and the admin APIs (DescribeGroups, ListGroups, DeleteGroups). Each handler lives
// in `Handlers/` and opens with the versions it serves and how it behaves; all serve the codec's
// full version range.

public import TernCoordination
import TernGroupCoordinator
import TernPrimitives
import TernProtocol

/// Serves the consumer group APIs through a `GroupCoordinatorService`.
public struct GroupApis: ApiComponent {
    private let findCoordinator: FindCoordinatorHandler
    private let joinGroup: JoinGroupHandler
    private let syncGroup: SyncGroupHandler
    private let heartbeat: HeartbeatHandler
    private let leaveGroup: LeaveGroupHandler
    private let offsetCommit: OffsetCommitHandler
    private let offsetFetch: OffsetFetchHandler
    private let txnOffsetCommit: TxnOffsetCommitHandler
    private let offsetDelete: OffsetDeleteHandler
    private let describeGroups: DescribeGroupsHandler
    private let listGroups: ListGroupsHandler
    private let deleteGroups: DeleteGroupsHandler

    /// The group APIs of one broker.
    ///
    /// - Parameters:
    ///   - service: the started group coordinator.
    ///   - broker: this broker's id and advertised address, which FindCoordinator hands out.
    ///   - coordination: the cluster metadata: the leaders of other brokers' coordinator
    ///     partitions, and which topics and partitions exist (offset commits to unknown ones
    ///     are refused).
    ///   - transactionStatePartitionCount: `transaction.state.log.num.partitions` once the
    ///     broker runs a transaction coordinator; while nil, FindCoordinator answers
    ///     COORDINATOR_NOT_AVAILABLE for transactional ids.
    public init(
        service: GroupCoordinatorService, broker: BrokerConfiguration, coordination: any CoordinationClient,
        transactionStatePartitionCount: Int32? = nil
    ) {
        let catalog = PartitionCatalog(coordination: coordination)
        findCoordinator = FindCoordinatorHandler(locator: CoordinatorLocator(
            broker: broker, groups: service, coordination: coordination, transactionStatePartitionCount: transactionStatePartitionCount))
        joinGroup = JoinGroupHandler(service: service)
        syncGroup = SyncGroupHandler(service: service)
        heartbeat = HeartbeatHandler(service: service)
        leaveGroup = LeaveGroupHandler(service: service)
        offsetCommit = OffsetCommitHandler(service: service, catalog: catalog)
        offsetFetch = OffsetFetchHandler(service: service)
        txnOffsetCommit = TxnOffsetCommitHandler(service: service, catalog: catalog)
        offsetDelete = OffsetDeleteHandler(service: service, catalog: catalog)
        describeGroups = DescribeGroupsHandler(service: service)
        listGroups = ListGroupsHandler(service: service)
        deleteGroups = DeleteGroupsHandler(service: service)
    }

    public var routes: [ApiRoute] {
        // The router decodes each body by the route's own key, so a mismatch is our bug.
        [
            ApiRoute(.findCoordinator, versions: FindCoordinatorHandler.versions) { [findCoordinator] body, context in
                guard case let .findCoordinator(request) = body else { Self.mismatch(body, .findCoordinator) }
                return .body(.findCoordinator(await findCoordinator.handle(request, context: context)))
            },
            ApiRoute(.joinGroup, versions: JoinGroupHandler.versions) { [joinGroup] body, context in
                guard case let .joinGroup(request) = body else { Self.mismatch(body, .joinGroup) }
                return .body(.joinGroup(await joinGroup.handle(request, context: context)))
            },
            ApiRoute(.syncGroup, versions: SyncGroupHandler.versions) { [syncGroup] body, context in
                guard case let .syncGroup(request) = body else { Self.mismatch(body, .syncGroup) }
                return .body(.syncGroup(await syncGroup.handle(request, context: context)))
            },
            ApiRoute(.heartbeat, versions: HeartbeatHandler.versions) { [heartbeat] body, context in
                guard case let .heartbeat(request) = body else { Self.mismatch(body, .heartbeat) }
                return .body(.heartbeat(await heartbeat.handle(request, context: context)))
            },
            ApiRoute(.leaveGroup, versions: LeaveGroupHandler.versions) { [leaveGroup] body, context in
                guard case let .leaveGroup(request) = body else { Self.mismatch(body, .leaveGroup) }
                return .body(.leaveGroup(await leaveGroup.handle(request, context: context)))
            },
            ApiRoute(.offsetCommit, versions: OffsetCommitHandler.versions) { [offsetCommit] body, context in
                guard case let .offsetCommit(request) = body else { Self.mismatch(body, .offsetCommit) }
                return .body(.offsetCommit(await offsetCommit.handle(request, context: context)))
            },
            ApiRoute(.offsetFetch, versions: OffsetFetchHandler.versions) { [offsetFetch] body, context in
                guard case let .offsetFetch(request) = body else { Self.mismatch(body, .offsetFetch) }
                return .body(.offsetFetch(await offsetFetch.handle(request, context: context)))
            },
            ApiRoute(.txnOffsetCommit, versions: TxnOffsetCommitHandler.versions) { [txnOffsetCommit] body, context in
                guard case let .txnOffsetCommit(request) = body else { Self.mismatch(body, .txnOffsetCommit) }
                return .body(.txnOffsetCommit(await txnOffsetCommit.handle(request, context: context)))
            },
            ApiRoute(.offsetDelete, versions: OffsetDeleteHandler.versions) { [offsetDelete] body, context in
                guard case let .offsetDelete(request) = body else { Self.mismatch(body, .offsetDelete) }
                return .body(.offsetDelete(await offsetDelete.handle(request, context: context)))
            },
            ApiRoute(.describeGroups, versions: DescribeGroupsHandler.versions) { [describeGroups] body, context in
                guard case let .describeGroups(request) = body else { Self.mismatch(body, .describeGroups) }
                return .body(.describeGroups(await describeGroups.handle(request, context: context)))
            },
            ApiRoute(.listGroups, versions: ListGroupsHandler.versions) { [listGroups] body, context in
                guard case let .listGroups(request) = body else { Self.mismatch(body, .listGroups) }
                return .body(.listGroups(await listGroups.handle(request, context: context)))
            },
            ApiRoute(.deleteGroups, versions: DeleteGroupsHandler.versions) { [deleteGroups] body, context in
                guard case let .deleteGroups(request) = body else { Self.mismatch(body, .deleteGroups) }
                return .body(.deleteGroups(await deleteGroups.handle(request, context: context)))
            },
        ]
    }

    private static func mismatch(_ body: KafkaRequestBody, _ apiKey: ApiKey) -> Never {
        preconditionFailure("the \(apiKey) route was handed a \(body.apiKey) body")
    }
}

/// Which topic partitions exist, from the cluster metadata: offsets of partitions that do not
/// exist are neither committed nor deleted (UNKNOWN_TOPIC_OR_PARTITION), as in Kafka.
struct PartitionCatalog: Sendable {
    let coordination: any CoordinationClient

    /// The partitions among `partitions` that the cluster does not have.
    func unknown(_ partitions: [TopicPartition]) async -> Set<TopicPartition> {
        guard !partitions.isEmpty else { return [] }
        let metadata = await coordination.metadata()
        return Set(partitions.filter { metadata.assignment(of: $0) == nil })
    }

    /// An offset commit's partitions, by topic partition, split into those the cluster has and
    /// an error for each of the others (UNKNOWN_TOPIC_OR_PARTITION, as Kafka answers).
    func known<Topic, Partition>(
        _ topics: [Topic], name: (Topic) -> String, partitions: (Topic) -> [Partition], index: (Partition) -> Int32
    ) async -> (known: [(TopicPartition, Partition)], errors: [TopicPartition: GroupErrorCode]) {
        let requested = topics.flatMap { topic in
            partitions(topic).map { (TopicPartition(topic: name(topic), partition: index($0)), $0) }
        }
        let unknown = await unknown(requested.map(\.0))
        let errors = Dictionary(unknown.map { ($0, GroupErrorCode.unknownTopicOrPartition) }) { _, last in last }
        return (requested.filter { !unknown.contains($0.0) }, errors)
    }
}
