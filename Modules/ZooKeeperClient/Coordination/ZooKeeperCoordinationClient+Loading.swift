import Logging
import TernCoordination
import TernPrimitives
import TernProtocol
import TernZooKeeper

// Reading the layout into the cache. Every read asks for a watch, so any later change of the
// node fires an event that reloads it. A node that is absent is dropped from the cache; a node
// whose JSON cannot be read is logged and skipped, never fatal.
extension ZooKeeperCoordinationClient {
    func load(_ keys: Set<KafkaSnapshotKey>, fullReload: Bool) async throws(ZooKeeperError) {
        // Parents first, so a child list decides which children are read at all.
        for key in keys.sorted(by: { $0.loadOrder < $1.loadOrder }) {
            try await load(key, fullReload: fullReload)
        }
    }

    private func load(_ key: KafkaSnapshotKey, fullReload: Bool) async throws(ZooKeeperError) {
        switch key {
        case .brokers:
            let ids = Set(try await zooKeeper.getChildren(KafkaZNodePath.brokerIds, watch: true).compactMap { Int32($0) })
            cache.brokers = cache.brokers.filter { ids.contains($0.key) }
            for id in ids.sorted() where fullReload || cache.brokers[id] == nil { try await load(.broker(id), fullReload: false) }
        case .broker(let id):
            cache.brokers[id] = try await read(KafkaZNodeData.Broker.self, at: KafkaZNodePath.broker(id))?.value.registration(id: id)
        case .controller:
            cache.controllerId = try await readController()
        case .topics:
            let names = Set(try await zooKeeper.getChildren(KafkaZNodePath.topics, watch: true))
            for name in cache.topics.keys where !names.contains(name) { cache.removeTopic(name) }
            for name in names.sorted() where fullReload || cache.topics[name] == nil { try await loadTopic(name, fullReload: fullReload) }
        case .topic(let name):
            try await loadTopic(name, fullReload: false)
        case .partitionState(let partition):
            try await loadState(partition)
        case .topicConfigs:
            let names = Set(try await zooKeeper.getChildren(KafkaZNodePath.topicConfigs, watch: true))
            cache.topicConfigs = cache.topicConfigs.filter { names.contains($0.key) }
            for name in names.sorted() where fullReload || cache.topicConfigs[name] == nil { try await load(.topicConfig(name), fullReload: false) }
        case .topicConfig(let name):
            cache.topicConfigs[name] = try await read(KafkaZNodeData.Config.self, at: KafkaZNodePath.topicConfig(name))?.value.config
        case .brokerConfigs:
            let nodes = Set(try await zooKeeper.getChildren(KafkaZNodePath.brokerConfigs, watch: true))
            cache.brokerConfigs = cache.brokerConfigs.filter { nodes.contains($0.key) }
            for node in nodes.sorted() where fullReload || cache.brokerConfigs[node] == nil {
                try await load(.brokerConfig(node: node), fullReload: false)
            }
        case .brokerConfig(let node):
            let path = "\(KafkaZNodePath.brokerConfigs)/\(node)"
            let config = try await read(KafkaZNodeData.Config.self, at: path)?.value.config
            cache.brokerConfigs[node] = config?.isEmpty == true ? nil : config
        case .producerIds:
            cache.nextProducerId = try await readProducerIdBlock(watch: true)?.block.map { $0.upperBound + 1 } ?? 0
        }
    }

    private func loadTopic(_ name: String, fullReload: Bool) async throws(ZooKeeperError) {
        guard let (topic, stat) = try await read(KafkaZNodeData.Topic.self, at: KafkaZNodePath.topic(name)) else {
            cache.removeTopic(name)
            return
        }
        guard let replicas = topic.replicasByPartition else {
            logger.warning("topic node skipped: partitions are not numbered 0..<n", metadata: ["topic": "\(name)"])
            return
        }
        let id = topic.topicId.flatMap { KafkaUUID(base64: $0) } ?? .zero
        let previous = cache.topics[name]
        cache.topics[name] = KafkaMetadataCache.TopicEntry(id: id, replicas: replicas, version: stat.version)
        cache.states = cache.states.filter { $0.key.topic != name || Int($0.key.partition) < replicas.count }
        for index in replicas.indices {
            let partition = TopicPartition(topic: name, partition: Int32(index))
            if fullReload || previous?.id != id || cache.states[partition] == nil { try await loadState(partition) }
        }
    }

    private func loadState(_ partition: TopicPartition) async throws(ZooKeeperError) {
        guard cache.topics[partition.topic] != nil else { return }
        let state = try await read(KafkaZNodeData.PartitionState.self, at: KafkaZNodePath.partitionState(partition))
        cache.states[partition] = state.map { KafkaMetadataCache.StateEntry(state: $0.value, version: $0.stat.version) }
    }

    /// The node's JSON and stat, watched; nil when the node is absent (then an exists watch
    /// waits for it) or its JSON is unreadable.
    func read<Value: Decodable>(_ type: Value.Type, at path: String) async throws(ZooKeeperError) -> (value: Value, stat: ZooKeeperStat)? {
        let data: [UInt8]
        let stat: ZooKeeperStat
        do throws(ZooKeeperError) {
            (data, stat) = try await zooKeeper.getData(path, watch: true)
        } catch .noNode {
            // getData sets no watch on a missing node; exists does. If it appeared in between,
            // the exists watch fires at once on the next change, and the read below sees it.
            guard try await zooKeeper.exists(path, watch: true) != nil else { return nil }
            (data, stat) = try await zooKeeper.getData(path, watch: true)
        }
        do {
            return (try KafkaZNodeData.decode(type, from: data, path: path), stat)
        } catch {
            logger.warning("znode skipped: unreadable JSON", metadata: ["error": "\(error)"])
            return nil
        }
    }

    private func readController() async throws(ZooKeeperError) -> Int32? {
        try await read(KafkaZNodeData.Controller.self, at: KafkaZNodePath.controller)?.value.brokerid
    }

    /// The last granted block (nil when none was) and the node's version.
    func readProducerIdBlock(watch: Bool) async throws(ZooKeeperError) -> (block: ClosedRange<Int64>?, version: Int32)? {
        let data: [UInt8]
        let stat: ZooKeeperStat
        do throws(ZooKeeperError) {
            (data, stat) = try await zooKeeper.getData(KafkaZNodePath.producerIdBlock, watch: watch)
        } catch .noNode {
            return nil
        }
        guard !data.isEmpty else { return (nil, stat.version) }
        guard let block = try? KafkaZNodeData.decode(KafkaZNodeData.ProducerIdBlock.self, from: data, path: KafkaZNodePath.producerIdBlock),
              let start = Int64(block.blockStart), let end = Int64(block.blockEnd), start <= end
        else { throw .malformedReply("\(KafkaZNodePath.producerIdBlock) holds \(String(decoding: data.prefix(200), as: UTF8.self))") }
        return (start...end, stat.version)
    }
}

extension KafkaSnapshotKey {
    /// Lists before their members, topics before their partition states.
    var loadOrder: Int {
        switch self {
        case .brokers, .topics, .topicConfigs, .brokerConfigs: 0
        case .controller, .producerIds, .broker, .topic, .topicConfig, .brokerConfig: 1
        case .partitionState: 2
        }
    }
}
