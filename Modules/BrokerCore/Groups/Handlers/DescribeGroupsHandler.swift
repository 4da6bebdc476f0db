// DescribeGroups (key 15), versions 0–5.
//
// - An unknown group is described as Dead with no error (Kafka answers GROUP_ID_NOT_FOUND only
//   from v6, which the codec does not support). Groups of other coordinators carry
//   NOT_COORDINATOR (or COORDINATOR_LOAD_IN_PROGRESS) with empty state, protocol and members.
// - Member metadata is filled only while the group is Stable, as in Kafka.
// - v3+ may ask for the authorized operations. Without an authorizer Kafka reports every
//   operation a group supports: READ (3), DELETE (6) and DESCRIBE (8), the bit field 328.
// - v4 adds the members' group instance ids; v5 is flexible.

import TernGroupCoordinator
import TernProtocol

struct DescribeGroupsHandler: Sendable {
    static let versions: ClosedRange<Int16> = 0...5
    /// READ, DELETE and DESCRIBE as Kafka's `Utils.to32BitField` packs `AclOperation` codes.
    static let groupOperations: Int32 = 1 << 3 | 1 << 6 | 1 << 8
    let service: GroupCoordinatorService

    func handle(_ request: DescribeGroupsRequest, context: RequestContext) async -> DescribeGroupsResponse {
        let includeOperations = context.apiVersion >= 3 && request.includeAuthorizedOperations
        let descriptions = await service.describeGroups(request.groups)
        return DescribeGroupsResponse(
            throttleTimeMs: 0,
            groups: descriptions.map { group in
                let served = group.error == .noError
                return DescribeGroupsResponse.DescribedGroup(
                    errorCode: group.error.code, groupId: group.groupId, groupState: served ? group.state.rawValue : "",
                    protocolType: group.protocolType, protocolData: group.protocolData,
                    members: group.members.map {
                        DescribeGroupsResponse.DescribedGroup.Member(
                            memberId: $0.memberId, groupInstanceId: $0.groupInstanceId, clientId: $0.clientId,
                            clientHost: $0.clientHost, memberMetadata: $0.metadata, memberAssignment: $0.assignment)
                    },
                    authorizedOperations: includeOperations && served ? Self.groupOperations : Int32.min)
            })
    }
}
