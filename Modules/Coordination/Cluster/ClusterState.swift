import TernPrimitives
import TernProtocol

// The cluster metadata as a sans-IO state machine (STYLE.md §2): commands go in, a reply and
// actions (persist, publish) come out. The embedded service drives it from an actor today; the
// ensemble will apply the same commands from its Raft log.
//
// Departures from ZooKeeper's model, and why:
// - Sessions own exactly two kinds of ephemeral state, broker registrations and the controller
//   claim; everything else is durable. Ending a session removes what it owns in one change, so
//   a reader never sees a broker gone but its controller claim still standing.
// - Kafka's `/controller_epoch` is not kept: controllers fence each other through the
//   partition epoch of every conditional partition update instead.
// - A claim for a broker id that another live session registered is refused with
//   `.brokerIdInUse`, so a misconfigured second broker cannot take the controller in another's
//   name. Claiming for an id nobody registered is allowed, as with ZooKeeper's `/controller`.
// - Writes that change nothing (equal configs, an empty partition list, a repeated identical
//   registration) do not raise `version`, so subscribers only hear about real changes.

/// The part of the cluster metadata that outlives sessions and restarts: what the service
/// persists.
public struct DurableClusterMetadata: Hashable, Sendable {
    /// The cluster's id, fixed when the service first starts.
    public var clusterId: String
    /// Topics by name.
    public var topics: [String: TopicMetadata]
    /// Dynamic broker configs: key "" holds cluster-wide defaults, "<id>" one broker's.
    public var brokerConfigs: [String: [String: String]]
    /// The metadata version at the last durable change.
    public var version: Int64
    /// The first producer id not yet granted.
    public var nextProducerId: Int64

    /// Describes durable metadata.
    public init(
        clusterId: String, topics: [String: TopicMetadata] = [:], brokerConfigs: [String: [String: String]] = [:],
        version: Int64 = 0, nextProducerId: Int64 = 0
    ) {
        self.nextProducerId = nextProducerId
        self.clusterId = clusterId
        self.topics = topics
        self.brokerConfigs = brokerConfigs
        self.version = version
    }
}

/// The cluster's metadata and who owns its ephemeral parts, changed only by commands.
public struct ClusterState: Sendable {
    /// What the driver must do, in order, after a command that changed something.
    public enum Action: Hashable, Sendable {
        /// Store this durable metadata before anything else; if that fails, the command must be
        /// undone (the driver restores the state it had before `apply`) and reported failed.
        case persist(DurableClusterMetadata)
        /// Tell subscribers about this snapshot.
        case publish(ClusterMetadata)
    }

    /// The reply to a command and the actions it requires.
    public struct Outcome: Hashable, Sendable {
        /// What the caller is answered once the actions are done.
        public var reply: ClusterReply
        /// Empty when nothing changed.
        public var actions: [Action]
    }

    /// How far a command's change reaches.
    private enum Change {
        case none, ephemeral, durable
    }

    /// The current metadata.
    public private(set) var metadata: ClusterMetadata
    /// The session that registered each live broker.
    private var brokerOwners: [Int32: CoordinationSessionID] = [:]
    /// The session holding the controller claim, nil while there is no controller.
    private var controllerOwner: CoordinationSessionID?

    /// Starts from durable metadata, with no live brokers and no controller (their sessions
    /// did not survive). `version` continues from the stored one: versions order the snapshots
    /// of one run of the service, and every broker of an embedded service restarts with it.
    public init(restoring durable: DurableClusterMetadata) {
        metadata = ClusterMetadata(
            clusterId: durable.clusterId, topics: durable.topics, brokerConfigs: durable.brokerConfigs,
            version: durable.version, nextProducerId: durable.nextProducerId)
    }

    /// Starts a new, empty cluster.
    public init(clusterId: String) {
        self.init(restoring: DurableClusterMetadata(clusterId: clusterId))
    }

    /// A new cluster id in Kafka's form: a random UUID printed as 22 characters of URL-safe
    /// base64.
    public static func newClusterId(using generator: inout some RandomNumberGenerator) -> String {
        KafkaUUID.random(using: &generator).description
    }

    /// The part of the metadata to persist.
    public var durable: DurableClusterMetadata {
        DurableClusterMetadata(
            clusterId: metadata.clusterId, topics: metadata.topics, brokerConfigs: metadata.brokerConfigs,
            version: metadata.version, nextProducerId: metadata.nextProducerId)
    }

    /// The session that registered broker `id`, if it is live.
    public func session(registering id: Int32) -> CoordinationSessionID? {
        brokerOwners[id]
    }

    /// The session holding the controller claim, if any.
    public var controllerSession: CoordinationSessionID? { controllerOwner }

