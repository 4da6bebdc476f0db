public import TernCoordination
public import TernPrimitives
import TernProtocol
import TernZooKeeper

// The protocol's writes on Kafka's layout. A write that touches several nodes is one multi,
// guarded by the versions it read, and is retried (a bounded number of times) when another
// writer got in between. Every write reloads what it changed before returning.
extension ZooKeeperCoordinationClient {
    /// Times a write re-reads and retries after losing a version race.
    static let raceRetriesMax = 8

    public func registerBroker(_ broker: BrokerRegistration) async throws(CoordinationError) {
        let path = KafkaZNodePath.broker(broker.id)
        let data = KafkaZNodeData.encode(KafkaZNodeData.Broker(broker, timestamp: clock.wallClockMilliseconds))
        let session = await zooKeeper.sessionID
        for _ in 0..<Self.raceRetriesMax {
            let created = try await step(brokerIdInUseOn: broker.id) { () async throws(ZooKeeperError) -> Bool in
                do throws(ZooKeeperError) {
                    _ = try await zooKeeper.create(path, data: data, mode: .ephemeral)
                    return true
                } catch .nodeExists {
                    guard let stat = try await zooKeeper.exists(path) else { return false }
                    // Our own session's node (a repeated registration): replace its data.
                    guard stat.ephemeralOwner == session else { throw .nodeExists(path) }
                    try await zooKeeper.setData(path, data: data)
                    return true
                }
            }
            if created {
                registration = broker
                await refresh([.brokers, .broker(broker.id)])
                return
            }
        }
        throw .unavailable("registration of broker \(broker.id) kept racing")
    }

    public func claimController(brokerId: Int32) async throws(CoordinationError) -> Int32 {
        let session = await zooKeeper.sessionID
        for _ in 0..<Self.raceRetriesMax {
            let outcome = try await step(brokerIdInUseOn: brokerId) { () async throws(ZooKeeperError) -> Int32? in
                if let stat = try await zooKeeper.exists(KafkaZNodePath.broker(brokerId)), stat.ephemeralOwner != session {
                    throw .nodeExists(KafkaZNodePath.broker(brokerId))
                }
                if let holder = try await read(KafkaZNodeData.Controller.self, at: KafkaZNodePath.controller) {
                    return holder.value.brokerid
                }
                return try await tryClaim(brokerId)
            }
            if let controller = outcome {
                if controller == brokerId { claimedController = brokerId }
                await refresh([.controller])
                return controller
            }
        }
        throw .unavailable("controller election kept racing")
    }

    /// Kafka's election: create the ephemeral `/controller` and raise `/controller_epoch` in
    /// one multi, conditional on the epoch's version. Nil when another claimant got in between.
    private func tryClaim(_ brokerId: Int32) async throws(ZooKeeperError) -> Int32? {
        let epochPath = KafkaZNodePath.controllerEpoch
        let epoch: Int32
        let version: Int32
        do throws(ZooKeeperError) {
            let (data, stat) = try await zooKeeper.getData(epochPath)
            epoch = Int32(String(decoding: data, as: UTF8.self)) ?? 0
            version = stat.version
        } catch .noNode {
            do throws(ZooKeeperError) { _ = try await zooKeeper.create(epochPath, data: Array("0".utf8)) } catch .nodeExists {}
            return nil
        }
        let controller = KafkaZNodeData.encode(KafkaZNodeData.Controller(brokerId: brokerId, timestamp: clock.wallClockMilliseconds))
        do throws(ZooKeeperError) {
            try await zooKeeper.multi([
                .create(ZooKeeperCreateRequest(path: KafkaZNodePath.controller, data: controller, flags: ZooKeeperCreateMode.ephemeral.rawValue)),
                .setData(path: epochPath, data: Array(String(epoch + 1).utf8), version: version),
            ])
        } catch .multiFailed(_, .nodeExists), .multiFailed(_, .badVersion) {
            return nil
        }
        controllerEpoch = epoch + 1
        return brokerId
    }

