// CreateTopics (API key 19), versions 0–7.
//
// - v0 has no error messages and no validate_only; v1 adds both. v2 adds the throttle time,
//   v4 lets num_partitions and replication_factor be -1 for the broker defaults (accepted at
//   every version, as Kafka's controller does), v5 returns each new topic's partition count,
//   replication factor and effective configs (also for validate_only), v7 its topic id.
// - A name given more than once gets one INVALID_REQUEST entry ("Duplicate topic name.") and
//   is not created; the others go ahead.
// - Everything else is `TopicAdministration.createTopic`: the cluster metadata topic is
//   refused, then name rules and collisions (INVALID_TOPIC_EXCEPTION), an existing name
//   (TOPIC_ALREADY_EXISTS), configs (INVALID_CONFIG), manual assignments or partitions and
//   replication factor, in Kafka's order and with Kafka's messages.
// - A config with a null value is INVALID_CONFIG, as Kafka's controller refuses it. Two
//   assignments for one partition are INVALID_REPLICA_ASSIGNMENT.
// - validate_only answers exactly as a real creation would, with topic id zero, and writes
//   nothing. The timeout is not used: creation completes before the answer.

import TernCoordination
import TernProtocol

struct CreateTopicsHandler {
    let administration: TopicAdministration

    func handle(_ request: CreateTopicsRequest) async -> CreateTopicsResponse {
        var seen: [String: Int] = [:]
        for topic in request.topics { seen[topic.name, default: 0] += 1 }
        var reportedDuplicates: Set<String> = []
        var results: [CreateTopicsResponse.TopicResult] = []
        for topic in request.topics {
            if seen[topic.name, default: 0] > 1 {
                if reportedDuplicates.insert(topic.name).inserted {
                    results.append(failure(topic.name, AdminOutcome(.invalidRequest, "Duplicate topic name.")))
                }
                continue
            }
            results.append(await create(topic, validateOnly: request.validateOnly))
        }
        return CreateTopicsResponse(throttleTimeMs: 0, topics: results)
    }

    private func create(_ topic: CreateTopicsRequest.Topic, validateOnly: Bool) async -> CreateTopicsResponse.TopicResult {
        let unset = topic.configs.filter { $0.value == nil }.map(\.name)
        if !unset.isEmpty {
            return failure(topic.name, AdminOutcome(.invalidConfig, "Null value not supported for topic configs: \(unset.joined(separator: ","))"))
        }
        var assignments: [Int32: [Int32]] = [:]
        for assignment in topic.assignments {
            guard assignments.updateValue(assignment.brokerIds, forKey: assignment.partitionIndex) == nil else {
                return failure(topic.name, AdminOutcome(.invalidReplicaAssignment,
                    "Found multiple manual partition assignments for partition \(assignment.partitionIndex)"))
            }
        }
        var configs: [String: String] = [:]
        for config in topic.configs { configs[config.name] = config.value }
        let outcome = await administration.createTopic(
            name: topic.name, partitions: topic.numPartitions, replicationFactor: topic.replicationFactor,
            assignments: assignments.isEmpty ? nil : assignments, configs: configs, validateOnly: validateOnly)
        guard outcome.errorCode == .noError else {
            return failure(topic.name, AdminOutcome(outcome.errorCode, outcome.errorMessage))
        }
        return CreateTopicsResponse.TopicResult(
            name: topic.name, topicId: outcome.topic?.id ?? .zero, errorCode: 0, errorMessage: nil,
            numPartitions: outcome.partitionCount, replicationFactor: outcome.replicationFactor,
            configs: outcome.configs.map {
                CreateTopicsResponse.TopicResult.TopicResultConfig(
                    name: $0.name, value: $0.isSensitive ? nil : $0.value, readOnly: $0.isReadOnly,
                    configSource: $0.source.rawValue, isSensitive: $0.isSensitive)
            })
    }

    private func failure(_ name: String, _ outcome: AdminOutcome) -> CreateTopicsResponse.TopicResult {
        CreateTopicsResponse.TopicResult(name: name, errorCode: outcome.errorCode.rawValue, errorMessage: outcome.errorMessage)
    }
}
