// Every transactional id of one `__transaction_state` partition: the sans-IO core a broker's
// transaction coordinator actor drives, one per partition it leads. Named after Kafka's
// `TransactionStateManager` cache plus the decisions of its `TransactionCoordinator`.
//
// InitProducerId lives here; AddPartitionsToTxn, AddOffsetsToTxn and EndTxn in
// `+Transactions`; durable writes and markers in `+Completion`; the periodic clean-ups in
// `+Expiry`; loading in `+Loading`; DescribeTransactions and ListTransactions in `+Admin`.

public import TernPrimitives

/// The transactional ids of one `__transaction_state` partition, driven by events.
public struct TransactionMetadataManager: Sendable {
    /// The broker's transaction settings.
    public let configuration: TransactionCoordinatorConfiguration
    /// The leader epoch of the partition this coordinator serves; every marker carries it.
    public let coordinatorEpoch: Int32
    /// The transactional ids, with their state.
    public internal(set) var transactions: [String: TransactionMetadata]
    /// InitProducerId requests waiting for a producer id, by token.
    var producerIdAllocations: [TransactionRequestToken: String]

    /// Creates a coordinator with no transactional ids; replay the partition into it, then `start`.
    public init(configuration: TransactionCoordinatorConfiguration = TransactionCoordinatorConfiguration(), coordinatorEpoch: Int32) {
        self.configuration = configuration
        self.coordinatorEpoch = coordinatorEpoch
        transactions = [:]
        producerIdAllocations = [:]
    }

    /// Kafka's partition for a key of `__transaction_state` (a transactional id) or
    /// `__consumer_offsets` (a group id): `abs(key.hashCode) % count`, with Java's string hash and
    /// Kafka's `Utils.abs` (which maps Int.min to 0), so keys land where a Kafka broker puts them.
    public static func partition(for key: String, partitionCount: Int32) -> Int32 {
        KafkaKeyPartitioner.partition(for: key, partitionCount: partitionCount)
    }

    // MARK: - InitProducerId

    /// Handles an InitProducerId with a transactional id. A new transactional id, or one whose
    /// epochs ran out, first needs a producer id from the driver; an open transaction is aborted
    /// with a bumped epoch and the producer told to retry (CONCURRENT_TRANSACTIONS).
    public mutating func initProducerId(
        _ request: InitProducerIdEvent, token: TransactionRequestToken, now: Instant, wallClockMilliseconds: Int64
    ) -> [TransactionAction] {
        if let error = validate(request) {
            return [.respond(token, .initProducerId(InitProducerIdResult(error: error)))]
        }
        guard transactions[request.transactionalId] != nil else {
            transactions[request.transactionalId] = TransactionMetadata(
                newTransactionalId: request.transactionalId, transactionTimeout: request.transactionTimeout,
                wallClockMilliseconds: wallClockMilliseconds)
            return awaitProducerId(for: request, token: token)
        }
        return continueInit(request, token: token, newProducerId: nil, wallClockMilliseconds: wallClockMilliseconds)
    }

    /// Reports the producer id the driver allocated for the InitProducerId behind `token`.
    public mutating func producerIdAllocated(
        _ producerId: Int64, token: TransactionRequestToken, now: Instant, wallClockMilliseconds: Int64
    ) -> [TransactionAction] {
        precondition(producerId >= 0, "the driver allocates non-negative producer ids")
        guard let (request, _) = takeAllocation(token) else { return [] }
        let transactionalId = request.transactionalId
        if transactions[transactionalId]?.producerId == -1 {
            // The first producer id of a new transactional id: bump from "no epoch" to 0.
            transactions[transactionalId]?.producerId = producerId
            return continueInit(request, token: token, newProducerId: nil, wallClockMilliseconds: wallClockMilliseconds)
        }
        return continueInit(request, token: token, newProducerId: producerId, wallClockMilliseconds: wallClockMilliseconds)
    }

    /// Reports that no producer id could be allocated; the InitProducerId gets `error` (Kafka
    /// answers COORDINATOR_LOAD_IN_PROGRESS while its producer id block is not ready).
    public mutating func producerIdAllocationFailed(
        token: TransactionRequestToken, error: TransactionErrorCode, now: Instant, wallClockMilliseconds: Int64
    ) -> [TransactionAction] {
        guard let (request, metadata) = takeAllocation(token) else { return [] }
        if metadata.producerId == -1 {
            // Nothing was ever known of this transactional id but the request.
            transactions[request.transactionalId] = nil
        }
        return [.respond(token, .initProducerId(InitProducerIdResult(error: error)))]
    }

