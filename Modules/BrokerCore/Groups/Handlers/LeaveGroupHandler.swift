// LeaveGroup (key 13), versions 0–5.
//
// - v0–2 remove the one member named by `member_id`; their single error code is the
//   request-wide error, or else the member's (Kafka's `LeaveGroupResponse` folds them the same
//   way).
// - v3+ remove a batch of members, each by member id and/or group instance id (KIP-345), and
//   answer per member; v4 is flexible; v5's per-member reason is accepted and ignored.

import TernGroupCoordinator
import TernProtocol

struct LeaveGroupHandler: Sendable {
    static let versions: ClosedRange<Int16> = 0...5
    let service: GroupCoordinatorService

    func handle(_ request: LeaveGroupRequest, context: RequestContext) async -> LeaveGroupResponse {
        let version = context.apiVersion
        let members = version >= 3
            ? request.members.map { LeaveGroupEvent.Member(memberId: $0.memberId, groupInstanceId: $0.groupInstanceId) }
            : [LeaveGroupEvent.Member(memberId: request.memberId)]
        let result = await service.leave(LeaveGroupEvent(groupId: request.groupId, members: members))
        guard version >= 3 else {
            let error = result.error != .noError ? result.error : result.members.first { $0.error != .noError }?.error ?? .noError
            return LeaveGroupResponse(throttleTimeMs: 0, errorCode: error.code)
        }
        return LeaveGroupResponse(
            throttleTimeMs: 0, errorCode: result.error.code,
            members: result.members.map {
                LeaveGroupResponse.MemberResponse(memberId: $0.memberId, groupInstanceId: $0.groupInstanceId, errorCode: $0.error.code)
            })
    }
}
