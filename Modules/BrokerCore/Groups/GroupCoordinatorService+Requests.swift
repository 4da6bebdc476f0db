// The service's request API, in the state machine's domain terms: the handlers translate each
// wire version into these calls and the results back. Every call routes by group id to its
// shard; a group whose shard is not served here is answered NOT_COORDINATOR,
// COORDINATOR_LOAD_IN_PROGRESS or COORDINATOR_NOT_AVAILABLE in the shape its API expects.

public import TernGroupCoordinator
public import TernPrimitives

extension GroupCoordinatorService {
    /// Handles a JoinGroup; returns when the member's join phase ends.
    public func join(_ request: JoinGroupEvent) async -> JoinGroupResult {
        let memberId = request.memberId
        let failure: @Sendable (GroupErrorCode) -> GroupResponse = { .join(JoinGroupResult(error: $0, memberId: memberId)) }
        // Kafka refuses an empty id before looking for the group's coordinator.
        guard !request.groupId.isEmpty else { return Self.joinResult(failure(.invalidGroupId)) }
        return Self.joinResult(await submit(partition: partition(for: request.groupId), failure: failure) { manager, token, now, wallClock in
            manager.join(request, token: token, now: now, wallClockMilliseconds: wallClock)
        })
    }

    /// Handles a SyncGroup; returns when the leader's assignment is durable (or the member fails).
    public func sync(_ request: SyncGroupEvent) async -> SyncGroupResult {
        let failure: @Sendable (GroupErrorCode) -> GroupResponse = { .sync(SyncGroupResult(error: $0)) }
        guard !request.groupId.isEmpty else { return Self.syncResult(failure(.invalidGroupId)) }
        return Self.syncResult(await submit(partition: partition(for: request.groupId), failure: failure) { manager, token, now, wallClock in
            manager.sync(request, token: token, now: now, wallClockMilliseconds: wallClock)
        })
    }

    /// Handles a Heartbeat.
    public func heartbeat(_ request: HeartbeatEvent) async -> GroupErrorCode {
        guard !request.groupId.isEmpty else { return .invalidGroupId }
        let response = await submit(partition: partition(for: request.groupId), failure: { .heartbeat($0) }) { manager, token, now, wallClock in
            manager.heartbeat(request, token: token, now: now, wallClockMilliseconds: wallClock)
        }
        guard case let .heartbeat(error) = response else { preconditionFailure("Heartbeat answered with \(response)") }
        return error
    }

    /// Handles a LeaveGroup of one or more members.
    public func leave(_ request: LeaveGroupEvent) async -> LeaveGroupResult {
        let failure: @Sendable (GroupErrorCode) -> GroupResponse = { .leave(LeaveGroupResult(error: $0, members: [])) }
        let response: GroupResponse
        if request.groupId.isEmpty {
            response = failure(.invalidGroupId)
        } else {
            response = await submit(partition: partition(for: request.groupId), failure: failure) { manager, token, now, wallClock in
                manager.leave(request, token: token, now: now, wallClockMilliseconds: wallClock)
            }
        }
        guard case let .leave(result) = response else { preconditionFailure("LeaveGroup answered with \(response)") }
        return result
    }

    /// Handles an OffsetCommit; returns each partition's outcome once the commit is durable.
    ///
    /// - Parameter reportsUnknownGroup: answer GROUP_ID_NOT_FOUND, rather than the
    ///   ILLEGAL_GENERATION of older versions, for a commit with a generation to a group that
    ///   does not exist (OffsetCommit v9+).
    public func commitOffsets(_ request: OffsetCommitEvent, reportsUnknownGroup: Bool = false) async -> [TopicPartition: GroupErrorCode] {
        let partitions = request.partitions.map(\.topicPartition)
        let failure: @Sendable (GroupErrorCode) -> GroupResponse = { error in
            .offsetCommit(Dictionary(partitions.map { ($0, error) }) { _, last in last })
        }
        let partition = partition(for: request.groupId)
        if reportsUnknownGroup, request.generationId >= 0, unavailability(of: partition) == nil,
           managers[partition]?.groups[request.groupId] == nil {
            return Self.commitResult(failure(.groupIdNotFound))
        }
        return Self.commitResult(await submit(partition: partition, failure: failure) { manager, token, now, wallClock in
            manager.commitOffsets(request, token: token, now: now, wallClockMilliseconds: wallClock)
        })
    }

    /// Handles a TxnOffsetCommit: the offsets are written in the producer's transactional
    /// batch and wait for the transaction's marker.
    public func commitTransactionalOffsets(_ request: TransactionalOffsetCommitEvent) async -> [TopicPartition: GroupErrorCode] {
        let partitions = request.commit.partitions.map(\.topicPartition)
        let failure: @Sendable (GroupErrorCode) -> GroupResponse = { error in
            .offsetCommit(Dictionary(partitions.map { ($0, error) }) { _, last in last })
        }
        return Self.commitResult(await submit(partition: partition(for: request.commit.groupId), failure: failure) { manager, token, now, wallClock in
            manager.commitTransactionalOffsets(request, token: token, now: now, wallClockMilliseconds: wallClock)
        })
    }

