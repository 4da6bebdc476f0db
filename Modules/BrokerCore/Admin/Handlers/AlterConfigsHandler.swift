// AlterConfigs (API key 33), versions 0–2.
//
// - Replaces a resource's whole set of dynamic configs: names left out are removed. TOPIC
//   resources store overrides (validated as CreateTopics validates them: INVALID_CONFIG);
//   BROKER resources store per-broker configs ("<id>") or cluster-wide defaults ("");
//   read-only broker configs and bad values are INVALID_REQUEST, as in Kafka. Changes are
//   written to the cluster metadata and applied live by every broker watching it.
// - A resource listed twice, a config named twice within a resource, or a null value are
//   INVALID_REQUEST with Kafka's messages. BROKER_LOGGER and other types are INVALID_REQUEST:
//   only IncrementalAlterConfigs changes logger levels. Each resource fails alone.
// - validate_only runs every check and writes nothing. v2 is the first flexible version.

import TernProtocol

struct AlterConfigsHandler {
    let administration: ConfigAdministration

    func handle(_ request: AlterConfigsRequest) async -> AlterConfigsResponse {
        let repeated = AdminRequests.repeatedResources(request.resources.map { ($0.resourceType, $0.resourceName) })
        var responses: [AlterConfigsResponse.ResourceResult] = []
        for resource in request.resources {
            let outcome: AdminOutcome
            if repeated.contains(AdminRequests.key(resource.resourceType, resource.resourceName)) {
                outcome = AdminRequests.repeatedResource
            } else if let problem = AdminRequests.problem(names: resource.configs.map(\.name),
                                                          unset: resource.configs.filter { $0.value == nil }.map(\.name)) {
                outcome = problem
            } else {
                var configs: [String: String] = [:]
                for config in resource.configs { configs[config.name] = config.value }
                outcome = await administration.replaceConfigs(
                    type: resource.resourceType, name: resource.resourceName, with: configs, validateOnly: request.validateOnly)
            }
            responses.append(AlterConfigsResponse.ResourceResult(
                errorCode: outcome.errorCode.rawValue, errorMessage: outcome.errorMessage,
                resourceType: resource.resourceType, resourceName: resource.resourceName))
        }
        return AlterConfigsResponse(throttleTimeMs: 0, responses: responses)
    }
}
