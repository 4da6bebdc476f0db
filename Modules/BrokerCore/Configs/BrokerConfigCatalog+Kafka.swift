// The broker configs Tern reads or reports besides the topic configs' broker synonyms (those
// come from `TopicConfigCatalog`). Defaults are Kafka 3.9's but for `num.network.threads`;
// the one-line docs are our own. Every config here is read-only: Tern applies none of them
// while running, as Kafka applies none of them dynamically. `listeners` and
// `advertised.listeners` are per-broker dynamic in Kafka, and `num.network.threads`
// cluster-wide, but Tern can neither rebind a listener nor resize its event loops live, so it
// reports them read-only.

import NIOCore

extension BrokerConfigCatalog {
    /// `num.network.threads` when unset: one per core, where Kafka's default is 3. Tern's
    /// network threads are its event loops, and Produce and Fetch run on them too (Kafka hands
    /// requests on to `num.io.threads` more), so a loop per core lets the data plane use every
    /// core. On 2 cores shared with the benchmark's clients, one loop and two cost the same CPU
    /// per record within the noise (README, "Fifth round").
    public static let networkThreadsDefault = max(1, System.coreCount)

    private static func readOnly(_ definition: ConfigDefinition) -> Entry {
        Entry(definition: definition, updateMode: .readOnly, synonymGroup: [definition.name])
    }

    /// The broker-only rows.
    static let kafkaBrokerEntries: [Entry] = [
        readOnly(ConfigDefinition("advertised.listeners", .string, default: nil,
                                  "The addresses clients are told to connect to.")),
        readOnly(ConfigDefinition("auto.create.topics.enable", .boolean, default: "true",
                                  "Whether Metadata requests create topics that do not exist.")),
        readOnly(ConfigDefinition("auto.leader.rebalance.enable", .boolean, default: "true",
                                  "Whether leadership moves back to preferred replicas on its own.")),
        readOnly(ConfigDefinition("broker.id", .int, default: "-1",
                                  "The broker's id; the same as node.id.")),
        readOnly(ConfigDefinition("broker.rack", .string, default: nil,
                                  "The rack the broker is in, for rack-aware replica placement.")),
        readOnly(ConfigDefinition("default.replication.factor", .int, default: "1",
                                  "The replication factor of topics created without one.")),
        readOnly(ConfigDefinition("delete.topic.enable", .boolean, default: "true",
                                  "Whether DeleteTopics may delete topics.")),
        readOnly(ConfigDefinition("fetch.max.bytes", .int, default: "57671680", .atLeast(1024),
                                  "The most bytes one Fetch response may carry.")),
        readOnly(ConfigDefinition("group.initial.rebalance.delay.ms", .int, default: "3000",
                                  "How long a new consumer group waits for more members before its first rebalance.")),
        readOnly(ConfigDefinition("group.max.session.timeout.ms", .int, default: "1800000",
                                  "The longest session timeout a group member may ask for.")),
        readOnly(ConfigDefinition("group.max.size", .int, default: String(Int32.max), .atLeast(1),
                                  "The most members one consumer group may have.")),
        readOnly(ConfigDefinition("group.min.session.timeout.ms", .int, default: "6000",
                                  "The shortest session timeout a group member may ask for.")),
        readOnly(ConfigDefinition("inter.broker.listener.name", .string, default: nil,
                                  "The listener brokers use to reach each other.")),
        readOnly(ConfigDefinition("listeners", .string, default: "PLAINTEXT://:9092",
                                  "The addresses the broker listens on.")),
        readOnly(ConfigDefinition("log.cleaner.enable", .boolean, default: "true",
                                  "Whether the log cleaner runs, which compacted topics need.")),
        readOnly(ConfigDefinition("log.dir", .string, default: "/tmp/kafka-logs",
                                  "The directory logs are kept in when log.dirs is unset.")),
        readOnly(ConfigDefinition("log.dirs", .string, default: nil,
                                  "The directories logs are kept in.")),
        readOnly(ConfigDefinition("log.retention.check.interval.ms", .long, default: "300000", .atLeast(1),
                                  "How often logs are checked for segments due deletion.")),
        readOnly(ConfigDefinition("node.id", .int, default: "-1",
                                  "The broker's id in the cluster.")),
        readOnly(ConfigDefinition("num.network.threads", .int, default: String(networkThreadsDefault), .atLeast(1),
                                  "The threads that read and write the sockets; Produce and Fetch run on them too.")),
        readOnly(ConfigDefinition("num.partitions", .int, default: "1", .atLeast(1),
                                  "The partition count of topics created without one.")),
        readOnly(ConfigDefinition("offsets.retention.check.interval.ms", .long, default: "600000", .atLeast(1),
                                  "How often committed offsets are checked for expiry.")),
        readOnly(ConfigDefinition("offsets.retention.minutes", .int, default: "10080", .atLeast(1),
                                  "How long an empty group's committed offsets are kept.")),
        readOnly(ConfigDefinition("offsets.topic.num.partitions", .int, default: "50", .atLeast(1),
                                  "The partition count of __consumer_offsets.")),
        readOnly(ConfigDefinition("offsets.topic.replication.factor", .short, default: "3", .atLeast(1),
                                  "The replication factor of __consumer_offsets.")),
        readOnly(ConfigDefinition("offsets.topic.segment.bytes", .int, default: "104857600", .atLeast(1),
                                  "The segment size of __consumer_offsets.")),
        readOnly(ConfigDefinition("process.roles", .list, default: "", .eachOneOf(["broker", "controller"]),
                                  "The roles this node plays.")),
        readOnly(ConfigDefinition("remote.log.storage.system.enable", .boolean, default: "false",
                                  "Whether tiered storage is available; Tern has none.")),
        readOnly(ConfigDefinition("replica.fetch.max.bytes", .int, default: "1048576", .atLeast(0),
                                  "The most bytes a follower fetches per partition at a time.")),
        readOnly(ConfigDefinition("replica.lag.time.max.ms", .long, default: "30000",
                                  "How long a follower may lag before it leaves the ISR.")),
        readOnly(ConfigDefinition("socket.receive.buffer.bytes", .int, default: "102400",
                                  "The socket receive buffer size; -1 uses the OS default.")),
        readOnly(ConfigDefinition("socket.request.max.bytes", .int, default: "104857600", .atLeast(1),
                                  "The largest request the broker accepts.")),
        readOnly(ConfigDefinition("socket.send.buffer.bytes", .int, default: "102400",
                                  "The socket send buffer size; -1 uses the OS default.")),
        readOnly(ConfigDefinition("transaction.max.timeout.ms", .int, default: "900000", .atLeast(1),
                                  "The longest transaction timeout a producer may ask for.")),
        readOnly(ConfigDefinition("transaction.state.log.min.isr", .int, default: "2", .atLeast(1),
                                  "min.insync.replicas of __transaction_state.")),
        readOnly(ConfigDefinition("transaction.state.log.num.partitions", .int, default: "50", .atLeast(1),
                                  "The partition count of __transaction_state.")),
        readOnly(ConfigDefinition("transaction.state.log.replication.factor", .short, default: "3", .atLeast(1),
                                  "The replication factor of __transaction_state.")),
        readOnly(ConfigDefinition("transaction.state.log.segment.bytes", .int, default: "104857600", .atLeast(1),
                                  "The segment size of __transaction_state.")),
        readOnly(ConfigDefinition("transactional.id.expiration.ms", .int, default: "604800000", .atLeast(1),
                                  "How long an idle transactional id is remembered.")),
    ]
}