    /// The outcome of an InitProducerId for a known transactional id (Kafka's
    /// `prepareInitProducerIdTransit`).
    enum InitDecision {
        case failure(TransactionErrorCode)
        case needsProducerId
        case transition(TransactionMetadata)
        case fence(TransactionMetadata)
    }

    static func decideInit(
        _ metadata: TransactionMetadata, _ request: InitProducerIdEvent, newProducerId: Int64?, wallClockMilliseconds: Int64
    ) -> InitDecision {
        guard metadata.pending == nil else { return .failure(.concurrentTransactions) }
        if let expected = request.expected, !metadata.accepts(expected) { return .failure(.producerFenced) }
        switch metadata.state {
        case .prepareCommit, .prepareAbort:
            return .failure(.concurrentTransactions)
        case .ongoing:
            // Abort the open transaction under a bumped epoch. The epoch is never handed out:
            // the producer retries and gets a second bump (or a new producer id if this one
            // exhausted the epochs).
            guard let target = metadata.fencingAbort(wallClockMilliseconds: wallClockMilliseconds) else {
                return .failure(.unknownServerError)
            }
            return .fence(target)
        case .empty, .completeCommit, .completeAbort:
            if metadata.isProducerEpochExhausted, request.expected.map({ $0.epoch == metadata.producerEpoch }) ?? true {
                guard let newProducerId else { return .needsProducerId }
                return .transition(metadata.rotatingProducerId(to: newProducerId, for: request, wallClockMilliseconds: wallClockMilliseconds))
            }
            guard let target = metadata.bumpingEpoch(for: request, wallClockMilliseconds: wallClockMilliseconds) else {
                return .failure(.producerFenced)
            }
            return .transition(target)
        case .dead, .prepareEpochFence:
            preconditionFailure("\(metadata.state) is never kept as a current state")
        }
    }

    private mutating func continueInit(
        _ request: InitProducerIdEvent, token: TransactionRequestToken, newProducerId: Int64?, wallClockMilliseconds: Int64
    ) -> [TransactionAction] {
        guard let metadata = transactions[request.transactionalId] else {
            preconditionFailure("InitProducerId continues only for a known transactional id")
        }
        switch Self.decideInit(metadata, request, newProducerId: newProducerId, wallClockMilliseconds: wallClockMilliseconds) {
        case let .failure(error):
            return [.respond(token, .initProducerId(InitProducerIdResult(error: error)))]
        case .needsProducerId:
            return awaitProducerId(for: request, token: token)
        case let .transition(target):
            return beginTransition(to: target, reply: .initProducerId(token))
        case let .fence(target):
            return beginTransition(to: target, reply: .epochFence(token))
        }
    }

    private mutating func awaitProducerId(for request: InitProducerIdEvent, token: TransactionRequestToken) -> [TransactionAction] {
        transactions[request.transactionalId]?.pending = .allocatingProducerId(request, token)
        producerIdAllocations[token] = request.transactionalId
        return [.allocateProducerId(token)]
    }

    /// Ends the wait for a producer id: the request and the metadata as it was, or nil for a
    /// token that waits for nothing (answered already, or from before a reload).
    private mutating func takeAllocation(_ token: TransactionRequestToken) -> (InitProducerIdEvent, TransactionMetadata)? {
        guard let transactionalId = producerIdAllocations.removeValue(forKey: token),
              var metadata = transactions[transactionalId],
              case let .allocatingProducerId(request, pendingToken)? = metadata.pending, pendingToken == token
        else { return nil }
        metadata.pending = nil
        transactions[transactionalId] = metadata
        return (request, metadata)
    }

    private func validate(_ request: InitProducerIdEvent) -> TransactionErrorCode? {
        guard Self.isValidTransactionalId(request.transactionalId) else { return .invalidRequest }
        guard request.transactionTimeout > .zero, request.transactionTimeout <= configuration.transactionTimeoutMax else {
            return .invalidTransactionTimeout
        }
        return nil
    }

    // MARK: - Helpers

    /// Kafka refuses an empty transactional id; one too long for a record key is refused too.
    static func isValidTransactionalId(_ transactionalId: String) -> Bool {
        !transactionalId.isEmpty && transactionalId.utf8.count <= TransactionRecordLimits.stringBytesMax
    }

    /// Parks `target` as the transactional id's pending transition and asks for its record.
    mutating func beginTransition(to target: TransactionMetadata, reply: TransitionReply) -> [TransactionAction] {
        transactions[target.transactionalId]?.pending = .appending(target, reply)
        return [.append(TransactionAppend([target], valueVersion: configuration.transactionLogValueVersion))]
    }
}
