// SyncGroup, Heartbeat and LeaveGroup, plus the completion of the writes they wait for.
// Follows Kafka's `classicGroupSyncToClassicGroup`, `classicGroupHeartbeatToClassicGroup` and
// `classicGroupLeaveToClassicGroup`.

public import TernPrimitives

extension ClassicGroup {
    /// Handles a SyncGroup request. Followers wait for the leader; the leader's assignment is
    /// written to `__consumer_offsets` and everyone is answered once it is durable.
    public mutating func sync(_ request: SyncGroupEvent, token: RequestToken, now: Instant, wallClockMilliseconds: Int64) -> [GroupAction] {
        begin(now: now, wallClockMilliseconds: wallClockMilliseconds)
        if let error = validateSync(request) {
            output.append(.respond(token, .sync(SyncGroupResult(error: error))))
            return finish()
        }
        let memberId = request.memberId
        switch state {
        case .empty:
            output.append(.respond(token, .sync(SyncGroupResult(error: .unknownMemberId))))
        case .preparingRebalance:
            output.append(.respond(token, .sync(SyncGroupResult(error: .rebalanceInProgress))))
        case .completingRebalance:
            if let superseded = takeAwaitingSync(memberId) {
                output.append(.respond(superseded, .sync(SyncGroupResult(error: .rebalanceInProgress))))
            }
            members[memberId]?.awaitingSync = token
            removePendingSyncMember(memberId)
            if leaderId == memberId {
                // Members the leader left out get an empty assignment, as in Kafka.
                var assignments: [String: [UInt8]] = [:]
                for id in memberIds { assignments[id] = request.assignments[id] ?? [] }
                appendGroupMetadata(assignments: assignments, purpose: .assignment(generationId: generationId, assignments: assignments))
            }
        case .stable:
            removePendingSyncMember(memberId)
            guard let member = members[memberId] else { preconditionFailure("validated member \(memberId) exists") }
            output.append(.respond(token, .sync(SyncGroupResult(
                error: .noError, protocolType: protocolType, protocolName: protocolName, assignment: member.assignment))))
            scheduleHeartbeat(memberId, timeout: member.sessionTimeout)
        case .dead:
            output.append(.respond(token, .sync(SyncGroupResult(error: .coordinatorNotAvailable))))
        }
        return finish()
    }

    func validateSync(_ request: SyncGroupEvent) -> GroupErrorCode? {
        switch state {
        case .dead:
            return .coordinatorNotAvailable
        case .empty, .preparingRebalance, .completingRebalance, .stable:
            if let error = validateMember(request.memberId, groupInstanceId: request.groupInstanceId) { return error }
            if request.generationId != generationId { return .illegalGeneration }
            if let type = request.protocolType, type != protocolType { return .inconsistentGroupProtocol }
            if let name = request.protocolName, name != protocolName { return .inconsistentGroupProtocol }
            return nil
        }
    }

    /// Handles a Heartbeat request; it keeps the member's session alive and tells it whether to
    /// rejoin.
    public mutating func heartbeat(_ request: HeartbeatEvent, token: RequestToken, now: Instant, wallClockMilliseconds: Int64) -> [GroupAction] {
        begin(now: now, wallClockMilliseconds: wallClockMilliseconds)
        output.append(.respond(token, .heartbeat(heartbeatError(request))))
        return finish()
    }

    mutating func heartbeatError(_ request: HeartbeatEvent) -> GroupErrorCode {
        switch state {
        case .dead:
            return .coordinatorNotAvailable
        case .empty, .preparingRebalance, .completingRebalance, .stable:
            break
        }
        if let error = validateMember(request.memberId, groupInstanceId: request.groupInstanceId) { return error }
        if request.generationId != generationId { return .illegalGeneration }
        guard let member = members[request.memberId] else { preconditionFailure("validated member exists") }
        switch state {
        case .empty, .dead:
            return .unknownMemberId
        case .preparingRebalance:
            scheduleHeartbeat(member.memberId, timeout: member.sessionTimeout)
            return .rebalanceInProgress
        case .completingRebalance, .stable:
            // Members may heartbeat between their JoinGroup answer and SyncGroup.
            scheduleHeartbeat(member.memberId, timeout: member.sessionTimeout)
            return .noError
        }
    }

