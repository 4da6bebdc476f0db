// JoinGroup (key 11), versions 0–9.
//
// - v0 has no rebalance timeout; the session timeout stands in for it, as in Kafka.
// - v4+: a new dynamic member is first answered MEMBER_ID_REQUIRED with the id to rejoin with
//   (KIP-394). Static members (v5+ group instance id) are not, again as in Kafka.
// - v6 is flexible. v7 returns the protocol type and lets the protocol name be null; before v7
//   a missing protocol name is sent as "".
// - v8's join reason is accepted and ignored (Kafka only logs it).
// - v9 tells a static leader that rejoined without a change to skip computing assignments
//   (`skipAssignment`); only v9 clients are offered that.
// - The answer waits in the service until the member's join phase ends. An empty group id is
//   INVALID_GROUP_ID; a group coordinated elsewhere NOT_COORDINATOR.

import TernGroupCoordinator
import TernProtocol

struct JoinGroupHandler: Sendable {
    static let versions: ClosedRange<Int16> = 0...9
    let service: GroupCoordinatorService

    func handle(_ request: JoinGroupRequest, context: RequestContext) async -> JoinGroupResponse {
        let version = context.apiVersion
        let groupInstanceId = version >= 5 ? request.groupInstanceId : nil
        let event = JoinGroupEvent(
            groupId: request.groupId, memberId: request.memberId, groupInstanceId: groupInstanceId,
            clientId: context.clientId, clientHost: context.clientHost,
            sessionTimeout: .milliseconds(request.sessionTimeoutMs),
            rebalanceTimeout: .milliseconds(version >= 1 ? request.rebalanceTimeoutMs : request.sessionTimeoutMs),
            protocolType: request.protocolType,
            protocols: request.protocols.map { GroupProtocol(name: $0.name, metadata: $0.metadata) },
            requiresKnownMemberId: version >= 4 && groupInstanceId == nil,
            supportsSkippingAssignment: version >= 9)
        let result = await service.join(event)
        return JoinGroupResponse(
            throttleTimeMs: 0, errorCode: result.error.code, generationId: result.generationId,
            protocolType: result.protocolType, protocolName: version >= 7 ? result.protocolName : result.protocolName ?? "",
            leader: result.leaderId, skipAssignment: result.skipAssignment, memberId: result.memberId,
            members: result.members.map {
                JoinGroupResponse.Member(memberId: $0.memberId, groupInstanceId: $0.groupInstanceId, metadata: $0.metadata)
            })
    }
}
