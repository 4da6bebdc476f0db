// CreatePartitions (API key 37), versions 0–3.
//
// - Every version has validate_only and error messages; v2 is the first flexible version, v3
//   changes nothing in the body.
// - A topic given more than once gets one INVALID_REQUEST entry ("Duplicate topic name.") and
//   is not changed; the others go ahead.
// - Everything else is `TopicAdministration.createPartitions`, with Kafka's checks and messages:
//   UNKNOWN_TOPIC_OR_PARTITION, INVALID_PARTITIONS when the count does not grow,
//   INVALID_REPLICA_ASSIGNMENT for assignments of the wrong number or shape, and
//   INVALID_REPLICATION_FACTOR when too few brokers are live to place new partitions.
// - The timeout is not used: the change completes before the answer.

import TernProtocol

struct CreatePartitionsHandler {
    let administration: TopicAdministration

    func handle(_ request: CreatePartitionsRequest) async -> CreatePartitionsResponse {
        var seen: [String: Int] = [:]
        for topic in request.topics { seen[topic.name, default: 0] += 1 }
        var reportedDuplicates: Set<String> = []
        var results: [CreatePartitionsResponse.TopicResult] = []
        for topic in request.topics {
            let outcome: AdminOutcome
            if seen[topic.name, default: 0] > 1 {
                guard reportedDuplicates.insert(topic.name).inserted else { continue }
                outcome = AdminOutcome(.invalidRequest, "Duplicate topic name.")
            } else {
                outcome = await administration.createPartitions(
                    topic: topic.name, count: topic.count, assignments: topic.assignments?.map(\.brokerIds),
                    validateOnly: request.validateOnly)
            }
            results.append(CreatePartitionsResponse.TopicResult(
                name: topic.name, errorCode: outcome.errorCode.rawValue, errorMessage: outcome.errorMessage))
        }
        return CreatePartitionsResponse(throttleTimeMs: 0, results: results)
    }
}
