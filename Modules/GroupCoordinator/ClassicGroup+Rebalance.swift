// The rebalance itself: entering a join phase, ending it (by timer or because everyone is
// back), starting the next generation, waiting for SyncGroup, and the timers that remove
// members who fall silent. Follows Kafka's `prepareRebalance`, `completeClassicGroupJoin`,
// `tryCompleteInitialRebalanceElseSchedule`, `expirePendingSync` and
// `expireClassicGroupMemberHeartbeat`.

public import TernPrimitives

extension ClassicGroup {
    /// Handles one of this group's timers firing. A timer that was cancelled or moved later
    /// since the driver armed it is ignored, so the driver may fire stale timers freely.
    public mutating func expire(_ timer: GroupTimer, now: Instant, wallClockMilliseconds: Int64) -> [GroupAction] {
        begin(now: now, wallClockMilliseconds: wallClockMilliseconds)
        switch timer {
        case let .join(groupId):
            precondition(groupId == self.groupId, "timer of group \(groupId) sent to \(self.groupId)")
            expireJoinTimer()
        case let .sync(groupId):
            precondition(groupId == self.groupId, "timer of group \(groupId) sent to \(self.groupId)")
            expireSyncTimer()
        case let .heartbeat(groupId, memberId):
            precondition(groupId == self.groupId, "timer of group \(groupId) sent to \(self.groupId)")
            expireHeartbeat(memberId)
        case .offsetsRetentionCheck:
            preconditionFailure("the offsets retention check belongs to the GroupMetadataManager")
        }
        return finish()
    }

    // MARK: - Timers

    mutating func scheduleHeartbeat(_ memberId: String, timeout: Duration) {
        let deadline = now + timeout
        members[memberId]?.heartbeatDeadline = deadline
        output.append(.scheduleTimer(.heartbeat(groupId: groupId, memberId: memberId), deadline: deadline))
    }

    mutating func cancelHeartbeat(_ memberId: String) {
        members[memberId]?.heartbeatDeadline = nil
        output.append(.cancelTimer(.heartbeat(groupId: groupId, memberId: memberId)))
    }

    mutating func armJoinTimer(_ timer: JoinTimer) {
        joinTimer = timer
        output.append(.scheduleTimer(.join(groupId: groupId), deadline: timer.deadline))
    }

    mutating func cancelJoinTimer() {
        guard joinTimer != nil else { return }
        joinTimer = nil
        output.append(.cancelTimer(.join(groupId: groupId)))
    }

    mutating func cancelSyncTimer() {
        pendingSyncMembers.removeAll()
        guard syncTimer != nil else { return }
        syncTimer = nil
        output.append(.cancelTimer(.sync(groupId: groupId)))
    }

    mutating func expireJoinTimer() {
        guard let timer = joinTimer, timer.deadline <= now else { return }
        precondition(state == .preparingRebalance, "a join timer exists only during a join phase")
        switch timer {
        case let .initialDelay(_, delay, remaining):
            if newMemberAdded && remaining > .zero {
                // Someone arrived during the wait: wait again, within the rebalance timeout.
                newMemberAdded = false
                let nextDelay = min(configuration.initialRebalanceDelay, remaining)
                armJoinTimer(.initialDelay(deadline: now + nextDelay, delay: nextDelay, remaining: max(remaining - delay, .zero)))
            } else {
                completeJoin()
            }
        case .rebalance:
            completeJoin()
        }
    }

    mutating func expireSyncTimer() {
        guard let timer = syncTimer, timer.deadline <= now else { return }
        syncTimer = nil
        guard timer.generationId == generationId else { return }
        switch state {
        case .dead, .empty, .preparingRebalance:
            return
        case .completingRebalance, .stable:
            guard !pendingSyncMembers.isEmpty else { return }
            for memberId in memberIds where pendingSyncMembers.contains(memberId) {
                removeAnsweringRequests(memberId, error: .unknownMemberId)
            }
            prepareRebalance()
        }
    }

    mutating func expireHeartbeat(_ memberId: String) {
        if let deadline = pendingJoinMembers[memberId] {
            guard deadline <= now else { return }
            remove(memberId)
            if state == .preparingRebalance && hasAllMembersJoined { completeJoin() }
            return
        }
        guard let member = members[memberId], let deadline = member.heartbeatDeadline, deadline <= now else { return }
        members[memberId]?.heartbeatDeadline = nil
        // A member parked in a join or sync phase is alive; its next deadline is set when the
        // phase answers it.
        guard !member.hasSatisfiedHeartbeat else { return }
        removeMemberAndUpdateGroup(memberId)
    }

    // MARK: - Removal

    /// Removes a member or pending member, answering whatever it has parked with `error`.
    mutating func removeAnsweringRequests(_ memberId: String, error: GroupErrorCode) {
        if pendingJoinMembers[memberId] != nil {
            remove(memberId)
            output.append(.cancelTimer(.heartbeat(groupId: groupId, memberId: memberId)))
            return
        }
        guard members[memberId] != nil else { return }
        if let token = takeAwaitingJoin(memberId) {
            output.append(.respond(token, .join(.failure(error, memberId: ""))))
        }
        // Kafka drops a removed member's parked SyncGroup; we answer it so no request leaks.
        if let token = takeAwaitingSync(memberId) {
            output.append(.respond(token, .sync(SyncGroupResult(error: error))))
        }
        cancelHeartbeat(memberId)
        remove(memberId)
    }

