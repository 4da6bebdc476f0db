// IncrementalAlterConfigs (API key 44), versions 0–1.
//
// - Applies SET (0), DELETE (1), APPEND (2) and SUBTRACT (3) to a resource's dynamic configs
//   and validates the result as a whole. APPEND and SUBTRACT work on LIST configs only
//   (INVALID_CONFIG otherwise), starting from the default when the config is unset; an
//   unknown operation is INVALID_REQUEST.
// - TOPIC resources: overrides, validated as CreateTopics validates them (INVALID_CONFIG).
//   BROKER resources: per-broker configs ("<id>") or cluster-wide defaults (""); read-only
//   configs and bad values are INVALID_REQUEST, as in Kafka. BROKER_LOGGER resources (this
//   broker's id only): SET or DELETE logger levels; levels are TRACE, DEBUG, INFO, WARN,
//   ERROR and FATAL, unknown loggers are INVALID_CONFIG, and root's level cannot be deleted.
// - A resource listed twice, a config named twice within a resource, or a null value for
//   anything but DELETE are INVALID_REQUEST with Kafka's messages. Each resource fails alone.
// - Changes are written to the cluster metadata and applied live by every broker watching
//   it; validate_only runs every check and writes nothing. v1 is the first flexible version.

import TernProtocol

struct IncrementalAlterConfigsHandler {
    let administration: ConfigAdministration

    func handle(_ request: IncrementalAlterConfigsRequest) async -> IncrementalAlterConfigsResponse {
        let repeated = AdminRequests.repeatedResources(request.resources.map { ($0.resourceType, $0.resourceName) })
        var responses: [IncrementalAlterConfigsResponse.ResourceResult] = []
        for resource in request.resources {
            let outcome: AdminOutcome
            let unset = resource.configs.filter { $0.value == nil && $0.configOperation != ConfigOperation.delete.rawValue }
            if repeated.contains(AdminRequests.key(resource.resourceType, resource.resourceName)) {
                outcome = AdminRequests.repeatedResource
            } else if let problem = AdminRequests.problem(names: resource.configs.map(\.name), unset: unset.map(\.name)) {
                outcome = problem
            } else {
                outcome = await administration.alterConfigs(
                    type: resource.resourceType, name: resource.resourceName,
                    changes: resource.configs.map { ConfigChange(name: $0.name, operationCode: $0.configOperation, value: $0.value) },
                    validateOnly: request.validateOnly)
            }
            responses.append(IncrementalAlterConfigsResponse.ResourceResult(
                errorCode: outcome.errorCode.rawValue, errorMessage: outcome.errorMessage,
                resourceType: resource.resourceType, resourceName: resource.resourceName))
        }
        return IncrementalAlterConfigsResponse(throttleTimeMs: 0, responses: responses)
    }
}