    /// Handles a LeaveGroup request for one or more members. A member id of "" with an instance
    /// id removes that static member (admin use, `kafka-consumer-groups --delete` style).
    public mutating func leave(_ request: LeaveGroupEvent, token: RequestToken, now: Instant, wallClockMilliseconds: Int64) -> [GroupAction] {
        begin(now: now, wallClockMilliseconds: wallClockMilliseconds)
        switch state {
        case .dead:
            output.append(.respond(token, .leave(LeaveGroupResult(error: .coordinatorNotAvailable, members: []))))
            return finish()
        case .empty, .preparingRebalance, .completingRebalance, .stable:
            break
        }
        var results: [LeaveGroupResult.Member] = []
        for leaving in request.members {
            let error = removeLeavingMember(leaving)
            results.append(LeaveGroupResult.Member(memberId: leaving.memberId, groupInstanceId: leaving.groupInstanceId, error: error))
        }
        if results.contains(where: { $0.error == .noError }) {
            switch state {
            case .stable, .completingRebalance:
                maybePrepareRebalanceOrCompleteJoin()
            case .preparingRebalance:
                maybeCompleteJoinPhase()
            case .empty, .dead:
                break
            }
        }
        output.append(.respond(token, .leave(LeaveGroupResult(error: .noError, members: results))))
        return finish()
    }

    mutating func removeLeavingMember(_ leaving: LeaveGroupEvent.Member) -> GroupErrorCode {
        if leaving.memberId.isEmpty {
            guard let instanceId = leaving.groupInstanceId, let current = staticMembers[instanceId] else { return .unknownMemberId }
            removeAnsweringRequests(current, error: .unknownMemberId)
            return .noError
        }
        if isPendingMember(leaving.memberId) {
            removeAnsweringRequests(leaving.memberId, error: .unknownMemberId)
            return .noError
        }
        if let error = validateMember(leaving.memberId, groupInstanceId: leaving.groupInstanceId) { return error }
        removeAnsweringRequests(leaving.memberId, error: .unknownMemberId)
        return .noError
    }

    /// Reports that an append this group issued is durable (`failure` nil) or failed; answers
    /// that waited for it go out now. Offset commits are finished by the `GroupMetadataManager`.
    public mutating func appended(_ append: GroupAppend, failure: GroupAppendFailure?, now: Instant, wallClockMilliseconds: Int64) -> [GroupAction] {
        precondition(append.groupId == groupId, "append of group \(append.groupId) sent to \(groupId)")
        begin(now: now, wallClockMilliseconds: wallClockMilliseconds)
        switch append.purpose {
        case .bookkeeping, .offsetCommit, .transactionalOffsetCommit:
            break
        case let .assignment(generationId, assignments):
            assignmentAppended(generationId: generationId, assignments: assignments, failure: failure)
        case let .staticMemberReplacement(replacement):
            staticMemberReplacementAppended(replacement, failure: failure)
        }
        return finish()
    }

    /// The leader's assignment is durable (or not): move to Stable and answer every SyncGroup,
    /// unless the group moved on while the write was in flight.
    mutating func assignmentAppended(generationId: Int32, assignments: [String: [UInt8]], failure: GroupAppendFailure?) {
        guard state == .completingRebalance, generationId == self.generationId else { return }
        if let failure {
            resetAndPropagateAssignment(error: failure.groupMetadataError)
            maybePrepareRebalanceOrCompleteJoin()
            return
        }
        for memberId in memberIds { members[memberId]?.assignment = assignments[memberId] ?? [] }
        propagateAssignment(error: .noError)
        transition(to: .stable)
    }

    // MARK: - Offset commits

    /// Kafka's `ClassicGroup.validateOffsetCommit`: a commit without generation is allowed only
    /// while the group is empty; otherwise the committer must be a current member of the
    /// current generation, outside the sync phase.
    func validateOffsetCommit(memberId: String, groupInstanceId: String?, generationId: Int32) -> GroupErrorCode? {
        switch state {
        case .dead:
            return .coordinatorNotAvailable
        case .empty, .preparingRebalance, .completingRebalance, .stable:
            break
        }
        if generationId < 0 && state == .empty { return nil }
        if generationId >= 0 || !memberId.isEmpty || groupInstanceId != nil {
            if let error = validateMember(memberId, groupInstanceId: groupInstanceId) { return error }
            if generationId != self.generationId { return .illegalGeneration }
        } else if state != .empty {
            return .unknownMemberId
        }
        return state == .completingRebalance ? .rebalanceInProgress : nil
    }

    /// A member's accepted commit counts as a sign of life while the group is Stable or
    /// rebalancing (the member learns about the rebalance from its next heartbeat).
    mutating func offsetCommitAccepted(memberId: String, now: Instant, wallClockMilliseconds: Int64) -> [GroupAction] {
        begin(now: now, wallClockMilliseconds: wallClockMilliseconds)
        switch state {
        case .stable, .preparingRebalance:
            if let member = members[memberId] { scheduleHeartbeat(memberId, timeout: member.sessionTimeout) }
        case .empty, .completingRebalance, .dead:
            break
        }
        return finish()
    }
}
