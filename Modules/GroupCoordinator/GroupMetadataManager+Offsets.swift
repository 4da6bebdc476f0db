// Offsets: OffsetCommit, OffsetFetch, OffsetDelete and expiry. A commit becomes visible only
// once its records are durable, as in Kafka; until then a fetch that requires stable offsets is
// told UNSTABLE_OFFSET_COMMIT. Expiry follows Kafka 2.1+ (KIP-211): a group's offsets start to
// age when the group becomes empty, not at each commit, except for groups that never had
// members (simple consumers) and commits that carried their own retention.

public import TernPrimitives

extension GroupMetadataManager {
    /// Handles an OffsetCommit request. A commit with generation -1 to an unknown group creates
    /// a group used only for offsets.
    public mutating func commitOffsets(_ request: OffsetCommitEvent, token: RequestToken, now: Instant, wallClockMilliseconds: Int64) -> [GroupAction] {
        let groupId = request.groupId
        func answerAll(_ error: GroupErrorCode) -> [GroupAction] {
            [.respond(token, .offsetCommit(Dictionary(request.partitions.map { ($0.topicPartition, error) }) { _, last in last }))]
        }
        guard Self.isValidGroupId(groupId, allowsEmpty: true) else { return answerAll(.invalidGroupId) }
        if groups[groupId] == nil {
            // Kafka answers ILLEGAL_GENERATION before v9 (GROUP_ID_NOT_FOUND after, for KIP-848).
            guard request.generationId < 0 else { return answerAll(.illegalGeneration) }
            groups[groupId] = ClassicGroup(groupId: groupId, configuration: configuration, now: now, wallClockMilliseconds: wallClockMilliseconds)
        }
        guard let group = groups[groupId] else { preconditionFailure("the group was just ensured") }
        if let error = group.validateOffsetCommit(
            memberId: request.memberId, groupInstanceId: request.groupInstanceId, generationId: request.generationId) {
            return answerAll(error)
        }
        var actions = groups[groupId]?.offsetCommitAccepted(memberId: request.memberId, now: now, wallClockMilliseconds: wallClockMilliseconds) ?? []
        let expireTimestamp = request.retention.map { wallClockMilliseconds &+ $0.millisecondsClamped }
        var committed: [TopicPartition: OffsetAndMetadata] = [:]
        var rejected: [TopicPartition: GroupErrorCode] = [:]
        for partition in request.partitions {
            let metadata = partition.metadata ?? ""
            if partition.topicPartition.topic.utf8.count > GroupRecordLimits.stringBytesMax {
                rejected[partition.topicPartition] = .unknownTopicOrPartition
            } else if metadata.utf8.count > configuration.offsetMetadataBytesMax {
                rejected[partition.topicPartition] = .offsetMetadataTooLarge
            } else {
                committed[partition.topicPartition] = OffsetAndMetadata(
                    offset: partition.offset, leaderEpoch: partition.leaderEpoch < 0 ? nil : partition.leaderEpoch,
                    metadata: metadata, commitTimestamp: wallClockMilliseconds, expireTimestamp: expireTimestamp)
            }
        }
        guard !committed.isEmpty else {
            actions.append(.respond(token, .offsetCommit(rejected)))
            return actions
        }
        offsets[groupId, default: GroupOffsets()].beginCommit(committed.keys)
        let records = committed.keys.sorted().map { partition in
            GroupCoordinatorRecord.offsetCommit(
                OffsetCommitKey(group: groupId, topic: partition.topic, partition: partition.partition), committed[partition])
        }
        actions.append(.append(GroupAppend(
            groupId: groupId, records: records, purpose: .offsetCommit(token: token, committed: committed, rejected: rejected))))
        return actions
    }

    mutating func offsetCommitAppended(
        groupId: String, token: RequestToken, committed: [TopicPartition: OffsetAndMetadata],
        rejected: [TopicPartition: GroupErrorCode], failure: GroupAppendFailure?
    ) -> [GroupAction] {
        // A group deleted while the commit was written keeps it deleted: its tombstones follow
        // the commit in the log, so a reload agrees.
        let groupExists = groups[groupId] != nil
        for (partition, offset) in committed {
            offsets[groupId]?.finishCommit(partition, offset: failure == nil && groupExists ? offset : nil)
        }
        if offsets[groupId]?.isEmpty == true { offsets[groupId] = nil }
        var errors = rejected
        for partition in committed.keys { errors[partition] = failure?.offsetCommitError ?? .noError }
        return [.respond(token, .offsetCommit(errors))]
    }

    /// Answers an OffsetFetch for one group: the requested partitions (-1 where nothing is
    /// committed), or every committed partition when `partitions` is nil. Offsets are returned
    /// whatever the group's state, since simple consumers store offsets without membership.
    public func fetchOffsets(groupId: String, partitions: [TopicPartition]?, requireStable: Bool) -> OffsetFetchResult {
        guard Self.isValidGroupId(groupId, allowsEmpty: true) else { return OffsetFetchResult(error: .invalidGroupId, partitions: [:]) }
        let groupOffsets = groups[groupId] == nil ? GroupOffsets() : offsets[groupId] ?? GroupOffsets()
        var result: [TopicPartition: FetchedOffset] = [:]
        for partition in partitions ?? Array(groupOffsets.committed.keys) {
            if requireStable && groupOffsets.isUnstable(partition) {
                result[partition] = FetchedOffset(offset: -1, leaderEpoch: -1, metadata: "", error: .unstableOffsetCommit)
            } else if let offset = groupOffsets.committed[partition] {
                result[partition] = FetchedOffset(
                    offset: offset.offset, leaderEpoch: offset.leaderEpoch ?? -1, metadata: offset.metadata, error: .noError)
            } else {
                result[partition] = .absent
            }
        }
        return OffsetFetchResult(error: .noError, partitions: result)
    }

