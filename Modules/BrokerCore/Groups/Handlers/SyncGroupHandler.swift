// SyncGroup (key 14), versions 0–5.
//
// - v3 adds the group instance id; v4 is flexible.
// - v5 carries the protocol type and name both ways (KIP-559). Kafka requires both in a v5
//   request and answers INCONSISTENT_GROUP_PROTOCOL when either is null; so do we. The group
//   checks them against its own when present.
// - Only the leader's request carries assignments; a member id listed twice keeps its last.
// - Every member's answer waits until the leader's assignment is durable in
//   `__consumer_offsets` (or the generation fails).

import TernGroupCoordinator
import TernProtocol

struct SyncGroupHandler: Sendable {
    static let versions: ClosedRange<Int16> = 0...5
    let service: GroupCoordinatorService

    func handle(_ request: SyncGroupRequest, context: RequestContext) async -> SyncGroupResponse {
        let version = context.apiVersion
        if version >= 5, request.protocolType == nil || request.protocolName == nil {
            return SyncGroupResponse(throttleTimeMs: 0, errorCode: GroupErrorCode.inconsistentGroupProtocol.code)
        }
        let assignments = Dictionary(request.assignments.map { ($0.memberId, $0.assignment) }) { _, last in last }
        let event = SyncGroupEvent(
            groupId: request.groupId, generationId: request.generationId, memberId: request.memberId,
            groupInstanceId: version >= 3 ? request.groupInstanceId : nil,
            protocolType: version >= 5 ? request.protocolType : nil, protocolName: version >= 5 ? request.protocolName : nil,
            assignments: assignments)
        let result = await service.sync(event)
        return SyncGroupResponse(
            throttleTimeMs: 0, errorCode: result.error.code, protocolType: result.protocolType,
            protocolName: result.protocolName, assignment: result.assignment)
    }
}
