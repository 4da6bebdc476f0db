// Goal: drive a `TransactionMetadataManager` the way a broker's driver would, so tests read as
// sequences of producer requests, marker deliveries and clock moves. Method: a hand-cranked
// driver that answers tokens, hands out producer ids from a counter, appends records to an
// in-memory log (immediately, or held so a test can complete or fail them), holds marker writes
// until the test reports them, and fires due timers in deadline order when time advances.

import NIOCore
import TernPrimitives
import TernTransactionCoordinator

final class TransactionHarness {
    var manager: TransactionMetadataManager
    var now: Instant = .zero
    var wallClock: Int64 = 1_700_000_000_000
    private var nextToken: UInt64 = 0
    /// The next producer id the "cluster" hands out.
    var nextProducerId: Int64 = 1000
    /// Every answer, in order; a token answered twice is a bug the tests look for.
    private(set) var answers: [(token: TransactionRequestToken, response: TransactionResponse)] = []
    private(set) var timers: [TransactionTimer: Instant] = [:]
    /// Records made durable, in append order: what `__transaction_state` would hold.
    private(set) var log: [TransactionLogRecord] = []
    /// Every append asked for, durable or not.
    private(set) var appendCount = 0
    /// When false, appends wait in `heldAppends` until `completeHeldAppends`.
    var appendsCompleteImmediately = true
    private(set) var heldAppends: [TransactionAppend] = []
    /// When false, producer id requests wait in `heldAllocations`.
    var allocatesImmediately = true
    private(set) var heldAllocations: [TransactionRequestToken] = []
    /// Marker writes asked for and not yet reported, oldest first.
    private(set) var pendingMarkers: [TransactionMarkers] = []
    /// Every marker write asked for.
    private(set) var markerWrites: [TransactionMarkers] = []

    init(configuration: TransactionCoordinatorConfiguration = .testing, coordinatorEpoch: Int32 = 3) {
        manager = TransactionMetadataManager(configuration: configuration, coordinatorEpoch: coordinatorEpoch)
        perform(manager.start(now: now, wallClockMilliseconds: wallClock))
    }

    // MARK: - Driving

    func perform(_ actions: [TransactionAction]) {
        for action in actions {
            switch action {
            case let .respond(token, response):
                answers.append((token, response))
            case let .allocateProducerId(token):
                if allocatesImmediately {
                    allocate(token)
                } else {
                    heldAllocations.append(token)
                }
            case let .append(append):
                appendCount += 1
                if appendsCompleteImmediately {
                    log += append.records
                    perform(manager.appended(append, failure: nil, now: now, wallClockMilliseconds: wallClock))
                } else {
                    heldAppends.append(append)
                }
            case let .writeMarkers(markers):
                pendingMarkers.append(markers)
                markerWrites.append(markers)
            case let .scheduleTimer(timer, deadline):
                timers[timer] = deadline
            }
        }
    }

    private func allocate(_ token: TransactionRequestToken) {
        let producerId = nextProducerId
        nextProducerId += 1
        perform(manager.producerIdAllocated(producerId, token: token, now: now, wallClockMilliseconds: wallClock))
    }

    func completeHeldAllocations(failing error: TransactionErrorCode? = nil) {
        let held = heldAllocations
        heldAllocations = []
        for token in held {
            if let error {
                perform(manager.producerIdAllocationFailed(token: token, error: error, now: now, wallClockMilliseconds: wallClock))
            } else {
                allocate(token)
            }
        }
    }

    func completeHeldAppends(failure: TransactionAppendFailure? = nil) {
        let held = heldAppends
        heldAppends = []
        for append in held {
            if failure == nil { log += append.records }
            perform(manager.appended(append, failure: failure, now: now, wallClockMilliseconds: wallClock))
        }
    }

    /// Reports the oldest pending marker write done, for `partitions` or all of them.
    func completeMarkers(partitions: Set<TopicPartition>? = nil) {
        precondition(!pendingMarkers.isEmpty, "no markers are being written")
        let markers = partitions == nil ? pendingMarkers.removeFirst() : pendingMarkers[0]
        perform(manager.markersWritten(markers, partitions: partitions, now: now, wallClockMilliseconds: wallClock))
    }

    /// Moves both clocks forward by `duration`, firing every timer that falls due on the way at
    /// its own deadline, earliest first.
    func advance(by duration: Duration) {
        let target = now + duration
        while let (timer, deadline) = timers.filter({ $0.value <= target })
            .min(by: { ($0.value, "\($0.key)") < ($1.value, "\($1.key)") }) {
            moveClock(to: deadline)
            timers[timer] = nil
            perform(manager.expire(timer, now: now, wallClockMilliseconds: wallClock))
        }
        moveClock(to: target)
    }

    private func moveClock(to instant: Instant) {
        wallClock += (instant - now).millisecondsClamped
        now = instant
    }

    /// Replaces the manager with one loaded from the log, as a restarted or newly elected
    /// coordinator would be, and starts it. Timers and marker writes of the old one are dropped.
    func reload(coordinatorEpoch: Int32 = 4) {
        var loaded = TransactionMetadataManager(configuration: manager.configuration, coordinatorEpoch: coordinatorEpoch)
        for record in log { loaded.replay(record) }
        manager = loaded
        timers = [:]
        pendingMarkers = []
        heldAppends = []
        perform(manager.start(now: now, wallClockMilliseconds: wallClock))
    }