    /// A transaction marker of `producerId` was written to `partition` of `__consumer_offsets`:
    /// the transaction's offsets there become committed or are dropped.
    public func transactionCompleted(offsetsPartition partition: Int32, producerId: Int64, committed: Bool) {
        guard managers[partition] != nil else { return }
        managers[partition]!.completeTransaction(producerId: producerId, committed: committed, now: clock.now,
                                                 wallClockMilliseconds: clock.wallClockMilliseconds)
    }

    /// Answers an OffsetFetch for one group: the given partitions, or every committed one when
    /// `partitions` is nil.
    public func fetchOffsets(groupId: String, partitions: [TopicPartition]?, requireStable: Bool) -> OffsetFetchResult {
        let partition = partition(for: groupId)
        if let error = unavailability(of: partition) { return OffsetFetchResult(error: error, partitions: [:]) }
        return managers[partition]!.fetchOffsets(groupId: groupId, partitions: partitions, requireStable: requireStable)
    }

    /// Handles an OffsetDelete.
    public func deleteOffsets(groupId: String, partitions: [TopicPartition]) async -> OffsetDeleteResult {
        let failure: @Sendable (GroupErrorCode) -> GroupResponse = { .offsetDelete(OffsetDeleteResult(error: $0, partitions: [:])) }
        let response = await submit(partition: partition(for: groupId), failure: failure) { manager, token, now, wallClock in
            manager.deleteOffsets(groupId: groupId, partitions: partitions, token: token, now: now, wallClockMilliseconds: wallClock)
        }
        guard case let .offsetDelete(result) = response else { preconditionFailure("OffsetDelete answered with \(response)") }
        return result
    }

    /// Describes each group, in order. A group whose shard is not served here carries the
    /// reason as its error.
    public func describeGroups(_ groupIds: [String]) -> [GroupDescription] {
        groupIds.map { groupId in
            let partition = partition(for: groupId)
            if let error = unavailability(of: partition) {
                return GroupDescription(groupId: groupId, error: error, state: .dead, protocolType: "", protocolData: "", members: [])
            }
            return managers[partition]!.describeGroup(groupId)
        }
    }

    /// Lists the groups of every loaded shard whose state matches `statesFilter` (Kafka's state
    /// names, any case; empty for all), ordered by id. The error is COORDINATOR_LOAD_IN_PROGRESS
    /// while some shard is loading (its groups are missing), COORDINATOR_NOT_AVAILABLE when the
    /// service is not running.
    public func listGroups(statesFilter: Set<String> = []) -> (error: GroupErrorCode, groups: [GroupListing]) {
        switch lifecycle {
        case .created, .starting, .stopped: return (.coordinatorNotAvailable, [])
        case .running: break
        }
        let groups = managers.values.flatMap { $0.listGroups(statesFilter: statesFilter) }.sorted { $0.groupId < $1.groupId }
        let loading = shards.keys.contains { managers[$0] == nil }
        return (loading ? .coordinatorLoadInProgress : .noError, groups)
    }

    /// Deletes groups: each empty one with its offsets. Returns every requested group's outcome.
    public func deleteGroups(_ groupIds: [String]) async -> [String: GroupErrorCode] {
        var outcomes: [String: GroupErrorCode] = [:]
        let byPartition = Dictionary(grouping: groupIds) { partition(for: $0) }
        for (partition, ids) in byPartition.sorted(by: { $0.key < $1.key }) {
            let failure: @Sendable (GroupErrorCode) -> GroupResponse = { error in
                .deleteGroups(Dictionary(ids.map { ($0, error) }) { _, last in last })
            }
            let response = await submit(partition: partition, failure: failure) { manager, token, now, wallClock in
                manager.deleteGroups(ids, token: token, now: now, wallClockMilliseconds: wallClock)
            }
            guard case let .deleteGroups(errors) = response else { preconditionFailure("DeleteGroups answered with \(response)") }
            outcomes.merge(errors) { _, last in last }
        }
        return outcomes
    }

    // MARK: - Unwrapping answers

    private static func joinResult(_ response: GroupResponse) -> JoinGroupResult {
        guard case let .join(result) = response else { preconditionFailure("JoinGroup answered with \(response)") }
        return result
    }

    private static func syncResult(_ response: GroupResponse) -> SyncGroupResult {
        guard case let .sync(result) = response else { preconditionFailure("SyncGroup answered with \(response)") }
        return result
    }

    private static func commitResult(_ response: GroupResponse) -> [TopicPartition: GroupErrorCode] {
        guard case let .offsetCommit(result) = response else { preconditionFailure("OffsetCommit answered with \(response)") }
        return result
    }
}