    /// Handles an OffsetDelete request. An empty group may drop any offsets; a consumer group
    /// with members only those of topics it does not subscribe to; other groups with members
    /// none.
    public mutating func deleteOffsets(
        groupId: String, partitions: [TopicPartition], token: RequestToken, now: Instant, wallClockMilliseconds: Int64
    ) -> [GroupAction] {
        guard Self.isValidGroupId(groupId, allowsEmpty: true) else {
            return [.respond(token, .offsetDelete(OffsetDeleteResult(error: .invalidGroupId, partitions: [:])))]
        }
        guard let group = groups[groupId] else {
            return [.respond(token, .offsetDelete(OffsetDeleteResult(error: .groupIdNotFound, partitions: [:])))]
        }
        var errors: [TopicPartition: GroupErrorCode] = [:]
        switch group.state {
        case .dead:
            return [.respond(token, .offsetDelete(OffsetDeleteResult(error: .groupIdNotFound, partitions: [:])))]
        case .empty:
            for partition in partitions { errors[partition] = .noError }
        case .preparingRebalance, .completingRebalance, .stable:
            guard group.usesConsumerProtocol else {
                return [.respond(token, .offsetDelete(OffsetDeleteResult(error: .nonEmptyGroup, partitions: [:])))]
            }
            for partition in partitions {
                errors[partition] = group.isSubscribedToTopic(partition.topic) ? .groupSubscribedToTopic : .noError
            }
        }
        let deleted = errors.filter { $0.value == .noError && offsets[groupId]?.committed[$0.key] != nil }.keys.sorted()
        var actions: [GroupAction] = []
        if !deleted.isEmpty {
            for partition in deleted { offsets[groupId]?.committed[partition] = nil }
            if offsets[groupId]?.isEmpty == true { offsets[groupId] = nil }
            actions.append(.append(GroupAppend(groupId: groupId, records: deleted.map { Self.tombstone(groupId, $0) }, purpose: .bookkeeping)))
        }
        actions.append(.respond(token, .offsetDelete(OffsetDeleteResult(error: .noError, partitions: errors))))
        return actions
    }

    /// The periodic clean-up (`offsets.retention.check.interval.ms`): drops expired offsets and
    /// then every empty group left without offsets, writing tombstones for both.
    mutating func expireOffsets(now: Instant, wallClockMilliseconds: Int64) -> [GroupAction] {
        var actions: [GroupAction] = []
        for groupId in groups.keys.sorted() {
            guard let group = groups[groupId] else { continue }
            var records: [GroupCoordinatorRecord] = []
            if let groupOffsets = offsets[groupId], let rule = Self.expirationRule(for: group) {
                let expired = groupOffsets.expired(
                    wallClockMilliseconds: wallClockMilliseconds, retention: configuration.offsetsRetention,
                    exempt: rule.exempt, base: rule.base)
                for partition in expired { offsets[groupId]?.committed[partition] = nil }
                records += expired.map { Self.tombstone(groupId, $0) }
                if offsets[groupId]?.isEmpty == true { offsets[groupId] = nil }
            }
            if group.state == .empty && offsets[groupId] == nil && group.pendingJoinMembers.isEmpty {
                records += removeGroup(groupId)
            }
            if !records.isEmpty {
                actions.append(.append(GroupAppend(groupId: groupId, records: records, purpose: .bookkeeping)))
            }
        }
        actions.append(.scheduleTimer(.offsetsRetentionCheck, deadline: now + configuration.offsetsRetentionCheckInterval))
        return actions
    }

    /// Kafka's `offsetExpirationCondition`: from when an offset's retention runs, and which
    /// topics are spared; nil when the group's offsets do not expire in its current state.
    static func expirationRule(for group: ClassicGroup) -> (base: (OffsetAndMetadata) -> Int64, exempt: Set<String>)? {
        guard group.protocolType != nil else {
            return ({ $0.commitTimestamp }, [])
        }
        switch group.state {
        case .empty:
            // Groups loaded from pre-2.1 records lack the timestamp and age from each commit.
            let emptySince = group.currentStateTimestamp
            return ({ emptySince ?? $0.commitTimestamp }, [])
        case .stable:
            guard group.usesConsumerProtocol, let subscribed = group.subscribedTopics else { return nil }
            return ({ $0.commitTimestamp }, subscribed)
        case .preparingRebalance, .completingRebalance, .dead:
            return nil
        }
    }

    static func tombstone(_ groupId: String, _ partition: TopicPartition) -> GroupCoordinatorRecord {
        .offsetCommit(OffsetCommitKey(group: groupId, topic: partition.topic, partition: partition.partition), nil)
    }
}
