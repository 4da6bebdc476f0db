// The admin APIs: DescribeGroups and ListGroups (pure queries) and DeleteGroups.

public import TernPrimitives

extension GroupMetadataManager {
    /// Answers DescribeGroups for one group. An unknown group is reported Dead with no error,
    /// as DescribeGroups v0–5 do.
    public func describeGroup(_ groupId: String) -> GroupDescription {
        guard let group = groups[groupId] else {
            return GroupDescription(groupId: groupId, error: .noError, state: .dead, protocolType: "", protocolData: "", members: [])
        }
        return group.groupDescription
    }

    /// Answers ListGroups: every group, or those whose state matches one of `statesFilter`
    /// (Kafka's state names, compared without regard to case), ordered by id.
    public func listGroups(statesFilter: Set<String> = []) -> [GroupListing] {
        let states = Set(statesFilter.map { $0.lowercased() })
        return groups.keys.sorted().compactMap { groupId in
            guard let group = groups[groupId] else { return nil }
            guard states.isEmpty || states.contains(group.state.rawValue.lowercased()) else { return nil }
            return group.groupListing
        }
    }

    /// Handles DeleteGroups: each empty group is removed with its offsets (tombstones are
    /// written); a group with members answers NON_EMPTY_GROUP, an unknown one GROUP_ID_NOT_FOUND.
    public mutating func deleteGroups(_ groupIds: [String], token: RequestToken, now: Instant, wallClockMilliseconds: Int64) -> [GroupAction] {
        var errors: [String: GroupErrorCode] = [:]
        var actions: [GroupAction] = []
        for groupId in groupIds {
            guard Self.isValidGroupId(groupId, allowsEmpty: true) else {
                errors[groupId] = .invalidGroupId
                continue
            }
            guard let group = groups[groupId] else {
                errors[groupId] = .groupIdNotFound
                continue
            }
            switch group.state {
            case .dead:
                errors[groupId] = .groupIdNotFound
            case .preparingRebalance, .completingRebalance, .stable:
                errors[groupId] = .nonEmptyGroup
            case .empty:
                // Members told MEMBER_ID_REQUIRED have no place to come back to.
                actions += group.pendingJoinMembers.keys.sorted().map { .cancelTimer(.heartbeat(groupId: groupId, memberId: $0)) }
                let records = removeGroup(groupId)
                if !records.isEmpty {
                    actions.append(.append(GroupAppend(groupId: groupId, records: records, purpose: .bookkeeping)))
                }
                errors[groupId] = .noError
            }
        }
        actions.append(.respond(token, .deleteGroups(errors)))
        return actions
    }

    /// Forgets a group and its offsets, returning the tombstones that make a reload agree. A
    /// group that never completed a generation never wrote metadata, so it needs no tombstone.
    mutating func removeGroup(_ groupId: String) -> [GroupCoordinatorRecord] {
        guard let group = groups.removeValue(forKey: groupId) else { return [] }
        var records = (offsets.removeValue(forKey: groupId)?.committed.keys.sorted() ?? []).map { Self.tombstone(groupId, $0) }
        if group.generationId > 0 {
            records.append(.groupMetadata(groupId: groupId, nil))
        }
        return records
    }
}
