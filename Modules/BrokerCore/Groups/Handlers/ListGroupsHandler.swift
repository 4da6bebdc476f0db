// ListGroups (key 16), versions 0–5.
//
// - Lists the groups this broker coordinates (clients ask every broker and merge). v1 adds the
//   throttle time; v3 is flexible.
// - v4 filters by state (Kafka's names, any case; empty for all) and reports each group's state
//   (KIP-518).
// - v5 filters by group type and reports it (KIP-848): every group here is "classic", so a
//   filter without "classic" (any case) lists nothing.
// - While some `__consumer_offsets` partition is still loading, the error is
//   COORDINATOR_LOAD_IN_PROGRESS alongside the groups already loaded.

import TernGroupCoordinator
import TernProtocol

struct ListGroupsHandler: Sendable {
    static let versions: ClosedRange<Int16> = 0...5
    /// Kafka's name for the classic group type.
    static let classicGroupType = "classic"
    let service: GroupCoordinatorService

    func handle(_ request: ListGroupsRequest, context: RequestContext) async -> ListGroupsResponse {
        let version = context.apiVersion
        let states = version >= 4 ? Set(request.statesFilter) : []
        let types = version >= 5 ? request.typesFilter : []
        let listing = await service.listGroups(statesFilter: states)
        let typeMatches = types.isEmpty || types.contains { $0.lowercased() == Self.classicGroupType }
        return ListGroupsResponse(
            throttleTimeMs: 0, errorCode: listing.error.code,
            groups: (typeMatches ? listing.groups : []).map {
                ListGroupsResponse.ListedGroup(
                    groupId: $0.groupId, protocolType: $0.protocolType, groupState: $0.state.rawValue, groupType: Self.classicGroupType)
            })
    }
}
