public import TernPrimitives

// The vocabulary of `ClusterState`: who asks (a session), what they ask (a command) and what
// they get back (a reply). Commands are values so that the ensemble can later replicate them
// through Raft and apply the same ones, in the same order, on every node.

/// One client session of the coordination service, ZooKeeper's session id. Registrations and
/// the controller claim made through a session end with it.
public struct CoordinationSessionID: Hashable, Comparable, Sendable, CustomStringConvertible {
    /// The id as a counter; the service hands them out in increasing order.
    public var rawValue: UInt64

    /// Creates a session id from its counter.
    public init(_ rawValue: UInt64) {
        self.rawValue = rawValue
    }

    public static func < (lhs: CoordinationSessionID, rhs: CoordinationSessionID) -> Bool {
        lhs.rawValue < rhs.rawValue
    }

    public var description: String { "session \(rawValue)" }
}

/// A change a session asks of the cluster metadata: one method of `CoordinationClient` each,
/// plus the end of the session.
public enum ClusterCommand: Hashable, Sendable {
    /// Register a live broker, owned by the session.
    case registerBroker(BrokerRegistration)
    /// Become the controller unless another broker is.
    case claimController(brokerId: Int32)
    /// Create a topic.
    case createTopic(TopicMetadata)
    /// Delete a topic and its configs.
    case deleteTopic(name: String)
    /// Append partitions to a topic.
    case addPartitions([PartitionAssignment], topic: String)
    /// Replace a topic's config overrides.
    case setTopicConfigs([String: String], topic: String)
    /// Replace the dynamic broker configs of a scope ("" or a broker id).
    case setBrokerConfigs([String: String], scope: String)
    /// Replace a partition's state if its `partitionEpoch` is still the expected one.
    case updatePartition(TopicPartition, PartitionAssignment, expectedPartitionEpoch: Int32)
    /// Grant `count` producer ids, never granted before, to the asking broker.
    case allocateProducerIds(count: Int)
    /// End the session: drop its registrations and its controller claim.
    case endSession
}

/// What a successful command answers.
public enum ClusterReply: Hashable, Sendable {
    /// The command took effect (or had nothing to change).
    case done
    /// The controller after a claim: the claimant when it won, the holder otherwise.
    case controller(Int32)
    /// The partition epoch stored by a conditional update.
    case partitionEpoch(Int32)
    /// The producer ids granted.
    case producerIds(ClosedRange<Int64>)
}