    /// Starts over from a log holding `records`, as if an earlier coordinator had written them.
    func load(_ records: [TransactionLogRecord]) {
        log = records
        reload(coordinatorEpoch: manager.coordinatorEpoch)
    }

    func token() -> TransactionRequestToken {
        nextToken += 1
        return TransactionRequestToken(nextToken)
    }

    // MARK: - Requests

    @discardableResult
    func initProducerId(_ transactionalId: String = "txn", timeout: Duration = .seconds(60), expected: ProducerIdAndEpoch? = nil) -> TransactionRequestToken {
        let token = token()
        let request = InitProducerIdEvent(transactionalId: transactionalId, transactionTimeout: timeout, expected: expected)
        perform(manager.initProducerId(request, token: token, now: now, wallClockMilliseconds: wallClock))
        return token
    }

    /// Runs InitProducerId and returns the producer id and epoch it answered.
    func initialized(_ transactionalId: String = "txn", timeout: Duration = .seconds(60), expected: ProducerIdAndEpoch? = nil) -> ProducerIdAndEpoch {
        guard case let .initProducerId(result)? = response(initProducerId(transactionalId, timeout: timeout, expected: expected)),
              result.error == .noError else {
            preconditionFailure("InitProducerId for \(transactionalId) did not succeed")
        }
        return ProducerIdAndEpoch(producerId: result.producerId, epoch: result.producerEpoch)
    }

    @discardableResult
    func addPartitions(_ partitions: Set<TopicPartition>, producer: ProducerIdAndEpoch, transactionalId: String = "txn") -> TransactionRequestToken {
        let token = token()
        let request = AddPartitionsToTxnEvent(
            transactionalId: transactionalId, producerId: producer.producerId, producerEpoch: producer.epoch, partitions: partitions)
        perform(manager.addPartitions(request, token: token, now: now, wallClockMilliseconds: wallClock))
        return token
    }

    @discardableResult
    func addOffsets(group: String, producer: ProducerIdAndEpoch, transactionalId: String = "txn") -> TransactionRequestToken {
        let token = token()
        let request = AddOffsetsToTxnEvent(
            transactionalId: transactionalId, producerId: producer.producerId, producerEpoch: producer.epoch, groupId: group)
        perform(manager.addOffsets(request, token: token, now: now, wallClockMilliseconds: wallClock))
        return token
    }

    @discardableResult
    func endTxn(_ result: TransactionResult, producer: ProducerIdAndEpoch, transactionalId: String = "txn") -> TransactionRequestToken {
        let token = token()
        let request = EndTxnEvent(
            transactionalId: transactionalId, producerId: producer.producerId, producerEpoch: producer.epoch, result: result)
        perform(manager.endTransaction(request, token: token, now: now, wallClockMilliseconds: wallClock))
        return token
    }

    // MARK: - Inspection

    /// The answer for `token`, or nil while it waits.
    func response(_ token: TransactionRequestToken) -> TransactionResponse? {
        let matching = answers.filter { $0.token == token }
        precondition(matching.count <= 1, "\(token) was answered \(matching.count) times")
        return matching.first?.response
    }

    /// The error code an answer carries, whatever the API.
    func error(_ token: TransactionRequestToken) -> TransactionErrorCode? {
        switch response(token) {
        case let .initProducerId(result)?: result.error
        case let .addPartitions(error)?, let .addOffsets(error)?, let .endTxn(error)?: error
        case nil: nil
        }
    }

    func metadata(_ transactionalId: String = "txn") -> TransactionMetadata? {
        manager.transactions[transactionalId]
    }

    /// The states the log stores for `transactionalId`, oldest first; nil for a tombstone.
    func loggedStates(_ transactionalId: String = "txn") -> [TransactionState?] {
        log.filter { $0.transactionalId == transactionalId }.map { $0.value?.state }
    }
}

extension TransactionCoordinatorConfiguration {
    /// Kafka's defaults, with a small offsets topic so group partitions are easy to predict.
    static let testing = TransactionCoordinatorConfiguration(offsetsTopicPartitionCount: 10)
}

func partition(_ topic: String, _ index: Int32) -> TopicPartition {
    TopicPartition(topic: topic, partition: index)
}

/// A stored value for "txn" in `state`, as an earlier coordinator might have written it.
func storedValue(
    producerId: Int64 = 500, epoch: Int16, state: TransactionState, partitions: [TopicPartition] = [],
    startTimestamp: Int64 = -1, lastUpdateTimestamp: Int64 = 1_700_000_000_000, timeoutMilliseconds: Int32 = 60_000
) -> TransactionLogRecord {
    let topics = state == .empty ? nil : Dictionary(grouping: partitions, by: \.topic).sorted { $0.key < $1.key }
        .map { TransactionLogValue.Topic(topic: $0.key, partitions: $0.value.map(\.partition).sorted()) }
    let value = TransactionLogValue(
        producerId: producerId, producerEpoch: epoch, transactionTimeoutMilliseconds: timeoutMilliseconds, state: state,
        topics: topics, lastUpdateTimestamp: lastUpdateTimestamp, startTimestamp: startTimestamp)
    return TransactionLogRecord(transactionalId: "txn", value: value)
}
