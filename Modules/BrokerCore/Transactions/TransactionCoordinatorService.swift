// TransactionCoordinatorService: the actor that drives the transaction coordinator's state
// machines for the `__transaction_state` partitions this broker leads. Design note.
//
// It follows `GroupCoordinatorService`: one `TransactionMetadataManager` per partition led (a
// shard), loaded by replaying the partition from offset 0 to the high watermark, each built
// with the partition's leader epoch as its coordinator epoch. Requests park on a
// `TransactionRequestToken` until a `.respond` action names it; the state machine is called
// synchronously on the actor and its actions performed in the same step. Appends queue per
// shard and one writer task drains them in order. Timers are kept per shard and timer kind,
// each armed by a task that sleeps to its deadline and fires only if still current.
//
// Producer ids come from the broker's `ProducerIdSource` (the cluster's blocks). Markers are
// written through the `TransactionMarkerWriter`, that is, locally: with one broker every
// partition's leader is this broker. A partition whose leader is elsewhere, or that is
// unavailable, is retried with backoff until it takes the marker, the topic disappears
// (UNKNOWN_TOPIC_OR_PARTITION: nothing left to mark), or the partition refuses the marker as
// fenced (a newer producer epoch or coordinator has moved on); then `markersWritten` is
// reported. Sending WriteTxnMarkers to leaders on other brokers is left for the multi-broker
// work.
//
// Shard epochs guard every asynchronous step, as in the group service: a load, write, marker
// delivery or timer that finishes after its shard was dropped is discarded, and requests
// parked on a dropped shard are answered NOT_COORDINATOR.

public import Logging
public import TernPrimitives
public import TernTransactionCoordinator
public import TernCompression

