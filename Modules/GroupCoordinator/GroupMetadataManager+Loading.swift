// Loading: the coordinator of a `__consumer_offsets` partition replays its records, oldest
// first, then starts. Later records win and tombstones delete, so replaying a compacted log or
// the full one gives the same groups and offsets.

public import TernPrimitives

extension GroupMetadataManager {
    /// Applies one record read back from `__consumer_offsets`. Offsets without a group get a
    /// group used only for offsets; a later group metadata record replaces it.
    public mutating func replay(_ record: GroupCoordinatorRecord, now: Instant, wallClockMilliseconds: Int64) {
        switch record {
        case let .groupMetadata(groupId, value?):
            groups[groupId] = ClassicGroup(
                loading: value, groupId: groupId, configuration: configuration, now: now, wallClockMilliseconds: wallClockMilliseconds)
        case let .groupMetadata(groupId, nil):
            // Offsets have their own tombstones; any left over reappear under a simple group.
            groups[groupId] = nil
        case let .offsetCommit(key, offset?):
            let partition = TopicPartition(topic: key.topic, partition: key.partition)
            offsets[key.group, default: GroupOffsets()].committed[partition] = offset
            if groups[key.group] == nil {
                groups[key.group] = Self.offsetsOnlyGroup(key.group, configuration: configuration, now: now, wallClockMilliseconds: wallClockMilliseconds)
            }
        case let .offsetCommit(key, nil):
            let partition = TopicPartition(topic: key.topic, partition: key.partition)
            offsets[key.group]?.committed[partition] = nil
            guard offsets[key.group]?.isEmpty == true else { return }
            offsets[key.group] = nil
            // A group that existed only for these offsets goes with them, as it did when written.
            if let group = groups[key.group], group.generationId == 0, group.protocolType == nil {
                groups[key.group] = nil
            }
        }
    }

    /// Starts the coordinator after replay: offsets whose group was deleted by a tombstone get a
    /// group used only for offsets again, loaded members get a full session to show up, and the
    /// periodic offset clean-up is armed.
    public mutating func start(now: Instant, wallClockMilliseconds: Int64) -> [GroupAction] {
        for groupId in offsets.keys.sorted() where groups[groupId] == nil {
            groups[groupId] = Self.offsetsOnlyGroup(groupId, configuration: configuration, now: now, wallClockMilliseconds: wallClockMilliseconds)
        }
        var actions: [GroupAction] = []
        for groupId in groups.keys.sorted() {
            actions += groups[groupId]?.loaded(now: now, wallClockMilliseconds: wallClockMilliseconds) ?? []
        }
        actions.append(.scheduleTimer(.offsetsRetentionCheck, deadline: now + configuration.offsetsRetentionCheckInterval))
        return actions
    }

    /// The group Kafka creates for offsets found without group metadata (a simple consumer's,
    /// or a group whose metadata was deleted while offsets stayed).
    static func offsetsOnlyGroup(
        _ groupId: String, configuration: GroupCoordinatorConfiguration, now: Instant, wallClockMilliseconds: Int64
    ) -> ClassicGroup {
        var group = ClassicGroup(groupId: groupId, configuration: configuration, now: now, wallClockMilliseconds: wallClockMilliseconds)
        // No record says when this group became empty; its offsets age from their commits.
        group.currentStateTimestamp = nil
        return group
    }
}
