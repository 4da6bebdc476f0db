// DescribeConfigs (API key 32), versions 0–4.
//
// - Resources: TOPIC (2) lists every topic config with its effective value; BROKER (4) named
//   by this broker's id lists every broker config Tern knows plus custom properties set in a
//   layer; BROKER "" lists the cluster-wide dynamic defaults that are set; BROKER_LOGGER (8)
//   lists this broker's loggers and levels. Another broker's id is INVALID_REQUEST (that
//   broker answers for itself), as is any other resource type; an unknown topic is
//   UNKNOWN_TOPIC_OR_PARTITION, an illegal topic name INVALID_TOPIC_EXCEPTION. Each resource
//   fails alone.
// - `configuration_keys` limits the answer to those names; unknown ones are left out.
// - v0 reports `is_default`; v1 replaces it with `config_source` and adds synonyms on request
//   (every layer that sets the config, highest precedence first); v3 adds `config_type` and
//   documentation on request; v4 is the first flexible version.
// - Sources are Kafka's: TOPIC_CONFIG 1, DYNAMIC_BROKER_CONFIG 2,
//   DYNAMIC_DEFAULT_BROKER_CONFIG 3, STATIC_BROKER_CONFIG 4, DEFAULT_CONFIG 5,
//   DYNAMIC_BROKER_LOGGER_CONFIG 6. Sensitive values are reported as null.

import TernProtocol

struct DescribeConfigsHandler {
    let administration: ConfigAdministration

    private typealias ConfigResult = DescribeConfigsResponse.ResourceResult.ConfigResult

    func handle(_ request: DescribeConfigsRequest, version: Int16) async -> DescribeConfigsResponse {
        var results: [DescribeConfigsResponse.ResourceResult] = []
        for resource in request.resources {
            let described = await administration.describe(
                type: resource.resourceType, name: resource.resourceName, only: resource.configurationKeys,
                includeSynonyms: version >= 1 && request.includeSynonyms,
                includeDocumentation: version >= 3 && request.includeDocumentation)
            results.append(DescribeConfigsResponse.ResourceResult(
                errorCode: described.outcome.errorCode.rawValue, errorMessage: described.outcome.errorMessage,
                resourceType: resource.resourceType, resourceName: resource.resourceName,
                configs: described.configs.map(result)))
        }
        return DescribeConfigsResponse(throttleTimeMs: 0, results: results)
    }

    private func result(_ config: ConfigDescription) -> ConfigResult {
        ConfigResult(
            name: config.name, value: config.isSensitive ? nil : config.value, readOnly: config.isReadOnly,
            isDefault: config.isDefault, configSource: config.source.rawValue, isSensitive: config.isSensitive,
            synonyms: config.synonyms.map {
                ConfigResult.Synonym(name: $0.name, value: config.isSensitive ? nil : $0.value, source: $0.source.rawValue)
            },
            configType: config.type.rawValue, documentation: config.documentation)
    }
}
