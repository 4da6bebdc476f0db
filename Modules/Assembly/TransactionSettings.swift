import TernBrokerCore
import TernTransactionCoordinator

/// The transaction coordinator's broker properties, with Kafka's names and defaults.
struct TransactionSettings {
    /// `transaction.state.log.num.partitions`.
    var partitionCount: Int32
    /// Configs of `__transaction_state` when it is created.
    var topicConfigs: [String: String]
    /// The state machine's settings.
    var coordinator: TransactionCoordinatorConfiguration

    init(properties: [String: String], offsetsTopicPartitionCount: Int32) throws(ConfigError) {
        func integer(_ name: String, default value: Int, minimum: Int = 1, maximum: Int = Int(Int32.max)) throws(ConfigError) -> Int {
            guard let text = properties[name] else { return value }
            guard let parsed = Int(text.filter { !$0.isWhitespace }), parsed >= minimum, parsed <= maximum else {
                throw ConfigError("\(name)=\(text) is invalid: expected an integer in \(minimum)...\(maximum)")
            }
            return parsed
        }
        partitionCount = Int32(try integer("transaction.state.log.num.partitions", default: 50, maximum: 100_000))
        topicConfigs = ["segment.bytes": String(try integer("transaction.state.log.segment.bytes", default: 104_857_600))]
        coordinator = TransactionCoordinatorConfiguration(
            transactionTimeoutMax: .milliseconds(try integer("transaction.max.timeout.ms", default: 900_000)),
            transactionalIdExpiration: .milliseconds(try integer("transactional.id.expiration.ms", default: 604_800_000)),
            abortTimedOutTransactionsInterval: .milliseconds(
                try integer("transaction.abort.timed.out.transaction.cleanup.interval.ms", default: 10_000)),
            removeExpiredTransactionalIdsInterval: .milliseconds(
                try integer("transaction.remove.expired.transaction.cleanup.interval.ms", default: 3_600_000)),
            offsetsTopicPartitionCount: offsetsTopicPartitionCount)
    }
}
