// JoinGroup. A new dynamic member first gets an id (MEMBER_ID_REQUIRED, JoinGroup v4+), then
// joins with it; a static member may rejoin under a fresh id and take its old place without a
// rebalance; a known member either triggers a rebalance or, when nothing changed, just hears
// the current generation again. Follows Kafka's `GroupMetadataManager.classicGroupJoin*`.

public import TernPrimitives

extension ClassicGroup {
    /// Handles a JoinGroup request. `newMemberId` is the id to hand out when the request has
    /// none; the manager generates it. The answer may come later (when the join phase ends).
    public mutating func join(
        _ request: JoinGroupEvent, token: RequestToken, newMemberId: String,
        now: Instant, wallClockMilliseconds: Int64
    ) -> [GroupAction] {
        begin(now: now, wallClockMilliseconds: wallClockMilliseconds)
        if !acceptsJoiningMember(request.memberId) {
            // Over capacity: a rejoining member past the limit loses its place too.
            removeAnsweringRequests(request.memberId, error: .groupMaxSizeReached)
            output.append(.respond(token, .join(.failure(.groupMaxSizeReached, memberId: ""))))
            maybeCompleteJoinPhase()
        } else if request.memberId.isEmpty {
            joinNewMember(request, token: token, newMemberId: newMemberId)
        } else {
            joinExistingMember(request, token: token)
        }
        return finish()
    }

    /// Kafka's `acceptJoiningMember`: during a join phase, count members already waiting so the
    /// last rejoiners are the ones turned away; otherwise count every member.
    func acceptsJoiningMember(_ memberId: String) -> Bool {
        switch state {
        case .empty, .dead:
            return true
        case .preparingRebalance:
            return members[memberId]?.awaitingJoin != nil || awaitingJoinCount < configuration.groupSizeMax
        case .completingRebalance, .stable:
            return members[memberId] != nil || members.count < configuration.groupSizeMax
        }
    }

    mutating func joinNewMember(_ request: JoinGroupEvent, token: RequestToken, newMemberId: String) {
        switch state {
        case .dead:
            output.append(.respond(token, .join(.failure(.coordinatorNotAvailable, memberId: ""))))
            return
        case .empty, .preparingRebalance, .completingRebalance, .stable:
            break
        }
        guard supportsProtocols(request.protocolType, Set(request.protocols.map(\.name))) else {
            output.append(.respond(token, .join(.failure(.inconsistentGroupProtocol, memberId: ""))))
            return
        }
        if let instanceId = request.groupInstanceId {
            if let existing = staticMembers[instanceId] {
                replaceStaticMember(existing, with: newMemberId, request: request, token: token)
            } else {
                addMemberAndRebalance(newMemberId, request: request, token: token)
            }
        } else if request.requiresKnownMemberId {
            // The member must come back with this id; until then it holds a place that blocks
            // the join phase from completing, bounded by its session timeout.
            let deadline = now + request.sessionTimeout
            pendingJoinMembers[newMemberId] = deadline
            output.append(.scheduleTimer(.heartbeat(groupId: groupId, memberId: newMemberId), deadline: deadline))
            output.append(.respond(token, .join(.failure(.memberIdRequired, memberId: newMemberId))))
        } else {
            addMemberAndRebalance(newMemberId, request: request, token: token)
        }
    }

    mutating func joinExistingMember(_ request: JoinGroupEvent, token: RequestToken) {
        let memberId = request.memberId
        switch state {
        case .dead:
            output.append(.respond(token, .join(.failure(.coordinatorNotAvailable, memberId: memberId))))
            return
        case .empty, .preparingRebalance, .completingRebalance, .stable:
            break
        }
        guard supportsProtocols(request.protocolType, Set(request.protocols.map(\.name))) else {
            output.append(.respond(token, .join(.failure(.inconsistentGroupProtocol, memberId: memberId))))
            return
        }
        if isPendingMember(memberId) {
            // Pending ids are only handed to dynamic members; Kafka treats a static claim on
            // one as an internal error.
            guard request.groupInstanceId == nil else {
                output.append(.respond(token, .join(.failure(.unknownServerError, memberId: memberId))))
                return
            }
            addMemberAndRebalance(memberId, request: request, token: token)
            return
        }
        if let error = validateMember(memberId, groupInstanceId: request.groupInstanceId) {
            output.append(.respond(token, .join(.failure(error, memberId: memberId))))
            return
        }
        guard let member = members[memberId] else { preconditionFailure("validated member \(memberId) exists") }
        switch state {
        case .preparingRebalance:
            updateMemberAndRebalance(request, token: token)
        case .completingRebalance:
            if member.protocols == request.protocols {
                // The member lost our answer; repeat it rather than restart the rebalance.
                output.append(.respond(token, .join(joinResult(for: memberId))))
            } else {
                updateMemberAndRebalance(request, token: token)
            }
        case .stable:
            // The leader rejoins to make the group reassign (say, after topic metadata changed).
            if leaderId == memberId || member.protocols != request.protocols {
                updateMemberAndRebalance(request, token: token)
            } else {
                output.append(.respond(token, .join(joinResult(for: memberId))))
            }
        case .empty, .dead:
            output.append(.respond(token, .join(.failure(.unknownMemberId, memberId: memberId))))
        }
    }

