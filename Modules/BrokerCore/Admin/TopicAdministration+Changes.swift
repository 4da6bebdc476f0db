import TernCoordination
public import TernProtocol

/// What `TopicAdministration.deleteTopic` answers, shaped for DeleteTopics.
public struct TopicDeletionOutcome: Hashable, Sendable {
    /// `.noError` when the topic was deleted.
    public var errorCode: KafkaErrorCode
    /// What went wrong, or nil.
    public var errorMessage: String?
    /// The topic's name, when known.
    public var name: String?
    /// The topic's id, or zero when unknown.
    public var id: KafkaUUID

    /// An outcome.
    public init(errorCode: KafkaErrorCode, errorMessage: String?, name: String?, id: KafkaUUID) {
        self.errorCode = errorCode
        self.errorMessage = errorMessage
        self.name = name
        self.id = id
    }
}

extension TopicAdministration {
    /// Deletes the topic named `name` and its configs. Internal topics may be deleted, as in
    /// Kafka; `delete.topic.enable` is the caller's to check, since its error depends on the
    /// request version.
    public func deleteTopic(named name: String) async -> TopicDeletionOutcome {
        guard let topic = await coordination.metadata().topics[name] else {
            return TopicDeletionOutcome(errorCode: .unknownTopicOrPartition, errorMessage: KafkaErrorCode.unknownTopicOrPartition.message,
                                        name: name, id: .zero)
        }
        return await delete(topic)
    }

    /// Deletes the topic whose id is `id` and its configs.
    public func deleteTopic(id: KafkaUUID) async -> TopicDeletionOutcome {
        guard let topic = await coordination.metadata().topic(withId: id) else {
            return TopicDeletionOutcome(errorCode: .unknownTopicId, errorMessage: KafkaErrorCode.unknownTopicId.message,
                                        name: nil, id: id)
        }
        return await delete(topic)
    }

    private func delete(_ topic: TopicMetadata) async -> TopicDeletionOutcome {
        do {
            try await coordination.deleteTopic(named: topic.name)
            return TopicDeletionOutcome(errorCode: .noError, errorMessage: nil, name: topic.name, id: topic.id)
        } catch {
            let refusal = AdminRefusal(error)
            return TopicDeletionOutcome(errorCode: refusal.kafkaErrorCode, errorMessage: refusal.message, name: topic.name, id: topic.id)
        }
    }

    /// Grows topic `topic` to `count` partitions, or only checks that it could when
    /// `validateOnly`. `assignments` gives the new partitions' replicas in order (nil places
    /// them round-robin with the topic's replication factor). New partitions start with their
    /// first replica leading, every replica in sync, epoch 0.
    public func createPartitions(topic name: String, count: Int32, assignments: [[Int32]]?, validateOnly: Bool) async -> AdminOutcome {
        let metadata = await coordination.metadata()
        guard let topic = metadata.topics[name] else { return .failure(.unknownTopicOrPartition) }
        let added: [PartitionAssignment]
        do {
            added = try plannedPartitions(of: topic, count: count, assignments: assignments, in: metadata)
        } catch {
            return error.outcome
        }
        guard !validateOnly else { return .success }
        do {
            try await coordination.addPartitions(added, toTopic: name)
            return .success
        } catch {
            return AdminRefusal(error).outcome
        }
    }

    private func plannedPartitions(
        of topic: TopicMetadata, count: Int32, assignments: [[Int32]]?, in metadata: ClusterMetadata
    ) throws(AdminRefusal) -> [PartitionAssignment] {
        let current = topic.partitions.count
        if Int(count) == current {
            throw AdminRefusal(.invalidPartitions, "Topic already has \(current) partition(s).")
        }
        if Int(count) < current {
            throw AdminRefusal(.invalidPartitions,
                "The topic \(topic.name) currently has \(current) partition(s); \(count) would not be an increase.")
        }
        if Int(count) > Self.partitionCountMax {
            throw AdminRefusal(.invalidPartitions, "Tern accepts at most \(Self.partitionCountMax) partitions per topic.")
        }
        let added = Int(count) - current
        let factor = topic.partitions.first?.replicas.count
        let replicas: [[Int32]]
        if let assignments {
            guard assignments.count == added else {
                throw AdminRefusal(.invalidReplicaAssignment,
                    "Attempted to add \(added) additional partition(s), but only \(assignments.count) assignment(s) were specified.")
            }
            let registered = Set(metadata.brokers.keys)
            for assignment in assignments {
                try RoundRobinPlacement.validate(assignment, registered: registered, replicationFactor: factor)
            }
            replicas = assignments
        } else {
            // Kafka passes the placer's refusal through unwrapped here.
            replicas = try place(partitions: current..<Int(count), replicationFactor: factor ?? 1, in: metadata, failure: { $0 })
        }
        return replicas.map { PartitionAssignment(replicas: $0, leader: $0[0], leaderEpoch: 0, inSyncReplicas: $0) }
    }
}

extension TopicAdministration {
    /// The ids of those of `names` that exist now.
    func topicIds(named names: [String]) async -> [String: KafkaUUID] {
        guard !names.isEmpty else { return [:] }
        let topics = await coordination.metadata().topics
        var ids: [String: KafkaUUID] = [:]
        for name in names { ids[name] = topics[name]?.id }
        return ids
    }
}
