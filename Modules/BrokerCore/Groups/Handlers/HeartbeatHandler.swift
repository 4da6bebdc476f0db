// Heartbeat (key 12), versions 0–4.
//
// - v1 adds the throttle time; v3 the group instance id; v4 is flexible.
// - REBALANCE_IN_PROGRESS tells a member to rejoin; a heartbeat during CompletingRebalance from
//   a current member is fine, as in Kafka.

import TernGroupCoordinator
import TernProtocol

struct HeartbeatHandler: Sendable {
    static let versions: ClosedRange<Int16> = 0...4
    let service: GroupCoordinatorService

    func handle(_ request: HeartbeatRequest, context: RequestContext) async -> HeartbeatResponse {
        let event = HeartbeatEvent(
            groupId: request.groupId, generationId: request.generationId, memberId: request.memberId,
            groupInstanceId: context.apiVersion >= 3 ? request.groupInstanceId : nil)
        return HeartbeatResponse(throttleTimeMs: 0, errorCode: await service.heartbeat(event).code)
    }
}