    public func createTopic(_ topic: TopicMetadata) async throws(CoordinationError) {
        if cache.topics.contains(where: { $0.key != topic.name && $0.value.id == topic.id }) { throw .topicExists(topic.name) }
        let name = topic.name
        let epoch = controllerEpoch
        try await step(topicExistsOn: name) { () async throws(ZooKeeperError) in
            let configExists = try await zooKeeper.exists(KafkaZNodePath.topicConfig(name)) != nil
            var operations: [ZooKeeperMultiOperation] = [
                .create(ZooKeeperCreateRequest(
                    path: KafkaZNodePath.topic(name),
                    data: KafkaZNodeData.encode(KafkaZNodeData.Topic(id: topic.id, replicas: topic.partitions.map(\.replicas))))),
                .create(ZooKeeperCreateRequest(path: KafkaZNodePath.partitions(name))),
            ]
            for (index, assignment) in topic.partitions.enumerated() {
                operations += Self.createPartition(TopicPartition(topic: name, partition: Int32(index)), assignment, controllerEpoch: epoch)
            }
            let config = KafkaZNodeData.encode(KafkaZNodeData.Config(topic.configs))
            // A config node left by a tool that wrote it before the topic is taken over.
            operations.append(configExists
                ? .setData(path: KafkaZNodePath.topicConfig(name), data: config, version: -1)
                : .create(ZooKeeperCreateRequest(path: KafkaZNodePath.topicConfig(name), data: config)))
            try await zooKeeper.multi(operations)
        }
        await refresh([.topics, .topic(name), .topicConfigs, .topicConfig(name)])
    }

    static func createPartition(
        _ partition: TopicPartition, _ assignment: PartitionAssignment, controllerEpoch: Int32
    ) -> [ZooKeeperMultiOperation] {
        let state = KafkaZNodeData.encode(KafkaZNodeData.PartitionState(assignment, controllerEpoch: controllerEpoch))
        return [
            .create(ZooKeeperCreateRequest(path: KafkaZNodePath.partition(partition))),
            .create(ZooKeeperCreateRequest(path: KafkaZNodePath.partitionState(partition), data: state)),
        ]
    }

    public func deleteTopic(named name: String) async throws(CoordinationError) {
        for _ in 0..<Self.raceRetriesMax {
            let deleted = try await step(unknownTopicOn: name) { () async throws(ZooKeeperError) -> Bool in
                let operations = try await deletions(ofTopic: name)
                do throws(ZooKeeperError) {
                    try await zooKeeper.multi(operations)
                    return true
                } catch .multiFailed(_, .notEmpty), .multiFailed(_, .noNode), .multiFailed(_, .badVersion) {
                    return false
                }
            }
            if deleted {
                await refresh([.topics, .topic(name), .topicConfigs, .topicConfig(name)])
                return
            }
        }
        throw .unavailable("deleting topic \(name) kept racing")
    }

    /// Deletes of the topic's whole subtree, leaves first, and of its config node.
    private func deletions(ofTopic name: String) async throws(ZooKeeperError) -> [ZooKeeperMultiOperation] {
        guard let topicStat = try await zooKeeper.exists(KafkaZNodePath.topic(name)) else { throw .noNode(KafkaZNodePath.topic(name)) }
        var operations: [ZooKeeperMultiOperation] = []
        var subtree: [String] = []
        var frontier = [KafkaZNodePath.topic(name)]
        // Breadth-first, bounded by the topic's own nodes; deleted in reverse so children go first.
        while let path = frontier.popLast() {
            subtree.append(path)
            do throws(ZooKeeperError) {
                frontier += try await zooKeeper.getChildren(path).map { "\(path)/\($0)" }
            } catch .noNode {
                continue
            }
        }
        for path in subtree.dropFirst().sorted(by: { $0.count > $1.count }) { operations.append(.delete(path: path, version: -1)) }
        operations.append(.delete(path: KafkaZNodePath.topic(name), version: topicStat.version))
        if try await zooKeeper.exists(KafkaZNodePath.topicConfig(name)) != nil {
            operations.append(.delete(path: KafkaZNodePath.topicConfig(name), version: -1))
        }
        return operations
    }

