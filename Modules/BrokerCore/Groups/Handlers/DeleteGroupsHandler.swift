// DeleteGroups (key 42), versions 0–2.
//
// - Each group is deleted with its offsets if it is empty (NON_EMPTY_GROUP otherwise,
//   GROUP_ID_NOT_FOUND when unknown); groups of other coordinators get NOT_COORDINATOR each, so
//   the admin client retries them there. v1 changes only throttling; v2 is flexible.
// - A group named twice is answered once, as Kafka deduplicates the request.

import TernGroupCoordinator
import TernProtocol

struct DeleteGroupsHandler: Sendable {
    static let versions: ClosedRange<Int16> = 0...2
    let service: GroupCoordinatorService

    func handle(_ request: DeleteGroupsRequest, context: RequestContext) async -> DeleteGroupsResponse {
        var seen = Set<String>()
        let groupIds = request.groupsNames.filter { seen.insert($0).inserted }
        let outcomes = await service.deleteGroups(groupIds)
        return DeleteGroupsResponse(
            throttleTimeMs: 0,
            results: groupIds.map {
                DeleteGroupsResponse.DeletableGroupResult(groupId: $0, errorCode: (outcomes[$0] ?? .unknownServerError).code)
            })
    }
}
