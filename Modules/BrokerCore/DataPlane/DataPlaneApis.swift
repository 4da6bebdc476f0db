public import Logging
import TernCoordination
public import TernCompression
public import TernPrimitives
import TernProtocol

/// Produce, Fetch, ListOffsets, OffsetForLeaderEpoch and DeleteRecords: the APIs that touch
/// partition logs.
public struct DataPlaneApis: ApiComponent {
    let replicas: ReplicaManager
    let metadata: MetadataCache
    let codecs: CompressionCodecs
    let clock: any BrokerClock
    /// What fetches wait on.
    let waitClock = ContinuousClock()
    /// Ends parked fetches at their deadlines.
    let fetchWaits = FetchWaitTimer()
    let logger: Logger
    /// The most a fetch waits, whatever the client asks (a bound on parked requests' life).
    let fetchWaitMax: Duration

    /// The data plane over `replicas`.
    public init(replicas: ReplicaManager, metadata: MetadataCache, codecs: CompressionCodecs, clock: any BrokerClock,
                logger: Logger, fetchWaitMax: Duration = .seconds(30)) {
        self.replicas = replicas
        self.metadata = metadata
        self.codecs = codecs
        self.clock = clock
        self.logger = logger
        self.fetchWaitMax = fetchWaitMax
    }

    public var routes: [ApiRoute] {
        [
            ApiRoute(.produce, versions: ProduceHandler.versions) { body, context in
                guard case .produce(let request) = body else { preconditionFailure("routed \(body.apiKey) to Produce") }
                return await ProduceHandler(apis: self).handle(request, context: context)
            },
            ApiRoute(.fetch, versions: FetchHandler.versions) { body, context in
                guard case .fetch(let request) = body else { preconditionFailure("routed \(body.apiKey) to Fetch") }
                return await FetchHandler(apis: self).handle(request, context: context)
            },
            ApiRoute(.listOffsets, versions: ListOffsetsHandler.versions) { body, context in
                guard case .listOffsets(let request) = body else { preconditionFailure("routed \(body.apiKey) to ListOffsets") }
                return .body(.listOffsets(await ListOffsetsHandler(apis: self).handle(request, context: context)))
            },
            ApiRoute(.offsetForLeaderEpoch, versions: OffsetForLeaderEpochHandler.versions) { body, context in
                guard case .offsetForLeaderEpoch(let request) = body else { preconditionFailure("routed \(body.apiKey) to OffsetForLeaderEpoch") }
                return .body(.offsetForLeaderEpoch(await OffsetForLeaderEpochHandler(apis: self).handle(request, context: context)))
            },
            ApiRoute(.deleteRecords, versions: DeleteRecordsHandler.versions) { body, context in
                guard case .deleteRecords(let request) = body else { preconditionFailure("routed \(body.apiKey) to DeleteRecords") }
                return .body(.deleteRecords(await DeleteRecordsHandler(apis: self).handle(request, context: context)))
            },
        ]
    }

    /// The hosted replica of `partition` this broker leads, or the error Kafka answers:
    /// UNKNOWN_TOPIC_OR_PARTITION when it does not exist, NOT_LEADER_OR_FOLLOWER otherwise.
    func leader(of partition: TopicPartition) async throws(PartitionError) -> HostedPartition {
        guard let replica = replicas.partition(partition) else {
            if metadata.current.assignment(of: partition) == nil { throw .unknownTopicOrPartition(partition) }
            throw .notLeaderOrFollower(partition)
        }
        guard await replica.isLeader else { throw .notLeaderOrFollower(partition) }
        return replica
    }

    /// The hosted replica of `partition`, leader or not, or UNKNOWN_TOPIC_OR_PARTITION /
    /// NOT_LEADER_OR_FOLLOWER as `leader(of:)` answers when there is none; the caller checks
    /// leadership in its own call on the replica.
    func hosted(_ partition: TopicPartition) throws(PartitionError) -> HostedPartition {
        guard let replica = replicas.partition(partition) else {
            if metadata.current.assignment(of: partition) == nil { throw .unknownTopicOrPartition(partition) }
            throw .notLeaderOrFollower(partition)
        }
        return replica
    }

    /// Logs an error Kafka reports as UNKNOWN_SERVER_ERROR or KAFKA_STORAGE_ERROR, which mean
    /// something broke here rather than that the client asked for something wrong.
    func logIfServerSide(_ error: PartitionError, api: String) {
        switch error.kafkaErrorCode {
        case .unknownServerError, .kafkaStorageError:
            logger.error("\(api) failed", metadata: ["error": "\(error)"])
        default:
            break
        }
    }
}