    mutating func addMemberAndRebalance(_ memberId: String, request: JoinGroupEvent, token: RequestToken) {
        var member = ClassicGroupMember(
            memberId: memberId, groupInstanceId: request.groupInstanceId, clientId: request.clientId,
            clientHost: request.clientHost, rebalanceTimeout: request.rebalanceTimeout,
            sessionTimeout: request.sessionTimeout, protocolType: request.protocolType, protocols: request.protocols)
        member.isNew = true
        member.awaitingJoin = token
        if state == .preparingRebalance && previousState == .empty {
            newMemberAdded = true
        }
        add(member)
        // A new member cannot heartbeat while its JoinGroup is parked, and a client that gave up
        // and retried would leave a defunct member behind; so its wait is bounded separately.
        scheduleHeartbeat(memberId, timeout: configuration.newMemberJoinTimeout)
        maybePrepareRebalanceOrCompleteJoin()
    }

    mutating func updateMemberAndRebalance(_ request: JoinGroupEvent, token: RequestToken) {
        updateMember(
            request.memberId, protocols: request.protocols, rebalanceTimeout: request.rebalanceTimeout,
            sessionTimeout: request.sessionTimeout, awaitingJoin: token)
        maybePrepareRebalanceOrCompleteJoin()
    }

    /// A static member rejoined without its member id: the new id takes over the old member's
    /// place and assignment, and the old id is fenced. In a Stable group whose protocol choice
    /// does not change, there is no rebalance; the change is written first and answered once
    /// durable.
    mutating func replaceStaticMember(_ oldMemberId: String, with newMemberId: String, request: JoinGroupEvent, token: RequestToken) {
        let leaderBefore = leaderId
        guard let old = members[oldMemberId], let instanceId = request.groupInstanceId else {
            preconditionFailure("static member \(oldMemberId) exists")
        }
        swapStaticMemberId(instanceId, from: oldMemberId, to: newMemberId, fencing: .fencedInstanceId)
        let replacement = StaticMemberReplacement(
            groupInstanceId: instanceId, oldMemberId: oldMemberId, newMemberId: newMemberId,
            oldProtocols: old.protocols, oldRebalanceTimeout: old.rebalanceTimeout, oldSessionTimeout: old.sessionTimeout,
            leaderBefore: leaderBefore, supportsSkippingAssignment: request.supportsSkippingAssignment)
        updateMember(
            newMemberId, protocols: request.protocols, rebalanceTimeout: request.rebalanceTimeout,
            sessionTimeout: request.sessionTimeout, awaitingJoin: token)
        switch state {
        case .stable:
            if selectProtocol() == protocolName {
                let assignments = Dictionary(uniqueKeysWithValues: allMembers.map { ($0.memberId, $0.assignment) })
                appendGroupMetadata(assignments: assignments, purpose: .staticMemberReplacement(replacement))
            } else {
                maybePrepareRebalanceOrCompleteJoin()
            }
        case .completingRebalance:
            // The leader may already be assigning to the old id; only a new round is safe.
            prepareRebalance()
        case .preparingRebalance:
            maybeCompleteJoinPhase()
        case .empty, .dead:
            preconditionFailure("a group with a static member is neither empty nor dead")
        }
    }

    /// Moves a static member to a new member id, answering requests parked under the old id
    /// with `fencing`; the member keeps its place, assignment and leadership.
    mutating func swapStaticMemberId(_ instanceId: String, from oldMemberId: String, to newMemberId: String, fencing: GroupErrorCode) {
        guard var member = members.removeValue(forKey: oldMemberId) else { preconditionFailure("member \(oldMemberId) exists") }
        if let join = member.awaitingJoin {
            output.append(.respond(join, .join(.failure(fencing, memberId: oldMemberId))))
            awaitingJoinCount -= 1
        }
        if let sync = member.awaitingSync {
            output.append(.respond(sync, .sync(SyncGroupResult(error: fencing))))
        }
        output.append(.cancelTimer(.heartbeat(groupId: groupId, memberId: oldMemberId)))
        member.memberId = newMemberId
        member.awaitingJoin = nil
        member.awaitingSync = nil
        member.isNew = false
        member.heartbeatDeadline = nil
        members[newMemberId] = member
        if let index = memberIds.firstIndex(of: oldMemberId) { memberIds[index] = newMemberId }
        if pendingSyncMembers.remove(oldMemberId) != nil { pendingSyncMembers.insert(newMemberId) }
        if leaderId == oldMemberId { leaderId = newMemberId }
        staticMembers[instanceId] = newMemberId
        scheduleHeartbeat(newMemberId, timeout: member.sessionTimeout)
    }

    /// The driver finished writing a static member's new id (see `replaceStaticMember`).
    mutating func staticMemberReplacementAppended(_ replacement: StaticMemberReplacement, failure: GroupAppendFailure?) {
        let newMemberId = replacement.newMemberId
        // A rebalance or another rejoin since the write took over the parked answer.
        guard state == .stable, staticMembers[replacement.groupInstanceId] == newMemberId,
              let token = takeAwaitingJoin(newMemberId) else { return }
        if let failure {
            updateMember(
                newMemberId, protocols: replacement.oldProtocols, rebalanceTimeout: replacement.oldRebalanceTimeout,
                sessionTimeout: replacement.oldSessionTimeout, awaitingJoin: nil)
            swapStaticMemberId(replacement.groupInstanceId, from: newMemberId, to: replacement.oldMemberId, fencing: .fencedInstanceId)
            var result = joinResult(for: "", naming: replacement.leaderBefore)
            result.error = failure.groupMetadataError
            output.append(.respond(token, .join(result)))
            return
        }
        if replacement.supportsSkippingAssignment {
            // v9+: the static leader learns it leads but keeps the current assignment.
            output.append(.respond(token, .join(joinResult(for: newMemberId, skipAssignment: leaderId == newMemberId))))
        } else {
            // Older clients: name the previous leader id so the returning leader does not
            // compute an assignment a Stable group would ignore.
            output.append(.respond(token, .join(joinResult(for: newMemberId, naming: replacement.leaderBefore))))
        }
    }
}
