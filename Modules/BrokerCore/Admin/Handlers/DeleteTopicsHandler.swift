// DeleteTopics (API key 20), versions 0–6.
//
// - v0–5 name topics in `topic_names`; v6 lists `topics`, each by name or by topic id, and
//   every answer carries both name and id. v1 adds the throttle time, v5 error messages.
// - An unknown name is UNKNOWN_TOPIC_OR_PARTITION, an unknown id UNKNOWN_TOPIC_ID. A name or id
//   given twice, an entry with both or neither, and a name whose id was also given are
//   INVALID_REQUEST with Kafka's messages; the rest go ahead. For a name whose id was also
//   given, both entries are answered and the topic is not deleted (Kafka answers only the
//   name's entry).
// - With `delete.topic.enable=false`, v0–2 answer INVALID_REQUEST for every topic and v3+
//   TOPIC_DELETION_DISABLED, as Kafka does.
// - Internal topics (`__consumer_offsets`, `__transaction_state`) may be deleted, as in Kafka.
// - Answers follow the request's order (Kafka shuffles them). The timeout is not used:
//   deletion completes before the answer.

import TernProtocol

struct DeleteTopicsHandler {
    let administration: TopicAdministration

    private typealias Result = DeleteTopicsResponse.TopicResult

    func handle(_ request: DeleteTopicsRequest, version: Int16) async -> DeleteTopicsResponse {
        let entries: [(name: String?, id: KafkaUUID)] = version >= 6
            ? request.topics.map { ($0.name, $0.topicId) }
            : request.topicNames.map { ($0, .zero) }
        if await !administration.brokerSettings().deleteTopicEnable {
            let outcome = version < 3 ? AdminOutcome(.invalidRequest, "Topic deletion is disabled.") : .failure(.topicDeletionDisabled)
            return DeleteTopicsResponse(responses: entries.map { result($0.name, $0.id, outcome) })
        }
        let duplicateNames = duplicates(entries.compactMap { $0.id == .zero ? $0.name : nil })
        let duplicateIds = duplicates(entries.compactMap { $0.name == nil ? $0.id : nil })
        let suppliedIds = Set(entries.compactMap { $0.name == nil && $0.id != .zero ? $0.id : nil })
        let idsByName = await administration.topicIds(named: entries.compactMap { $0.id == .zero ? $0.name : nil })
        let clashingIds = Set(idsByName.values.filter(suppliedIds.contains))
        var reported: Set<String> = []
        var results: [Result] = []
        for entry in entries {
            switch (entry.name, entry.id) {
            case (nil, .zero):
                results.append(result(nil, .zero, AdminOutcome(.invalidRequest, "Neither topic name nor id were specified.")))
            case (let name?, let id) where id != .zero:
                results.append(result(name, id, AdminOutcome(.invalidRequest, "You may not specify both topic name and topic id.")))
            case (let name?, _) where duplicateNames.contains(name):
                if reported.insert("name:" + name).inserted {
                    results.append(result(name, .zero, AdminOutcome(.invalidRequest, "Duplicate topic name.")))
                }
            case (nil, let id) where duplicateIds.contains(id):
                if reported.insert("id:\(id)").inserted {
                    results.append(result(nil, id, AdminOutcome(.invalidRequest, "Duplicate topic id.")))
                }
            case (let name?, _) where idsByName[name].map(clashingIds.contains) ?? false:
                results.append(result(name, idsByName[name] ?? .zero, Self.clash))
            case (nil, let id) where clashingIds.contains(id):
                results.append(result(nil, id, Self.clash))
            case (let name?, _):
                results.append(result(await administration.deleteTopic(named: name)))
            case (nil, let id):
                results.append(result(await administration.deleteTopic(id: id)))
            }
        }
        return DeleteTopicsResponse(throttleTimeMs: 0, responses: results)
    }

    /// A topic named both by name and by id: it is not deleted.
    private static let clash = AdminOutcome(.invalidRequest, "The provided topic name maps to an ID that was already supplied.")

    private func duplicates<Key: Hashable>(_ keys: [Key]) -> Set<Key> {
        var seen: Set<Key> = []
        return Set(keys.filter { !seen.insert($0).inserted })
    }

    private func result(_ outcome: TopicDeletionOutcome) -> Result {
        Result(name: outcome.name, topicId: outcome.id, errorCode: outcome.errorCode.rawValue, errorMessage: outcome.errorMessage)
    }

    private func result(_ name: String?, _ id: KafkaUUID, _ outcome: AdminOutcome) -> Result {
        Result(name: name, topicId: id, errorCode: outcome.errorCode.rawValue, errorMessage: outcome.errorMessage)
    }
}