/// Drives the transaction coordinator of this broker.
public actor TransactionCoordinatorService {
    /// The name of Kafka's transaction state topic.
    public static let transactionStateTopic = "__transaction_state"

    enum Lifecycle {
        case created, starting, running, stopped
    }

    struct Shard {
        let epoch: UInt64
        var loader: Task<Void, Never>?
        var appends: [TransactionAppend] = []
        var writer: Task<Void, Never>?
    }

    struct ParkedRequest {
        let partition: Int32
        let continuation: CheckedContinuation<TransactionResponse, Never>
        let failure: @Sendable (TransactionErrorCode) -> TransactionResponse
    }

    struct ShardTimer: Hashable {
        let partition: Int32
        let timer: TransactionTimer
    }

    let store: any InternalTopicStore
    let clock: any BrokerClock
    /// The coordinator settings.
    public nonisolated let configuration: TransactionCoordinatorConfiguration
    /// `transaction.state.log.num.partitions`.
    public nonisolated let partitionCount: Int32
    let topicConfigs: [String: String]
    let producerIds: any ProducerIdSource
    let markers: TransactionMarkerWriter
    let coordinatorEpoch: @Sendable (TopicPartition) async -> Int32
    let codecs: CompressionCodecs
    let logger: Logger
    let sleep: @Sendable (Duration) async throws -> Void

    var lifecycle = Lifecycle.created
    var shards: [Int32: Shard] = [:]
    var managers: [Int32: TransactionMetadataManager] = [:]
    var parked: [TransactionRequestToken: ParkedRequest] = [:]
    var timers: [ShardTimer: Instant] = [:]
    var lastToken: UInt64 = 0
    var lastEpoch: UInt64 = 0

    /// Creates a stopped service.
    ///
    /// - Parameters:
    ///   - store: `__transaction_state` as this broker sees it.
    ///   - partitionCount: `transaction.state.log.num.partitions`.
    ///   - topicConfigs: configs of the topic when it is created (compaction is always set).
    ///   - producerIds: where new producer ids come from.
    ///   - markers: writes transaction markers to partitions this broker leads.
    ///   - coordinatorEpoch: the leader epoch of a `__transaction_state` partition.
    public init(
        store: any InternalTopicStore, clock: any BrokerClock, configuration: TransactionCoordinatorConfiguration,
        partitionCount: Int32 = 50, topicConfigs: [String: String] = [:], producerIds: any ProducerIdSource,
        markers: TransactionMarkerWriter, coordinatorEpoch: @escaping @Sendable (TopicPartition) async -> Int32,
        codecs: CompressionCodecs = CompressionCodecs(), logger: Logger,
        sleep: @escaping @Sendable (Duration) async throws -> Void = { try await Task.sleep(for: $0) }
    ) {
        precondition(partitionCount > 0, "__transaction_state has at least one partition")
        self.store = store
        self.clock = clock
        self.configuration = configuration
        self.partitionCount = partitionCount
        self.topicConfigs = topicConfigs
        self.producerIds = producerIds
        self.markers = markers
        self.coordinatorEpoch = coordinatorEpoch
        self.codecs = codecs
        self.logger = logger
        self.sleep = sleep
    }

    /// The `__transaction_state` partition of a transactional id.
    public nonisolated func partition(for transactionalId: String) -> Int32 {
        TransactionMetadataManager.partition(for: transactionalId, partitionCount: partitionCount)
    }

    static func topicPartition(_ partition: Int32) -> TopicPartition {
        TopicPartition(topic: transactionStateTopic, partition: partition)
    }

    // MARK: - Lifecycle

    /// Creates `__transaction_state` if absent and starts loading the partitions this broker
    /// leads. Calling it again does nothing.
    public func start() async throws(InternalTopicError) {
        switch lifecycle {
        case .created: break
        case .starting, .running, .stopped: return
        }
        lifecycle = .starting
        var configs = topicConfigs
        configs["cleanup.policy"] = "compact"
        do {
            try await store.ensureTopic(Self.transactionStateTopic, partitionCount: partitionCount, configs: configs)
        } catch {
            if case .starting = lifecycle { lifecycle = .created }
            throw error
        }
        guard case .starting = lifecycle else { return }
        lifecycle = .running
        for partition in 0..<partitionCount where await store.isLeader(of: Self.topicPartition(partition)) {
            beginLoading(partition)
        }
    }

    /// Starts loading `partition`, which this broker now leads.
    public func becameLeader(ofTransactionStatePartition partition: Int32) {
        beginLoading(partition)
    }

    /// Drops `partition`, which this broker no longer leads.
    public func resigned(fromTransactionStatePartition partition: Int32) {
        unload(partition, answering: .notCoordinator)
    }

    /// Stops serving; waiting requests are answered COORDINATOR_NOT_AVAILABLE.
    public func shutdown() {
        lifecycle = .stopped
        for partition in shards.keys.sorted() { unload(partition, answering: .coordinatorNotAvailable) }
        timers.removeAll()
    }

    /// Waits until every load begun so far has finished.
    public func waitUntilLoaded() async {
        for loader in shards.values.compactMap(\.loader) { await loader.value }
    }

    func unload(_ partition: Int32, answering error: TransactionErrorCode) {
        guard let shard = shards.removeValue(forKey: partition) else { return }
        shard.loader?.cancel()
        managers[partition] = nil
        timers = timers.filter { $0.key.partition != partition }
        for (token, request) in parked where request.partition == partition {
            parked[token] = nil
            request.continuation.resume(returning: request.failure(error))
        }
    }

    /// Why requests for `partition` cannot be served now, or nil when its manager is loaded.
    func unavailability(of partition: Int32) -> TransactionErrorCode? {
        switch lifecycle {
        case .running: break
        case .created, .starting, .stopped: return .coordinatorNotAvailable
        }
        guard shards[partition] != nil else { return .notCoordinator }
        return managers[partition] == nil ? .coordinatorLoadInProgress : nil
    }

    // MARK: - Requests

    /// Runs one event against the shard of `transactionalId` and waits for its answer.
    func submit(
        _ transactionalId: String, failure: @escaping @Sendable (TransactionErrorCode) -> TransactionResponse,
        _ event: (inout TransactionMetadataManager, TransactionRequestToken, Instant, Int64) -> [TransactionAction]
    ) async -> TransactionResponse {
        let partition = partition(for: transactionalId)
        return await withCheckedContinuation { continuation in
            // Checked here, not before the `await`: it may suspend before this body runs,
            // and the shard could be unloaded meanwhile.
            if let error = unavailability(of: partition) {
                continuation.resume(returning: failure(error))
                return
            }
            lastToken += 1
            let token = TransactionRequestToken(lastToken)
            parked[token] = ParkedRequest(partition: partition, continuation: continuation, failure: failure)
            let actions = event(&managers[partition]!, token, clock.now, clock.wallClockMilliseconds)
            perform(actions, partition: partition)
        }
    }

    /// InitProducerId with a transactional id.
    public func initProducerId(_ request: InitProducerIdEvent) async -> InitProducerIdResult {
        let response = await submit(request.transactionalId, failure: { .initProducerId(InitProducerIdResult(error: $0)) }) {
            $0.initProducerId(request, token: $1, now: $2, wallClockMilliseconds: $3)
        }
        guard case .initProducerId(let result) = response else { preconditionFailure("InitProducerId answered \(response)") }
        return result
    }

    /// AddPartitionsToTxn for one transaction.
    public func addPartitions(_ request: AddPartitionsToTxnEvent) async -> TransactionErrorCode {
        let response = await submit(request.transactionalId, failure: { .addPartitions($0) }) {
            $0.addPartitions(request, token: $1, now: $2, wallClockMilliseconds: $3)
        }
        guard case .addPartitions(let error) = response else { preconditionFailure("AddPartitionsToTxn answered \(response)") }
        return error
    }

    /// AddPartitionsToTxn v4+ with verifyOnly: which partitions are in the open transaction.
    public func verifyPartitions(_ request: AddPartitionsToTxnEvent) -> [TopicPartition: TransactionErrorCode] {
        let partition = partition(for: request.transactionalId)
        if let error = unavailability(of: partition) {
            return Dictionary(uniqueKeysWithValues: request.partitions.map { ($0, error) })
        }
        return managers[partition]!.verifyPartitions(
            transactionalId: request.transactionalId, producerId: request.producerId, producerEpoch: request.producerEpoch,
            partitions: request.partitions)
    }

    /// AddOffsetsToTxn.
    public func addOffsets(_ request: AddOffsetsToTxnEvent) async -> TransactionErrorCode {
        let response = await submit(request.transactionalId, failure: { .addOffsets($0) }) {
            $0.addOffsets(request, token: $1, now: $2, wallClockMilliseconds: $3)
        }
        guard case .addOffsets(let error) = response else { preconditionFailure("AddOffsetsToTxn answered \(response)") }
        return error
    }

    /// EndTxn.
    public func endTransaction(_ request: EndTxnEvent) async -> TransactionErrorCode {
        let response = await submit(request.transactionalId, failure: { .endTxn($0) }) {
            $0.endTransaction(request, token: $1, now: $2, wallClockMilliseconds: $3)
        }
        guard case .endTxn(let error) = response else { preconditionFailure("EndTxn answered \(response)") }
        return error
    }
}