    /// Applies `command` on behalf of `session`. On error nothing changed. On success `version`
    /// was raised if anything changed, and the outcome lists the actions to carry out.
    public mutating func apply(
        _ command: ClusterCommand, from session: CoordinationSessionID
    ) throws(CoordinationError) -> Outcome {
        let reply: ClusterReply
        let change: Change
        switch command {
        case .registerBroker(let broker):
            change = try register(broker, session: session)
            reply = .done
        case .claimController(let brokerId):
            (reply, change) = try claimController(brokerId: brokerId, session: session)
        case .createTopic(let topic):
            change = try create(topic)
            reply = .done
        case .deleteTopic(let name):
            guard metadata.topics.removeValue(forKey: name) != nil else { throw .unknownTopic(name) }
            change = .durable
            reply = .done
        case .addPartitions(let partitions, let name):
            guard metadata.topics[name] != nil else { throw .unknownTopic(name) }
            metadata.topics[name]?.partitions.append(contentsOf: partitions)
            change = partitions.isEmpty ? .none : .durable
            reply = .done
        case .setTopicConfigs(let configs, let name):
            guard let topic = metadata.topics[name] else { throw .unknownTopic(name) }
            metadata.topics[name]?.configs = configs
            change = topic.configs == configs ? .none : .durable
            reply = .done
        case .setBrokerConfigs(let configs, let scope):
            change = setBrokerConfigs(configs, scope: scope)
            reply = .done
        case .updatePartition(let partition, let assignment, let expected):
            let epoch = try update(partition, to: assignment, expectedPartitionEpoch: expected)
            (reply, change) = (.partitionEpoch(epoch), .durable)
        case .allocateProducerIds(let count):
            guard count > 0, metadata.nextProducerId <= Int64.max - Int64(count) else {
                throw .unavailable("cannot grant \(count) producer ids after \(metadata.nextProducerId)")
            }
            let first = metadata.nextProducerId
            metadata.nextProducerId += Int64(count)
            (reply, change) = (.producerIds(first...(first + Int64(count) - 1)), .durable)
        case .endSession:
            change = endSession(session)
            reply = .done
        }
        return Outcome(reply: reply, actions: finish(change))
    }

    /// Raises the version for a change and lists what the driver must do about it.
    private mutating func finish(_ change: Change) -> [Action] {
        switch change {
        case .none:
            return []
        case .ephemeral:
            metadata.version += 1
            return [.publish(metadata)]
        case .durable:
            metadata.version += 1
            return [.persist(durable), .publish(metadata)]
        }
    }

    private mutating func register(_ broker: BrokerRegistration, session: CoordinationSessionID) throws(CoordinationError) -> Change {
        if let owner = brokerOwners[broker.id], owner != session { throw .brokerIdInUse(broker.id) }
        guard metadata.brokers[broker.id] != broker else { return .none }
        metadata.brokers[broker.id] = broker
        brokerOwners[broker.id] = session
        return .ephemeral
    }

    private mutating func claimController(
        brokerId: Int32, session: CoordinationSessionID
    ) throws(CoordinationError) -> (ClusterReply, Change) {
        if let current = metadata.controllerId { return (.controller(current), .none) }
        if let owner = brokerOwners[brokerId], owner != session { throw .brokerIdInUse(brokerId) }
        metadata.controllerId = brokerId
        controllerOwner = session
        return (.controller(brokerId), .ephemeral)
    }

    /// Adds a topic. A topic id already in use is refused as `.topicExists` too (ids are
    /// random, so this means a caller reused one).
    private mutating func create(_ topic: TopicMetadata) throws(CoordinationError) -> Change {
        guard metadata.topics[topic.name] == nil else { throw .topicExists(topic.name) }
        if metadata.topics.values.contains(where: { $0.id == topic.id }) { throw .topicExists(topic.name) }
        metadata.topics[topic.name] = topic
        return .durable
    }

    /// Replaces one scope's configs; an empty map removes the scope.
    private mutating func setBrokerConfigs(_ configs: [String: String], scope: String) -> Change {
        let old = metadata.brokerConfigs[scope] ?? [:]
        guard old != configs else { return .none }
        metadata.brokerConfigs[scope] = configs.isEmpty ? nil : configs
        return .durable
    }

    private mutating func update(
        _ partition: TopicPartition, to assignment: PartitionAssignment, expectedPartitionEpoch expected: Int32
    ) throws(CoordinationError) -> Int32 {
        guard let current = metadata.assignment(of: partition) else { throw .unknownTopic(partition.topic) }
        guard current.partitionEpoch == expected else {
            throw .partitionEpochMismatch(partition, expected: expected, actual: current.partitionEpoch)
        }
        var stored = assignment
        stored.partitionEpoch = current.partitionEpoch + 1
        metadata.topics[partition.topic]?.partitions[Int(partition.partition)] = stored
        return stored.partitionEpoch
    }

    /// Drops every registration and the controller claim `session` holds.
    private mutating func endSession(_ session: CoordinationSessionID) -> Change {
        var change = Change.none
        for (id, owner) in brokerOwners where owner == session {
            brokerOwners[id] = nil
            metadata.brokers[id] = nil
            change = .ephemeral
        }
        if controllerOwner == session {
            controllerOwner = nil
            metadata.controllerId = nil
            change = .ephemeral
        }
        return change
    }
}