    /// Removes a member whose session expired or who left, then moves the group on.
    mutating func removeMemberAndUpdateGroup(_ memberId: String) {
        removeAnsweringRequests(memberId, error: .unknownMemberId)
        switch state {
        case .stable, .completingRebalance:
            maybePrepareRebalanceOrCompleteJoin()
        case .preparingRebalance:
            if hasAllMembersJoined { completeJoin() }
        case .empty, .dead:
            break
        }
    }

    // MARK: - Join phase

    mutating func maybePrepareRebalanceOrCompleteJoin() {
        if canRebalance {
            prepareRebalance()
        } else {
            maybeCompleteJoinPhase()
        }
    }

    /// Enters a join phase. From Empty it is an initial rebalance, which always waits the
    /// initial delay so that members starting together land in one generation; otherwise it ends
    /// when every member has rejoined or the rebalance timeout passes.
    mutating func prepareRebalance() {
        if state == .completingRebalance {
            resetAndPropagateAssignment(error: .rebalanceInProgress)
        }
        cancelSyncTimer()
        let isInitial = state == .empty
        if isInitial {
            // Kafka leaves a stale flag from an earlier initial rebalance in place; a fresh
            // wait should not be extended by an arrival from a previous one.
            newMemberAdded = false
            let delay = configuration.initialRebalanceDelay
            armJoinTimer(.initialDelay(deadline: now + delay, delay: delay, remaining: max(rebalanceTimeout - delay, .zero)))
        }
        transition(to: .preparingRebalance)
        guard !isInitial else { return }
        if hasAllMembersJoined {
            completeJoin()
        } else {
            armJoinTimer(.rebalance(deadline: now + rebalanceTimeout))
        }
    }

    /// Ends the join phase early when every member is back, except during the initial delay.
    mutating func maybeCompleteJoinPhase() {
        guard state == .preparingRebalance, previousState != .empty, hasAllMembersJoined else { return }
        completeJoin()
    }

    /// Ends the join phase: drops dynamic members who did not rejoin, starts the next
    /// generation and answers every parked JoinGroup (the leader's with all members).
    mutating func completeJoin() {
        cancelJoinTimer()
        for member in allMembers where member.awaitingJoin == nil && !member.isStatic {
            removeAnsweringRequests(member.memberId, error: .unknownMemberId)
        }
        if !maybeElectNewJoinedLeader() && !members.isEmpty {
            // Only static members remain and none rejoined: wait for their sessions to lapse.
            armJoinTimer(.rebalance(deadline: now + rebalanceTimeout))
            return
        }
        initNextGeneration()
        switch state {
        case .empty:
            appendGroupMetadata(assignments: [:], purpose: .bookkeeping)
        case .completingRebalance:
            for memberId in memberIds {
                if let token = takeAwaitingJoin(memberId) {
                    output.append(.respond(token, .join(joinResult(for: memberId))))
                }
                if let member = members[memberId] { scheduleHeartbeat(memberId, timeout: member.sessionTimeout) }
                members[memberId]?.isNew = false
                pendingSyncMembers.insert(memberId)
            }
            let timer = SyncTimer(deadline: now + rebalanceTimeout, generationId: generationId)
            syncTimer = timer
            output.append(.scheduleTimer(.sync(groupId: groupId), deadline: timer.deadline))
        case .preparingRebalance, .stable, .dead:
            preconditionFailure("a new generation is either empty or completing its rebalance")
        }
    }

    /// Keeps the leader if it rejoined, else promotes the longest-standing member that did.
    /// False when nobody rejoined (or there is no leader).
    mutating func maybeElectNewJoinedLeader() -> Bool {
        guard let leader = leaderId, let current = members[leader] else { return false }
        if current.awaitingJoin != nil { return true }
        guard let joined = allMembers.first(where: { $0.awaitingJoin != nil }) else { return false }
        leaderId = joined.memberId
        return true
    }

    mutating func initNextGeneration() {
        generationId &+= 1
        if members.isEmpty {
            protocolName = nil
            subscribedTopics = computeSubscribedTopics()
            transition(to: .empty)
        } else {
            protocolName = selectProtocol()
            subscribedTopics = computeSubscribedTopics()
            transition(to: .completingRebalance)
        }
        pendingSyncMembers.removeAll()
    }

    // MARK: - Sync phase

    mutating func resetAndPropagateAssignment(error: GroupErrorCode) {
        precondition(state == .completingRebalance, "assignments are reset only while completing a rebalance")
        for memberId in memberIds { members[memberId]?.assignment = [] }
        propagateAssignment(error: error)
    }

    /// Answers every parked SyncGroup with its member's assignment (or `error`) and restarts
    /// that member's session, which was suspended while it waited.
    mutating func propagateAssignment(error: GroupErrorCode) {
        for memberId in memberIds {
            guard let token = takeAwaitingSync(memberId), let member = members[memberId] else { continue }
            let result = error == .noError
                ? SyncGroupResult(error: .noError, protocolType: protocolType, protocolName: protocolName, assignment: member.assignment)
                : SyncGroupResult(error: error, assignment: member.assignment)
            output.append(.respond(token, .sync(result)))
            scheduleHeartbeat(memberId, timeout: member.sessionTimeout)
        }
    }

    mutating func removePendingSyncMember(_ memberId: String) {
        pendingSyncMembers.remove(memberId)
        switch state {
        case .dead, .empty, .preparingRebalance:
            cancelSyncTimer()
        case .completingRebalance, .stable:
            if pendingSyncMembers.isEmpty { cancelSyncTimer() }
        }
    }
}
