// FindCoordinator (key 10), versions 0–6.
//
// - v0 asks for a group's coordinator; v1 adds the key type (0 group, 1 transaction) and the
//   response's throttle time and error message; v3 is flexible; v4+ batches keys (KIP-699) and
//   answers each in `coordinators`; v5 and v6 change nothing we serve (v6's share-group key
//   type 2 is answered INVALID_REQUEST, as any unknown key type).
// - Groups: this broker when it coordinates the key's `__consumer_offsets` partition, else that
//   partition's leader from the cluster metadata, else COORDINATOR_NOT_AVAILABLE (see
//   `CoordinatorLocator`). Transactional ids: COORDINATOR_NOT_AVAILABLE unless the broker was
//   given `__transaction_state`'s partition count, then the leader from the metadata.
// - Errors carry Kafka's `Node.noNode` (-1, "", -1). Up to v3 the error message is "NONE" on
//   success, as Kafka's `Errors.NONE.message()` gives; v4+ entries carry a message only on error.
// - No authorization, so no GROUP_ or TRANSACTIONAL_ID_AUTHORIZATION_FAILED.

import TernProtocol

struct FindCoordinatorHandler: Sendable {
    static let versions: ClosedRange<Int16> = 0...6
    let locator: CoordinatorLocator

    func handle(_ request: FindCoordinatorRequest, context: RequestContext) async -> FindCoordinatorResponse {
        let version = context.apiVersion
        if version >= 4 {
            let locations = await locator.locate(request.coordinatorKeys, keyType: request.keyType)
            let coordinators = zip(request.coordinatorKeys, locations).map { key, location in
                FindCoordinatorResponse.Coordinator(
                    key: key, nodeId: location.nodeId, host: location.host, port: location.port, errorCode: location.error.rawValue,
                    errorMessage: location.error == .noError ? nil : location.error.message)
            }
            return FindCoordinatorResponse(throttleTimeMs: 0, coordinators: coordinators)
        }
        let keyType = version >= 1 ? request.keyType : CoordinatorLocator.KeyType.group.rawValue
        let location = await locator.locate([request.key], keyType: keyType)[0]
        return FindCoordinatorResponse(
            throttleTimeMs: 0, errorCode: location.error.rawValue,
            errorMessage: location.error == .noError ? "NONE" : location.error.message,
            nodeId: location.nodeId, host: location.host, port: location.port)
    }
}
