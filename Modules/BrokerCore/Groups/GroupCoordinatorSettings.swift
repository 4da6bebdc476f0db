// The broker properties the group coordinator reads, typed once at startup. Names and defaults
// are Kafka's, so a `server.properties` written for Kafka means the same here.

public import TernGroupCoordinator

/// The group coordinator's settings: the state machine's configuration plus what the driver
/// needs to create and load `__consumer_offsets`.
public struct GroupCoordinatorSettings: Hashable, Sendable {
    /// The state machine's timing and size settings (`group.*`, `offsets.retention.*`).
    public var coordinator: GroupCoordinatorConfiguration
    /// `offsets.topic.num.partitions`: how many partitions `__consumer_offsets` has. Fixed for
    /// the life of the cluster, since it decides which partition holds each group.
    public var offsetsTopicPartitionCount: Int32
    /// `offsets.topic.segment.bytes`: the segment size `__consumer_offsets` is created with.
    public var offsetsTopicSegmentBytes: Int
    /// `offsets.load.buffer.size`: roughly how many bytes one read fetches while loading.
    public var offsetsLoadBufferBytes: Int

    /// Settings with Kafka's defaults unless given.
    public init(
        coordinator: GroupCoordinatorConfiguration = GroupCoordinatorConfiguration(),
        offsetsTopicPartitionCount: Int32 = 50, offsetsTopicSegmentBytes: Int = 104_857_600,
        offsetsLoadBufferBytes: Int = 5_242_880
    ) {
        precondition(offsetsTopicPartitionCount > 0, "__consumer_offsets has at least one partition")
        self.coordinator = coordinator
        self.offsetsTopicPartitionCount = offsetsTopicPartitionCount
        self.offsetsTopicSegmentBytes = offsetsTopicSegmentBytes
        self.offsetsLoadBufferBytes = offsetsLoadBufferBytes
    }

    /// Reads the settings from broker properties (Kafka's names and string values); absent
    /// properties take Kafka's defaults.
    public init(properties: [String: String]) throws(GroupSettingsError) {
        let defaults = GroupCoordinatorConfiguration()
        let reader = PropertyReader(properties: properties)
        let coordinator = GroupCoordinatorConfiguration(
            sessionTimeoutMin: try reader.milliseconds("group.min.session.timeout.ms", default: defaults.sessionTimeoutMin),
            sessionTimeoutMax: try reader.milliseconds("group.max.session.timeout.ms", default: defaults.sessionTimeoutMax),
            initialRebalanceDelay: try reader.milliseconds("group.initial.rebalance.delay.ms", default: defaults.initialRebalanceDelay),
            groupSizeMax: try reader.integer("group.max.size", default: defaults.groupSizeMax, minimum: 1),
            newMemberJoinTimeout: defaults.newMemberJoinTimeout,
            offsetsRetention: .seconds(60 * (try reader.integer("offsets.retention.minutes", default: 7 * 24 * 60, minimum: 1))),
            offsetsRetentionCheckInterval: try reader.milliseconds(
                "offsets.retention.check.interval.ms", default: defaults.offsetsRetentionCheckInterval, minimum: 1),
            offsetMetadataBytesMax: try reader.integer("offset.metadata.max.bytes", default: defaults.offsetMetadataBytesMax, minimum: 0))
        self.init(
            coordinator: coordinator,
            offsetsTopicPartitionCount: Int32(try reader.integer("offsets.topic.num.partitions", default: 50, minimum: 1, maximum: Int(Int32.max))),
            offsetsTopicSegmentBytes: try reader.integer("offsets.topic.segment.bytes", default: 104_857_600, minimum: 1),
            offsetsLoadBufferBytes: try reader.integer("offsets.load.buffer.size", default: 5_242_880, minimum: 1))
    }

    /// The configs `__consumer_offsets` is created with, as Kafka creates it.
    public var offsetsTopicConfigs: [String: String] {
        ["cleanup.policy": "compact", "segment.bytes": String(offsetsTopicSegmentBytes), "compression.type": "producer"]
    }
}

/// A group coordinator property that does not parse or lies outside its range.
public enum GroupSettingsError: Error, Hashable, Sendable, CustomStringConvertible {
    /// The property's value is not a whole number in the accepted range.
    case invalidValue(property: String, value: String, accepted: String)

    public var description: String {
        switch self {
        case let .invalidValue(property, value, accepted):
            "\(property)=\(value) is invalid: expected \(accepted)"
        }
    }
}

/// Reads whole-number properties with a range check.
private struct PropertyReader {
    let properties: [String: String]

    func integer(_ name: String, default value: Int, minimum: Int = 0, maximum: Int = .max) throws(GroupSettingsError) -> Int {
        guard let text = properties[name] else { return value }
        let trimmed = text.drop { $0.isWhitespace }.reversed().drop { $0.isWhitespace }.reversed()
        guard let parsed = Int(String(trimmed)), parsed >= minimum, parsed <= maximum else {
            throw .invalidValue(property: name, value: text, accepted: "an integer in \(minimum)...\(maximum)")
        }
        return parsed
    }

    func milliseconds(_ name: String, default value: Duration, minimum: Int = 0) throws(GroupSettingsError) -> Duration {
        guard properties[name] != nil else { return value }
        return .milliseconds(try integer(name, default: 0, minimum: minimum))
    }
}