    public func addPartitions(_ partitions: [PartitionAssignment], toTopic name: String) async throws(CoordinationError) {
        let epoch = controllerEpoch
        for _ in 0..<Self.raceRetriesMax {
            let added = try await step(unknownTopicOn: name) { () async throws(ZooKeeperError) -> Bool in
                let (data, stat) = try await zooKeeper.getData(KafkaZNodePath.topic(name))
                guard let topic = try? KafkaZNodeData.decode(KafkaZNodeData.Topic.self, from: data, path: KafkaZNodePath.topic(name)),
                      let replicas = topic.replicasByPartition, let id = topic.topicId.flatMap({ KafkaUUID(base64: $0) })
                else { throw .malformedReply("\(KafkaZNodePath.topic(name)) is not a topic assignment") }
                guard !partitions.isEmpty else { return true }
                var updated = KafkaZNodeData.Topic(id: id, replicas: replicas + partitions.map(\.replicas))
                updated.addingReplicas = topic.addingReplicas
                updated.removingReplicas = topic.removingReplicas
                var operations: [ZooKeeperMultiOperation] = [
                    .setData(path: KafkaZNodePath.topic(name), data: KafkaZNodeData.encode(updated), version: stat.version),
                ]
                if try await zooKeeper.exists(KafkaZNodePath.partitions(name)) == nil {
                    operations.append(.create(ZooKeeperCreateRequest(path: KafkaZNodePath.partitions(name))))
                }
                for (offset, assignment) in partitions.enumerated() {
                    let partition = TopicPartition(topic: name, partition: Int32(replicas.count + offset))
                    operations += Self.createPartition(partition, assignment, controllerEpoch: epoch)
                }
                do throws(ZooKeeperError) {
                    try await zooKeeper.multi(operations)
                    return true
                } catch .multiFailed(0, .badVersion) {
                    return false
                }
            }
            if added {
                await refresh([.topic(name)])
                return
            }
        }
        throw .unavailable("adding partitions to \(name) kept racing")
    }

    public func setTopicConfigs(_ configs: [String: String], forTopic name: String) async throws(CoordinationError) {
        let data = KafkaZNodeData.encode(KafkaZNodeData.Config(configs))
        let path = KafkaZNodePath.topicConfig(name)
        try await step(unknownTopicOn: name) { () async throws(ZooKeeperError) in
            let write: ZooKeeperMultiOperation = try await zooKeeper.exists(path) != nil
                ? .setData(path: path, data: data, version: -1)
                : .create(ZooKeeperCreateRequest(path: path, data: data))
            // The check makes the write conditional on the topic existing at that moment.
            try await zooKeeper.multi([.check(path: KafkaZNodePath.topic(name), version: -1), write])
        }
        await refresh([.topicConfigs, .topicConfig(name)])
    }

    public func setBrokerConfigs(_ configs: [String: String], scope: String) async throws(CoordinationError) {
        let path = KafkaZNodePath.brokerConfig(scope: scope)
        let data = KafkaZNodeData.encode(KafkaZNodeData.Config(configs))
        try await step { () async throws(ZooKeeperError) in
            if configs.isEmpty {
                do throws(ZooKeeperError) { try await zooKeeper.delete(path) } catch .noNode {}
                return
            }
            do throws(ZooKeeperError) {
                try await zooKeeper.setData(path, data: data)
            } catch .noNode {
                do throws(ZooKeeperError) {
                    _ = try await zooKeeper.create(path, data: data)
                } catch .nodeExists {
                    try await zooKeeper.setData(path, data: data)
                }
            }
        }
        await refresh([.brokerConfigs, .brokerConfig(node: KafkaZNodePath.brokerConfigNode(scope: scope))])
    }

    public func updatePartition(
        _ partition: TopicPartition, to assignment: PartitionAssignment, expectedPartitionEpoch: Int32
    ) async throws(CoordinationError) -> Int32 {
        let statePath = KafkaZNodePath.partitionState(partition)
        let state = KafkaZNodeData.encode(KafkaZNodeData.PartitionState(assignment, controllerEpoch: controllerEpoch))
        for _ in 0..<Self.raceRetriesMax {
            let outcome = try await step(unknownTopicOn: partition.topic) { () async throws(ZooKeeperError) -> Result<Int32, CoordinationError>? in
                let (data, stat) = try await zooKeeper.getData(KafkaZNodePath.topic(partition.topic))
                guard let topic = try? KafkaZNodeData.decode(KafkaZNodeData.Topic.self, from: data, path: KafkaZNodePath.topic(partition.topic)),
                      let replicas = topic.replicasByPartition, let id = topic.topicId.flatMap({ KafkaUUID(base64: $0) })
                else { throw .malformedReply("\(KafkaZNodePath.topic(partition.topic)) is not a topic assignment") }
                guard partition.partition >= 0, Int(partition.partition) < replicas.count else { return .failure(.unknownTopic(partition.topic)) }
                var operations: [ZooKeeperMultiOperation] = [.setData(path: statePath, data: state, version: expectedPartitionEpoch)]
                if replicas[Int(partition.partition)] != assignment.replicas {
                    var moved = replicas
                    moved[Int(partition.partition)] = assignment.replicas
                    var updated = KafkaZNodeData.Topic(id: id, replicas: moved)
                    updated.addingReplicas = topic.addingReplicas
                    updated.removingReplicas = topic.removingReplicas
                    operations.append(.setData(path: KafkaZNodePath.topic(partition.topic), data: KafkaZNodeData.encode(updated), version: stat.version))
                }
                do throws(ZooKeeperError) {
                    let results = try await zooKeeper.multi(operations)
                    guard case .setData(let written) = results.first else { throw .malformedReply("multi answered \(results)") }
                    return .success(written.version)
                } catch .multiFailed(0, .badVersion) {
                    let actual = try await zooKeeper.exists(statePath)?.version ?? -1
                    return .failure(.partitionEpochMismatch(partition, expected: expectedPartitionEpoch, actual: actual))
                } catch .multiFailed(0, .noNode) {
                    return .failure(.unknownTopic(partition.topic))
                } catch .multiFailed(1, .badVersion) {
                    return nil
                }
            }
            guard let outcome else { continue }
            await refresh([.partitionState(partition), .topic(partition.topic)])
            return try outcome.get()
        }
        throw .unavailable("updating \(partition) kept racing")
    }

    public func allocateProducerIds(count: Int) async throws(CoordinationError) -> ClosedRange<Int64> {
        guard count > 0 else { throw .unavailable("cannot grant \(count) producer ids") }
        let broker = registration?.id ?? -1
        for _ in 0..<Self.raceRetriesMax {
            let granted = try await step { () async throws(ZooKeeperError) -> Result<ClosedRange<Int64>, CoordinationError>? in
                let current = try await readProducerIdBlock(watch: false)
                let first = current?.block.map { $0.upperBound + 1 } ?? 0
                guard first <= Int64.max - Int64(count) else {
                    return .failure(.unavailable("cannot grant \(count) producer ids after \(first)"))
                }
                let block = first...(first + Int64(count) - 1)
                let data = KafkaZNodeData.encode(KafkaZNodeData.ProducerIdBlock(broker: broker, ids: block))
                do throws(ZooKeeperError) {
                    if let current {
                        try await zooKeeper.setData(KafkaZNodePath.producerIdBlock, data: data, version: current.version)
                    } else {
                        _ = try await zooKeeper.create(KafkaZNodePath.producerIdBlock, data: data)
                    }
                    return .success(block)
                } catch .badVersion, .nodeExists {
                    return nil
                }
            }
            guard let granted else { continue }
            await refresh([.producerIds])
            return try granted.get()
        }
        throw .unavailable("producer id allocation kept racing")
    }
}

extension ZooKeeperCoordinationClient {
    /// `step`, with a `nodeExists` on the broker's node meaning another session holds the id.
    func step<Value>(
        brokerIdInUseOn id: Int32, _ body: () async throws(ZooKeeperError) -> Value
    ) async throws(CoordinationError) -> Value {
        try await mapping(body) { error in
            if case .nodeExists(KafkaZNodePath.broker(id)) = error { return .brokerIdInUse(id) }
            return nil
        }
    }

    /// `step`, with the topic's node missing meaning an unknown topic.
    func step<Value>(
        unknownTopicOn name: String, _ body: () async throws(ZooKeeperError) -> Value
    ) async throws(CoordinationError) -> Value {
        try await mapping(body) { error in
            switch error {
            case .noNode(KafkaZNodePath.topic(name)), .multiFailed(_, .noNode(KafkaZNodePath.topic(name))): .unknownTopic(name)
            default: nil
            }
        }
    }

    /// `step`, with the topic's node already present meaning the name is taken.
    func step<Value>(
        topicExistsOn name: String, _ body: () async throws(ZooKeeperError) -> Value
    ) async throws(CoordinationError) -> Value {
        try await mapping(body) { error in
            if case .multiFailed(0, .nodeExists) = error { return .topicExists(name) }
            return nil
        }
    }

    private func mapping<Value>(
        _ body: () async throws(ZooKeeperError) -> Value, _ map: (ZooKeeperError) -> CoordinationError?
    ) async throws(CoordinationError) -> Value {
        guard !isClosed else { throw .closed }
        do throws(ZooKeeperError) {
            return try await body()
        } catch {
            if let mapped = map(error) { throw mapped }
            if case .closed = error { throw .closed }
            throw .unavailable("ZooKeeper: \(error)")
        }
    }
}
