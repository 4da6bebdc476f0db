// Goal: the pure parts of the zk:// backend read what Kafka and operators write: connect
// strings with several servers and a chroot, watch paths mapped to the snapshot keys they
// reload, Kafka's own JSON (including fields we do not write), and the watch bookkeeping
// that setWatches re-sends. Method: plain values in, values out; no ZooKeeper process.

import Testing
import TernCoordination
import TernPrimitives
import TernProtocol
import TernTransport
import TernZooKeeper
import TernZooKeeperClient

@Suite struct KafkaLayoutTests {
    @Test func connectString_serversAndChroot_mapPathsBothWays() throws {
        let connect = try ZooKeeperConnectString(parsing: "a:1,b,[::1]:3/kafka/prod")
        #expect(connect.servers == [Endpoint(host: "a", port: 1), Endpoint(host: "b", port: 2181), Endpoint(host: "::1", port: 3)])
        #expect(connect.serverPath("/") == "/kafka/prod")
        #expect(connect.serverPath("/brokers/ids") == "/kafka/prod/brokers/ids")
        #expect(connect.clientPath("/kafka/prod") == "/")
        #expect(connect.clientPath("/kafka/prod/controller") == "/controller")
        #expect(try ZooKeeperConnectString(parsing: "a:1/").chroot == "")
        for bad in ["", ",a:1", "a:0", "a:x", "a:1/b/", "a:1/b//c", "a:1/./c"] {
            #expect(throws: ZooKeeperConnectStringError.self, "\(bad)") { try ZooKeeperConnectString(parsing: bad) }
        }
    }

    @Test func snapshotKey_watchedPaths_mapToTheNodeTheyReload() {
        let cases: [(String, KafkaSnapshotKey?)] = [
            ("/brokers/ids", .brokers), ("/brokers/ids/7", .broker(7)), ("/brokers/ids/x", nil),
            ("/controller", .controller), ("/brokers/topics", .topics), ("/brokers/topics/orders", .topic("orders")),
            ("/brokers/topics/orders/partitions/3/state", .partitionState(TopicPartition(topic: "orders", partition: 3))),
            ("/brokers/topics/orders/partitions", nil), ("/config/topics", .topicConfigs),
            ("/config/topics/orders", .topicConfig("orders")), ("/config/brokers/<default>", .brokerConfig(node: "<default>")),
            ("/latest_producer_id_block", .producerIds), ("/admin/delete_topics", nil), ("/", nil),
        ]
        for (path, key) in cases { #expect(KafkaSnapshotKey(watchedPath: path) == key, "\(path)") }
    }

    @Test func brokerJSON_writtenByKafka_readsTheFirstPlaintextEndpoint() throws {
        // A Kafka 3.x registration: version 5, features, two listeners.
        let json = #"{"features":{},"listener_security_protocol_map":{"INTERNAL":"SSL","PLAINTEXT":"PLAINTEXT"},"#
            + #""endpoints":["INTERNAL://10.0.0.1:9093","PLAINTEXT://k1.example:9092"],"jmx_port":-1,"#
            + #""host":"k1.example","timestamp":"1700000000000","port":9092,"version":5,"rack":"az1"}"#
        let broker = try KafkaZNodeData.decode(KafkaZNodeData.Broker.self, from: Array(json.utf8), path: "/brokers/ids/1")
        #expect(broker.registration(id: 1) == BrokerRegistration(id: 1, host: "k1.example", port: 9092, rack: "az1"))
    }

    @Test func topicAndStateJSON_roundTripAndReadKafkasForm() throws {
        var random = SeededRandom(seed: 4)
        let id = KafkaUUID.random(using: &random)
        let written = KafkaZNodeData.Topic(id: id, replicas: [[1, 2], [2, 1]])
        let read = try KafkaZNodeData.decode(KafkaZNodeData.Topic.self, from: KafkaZNodeData.encode(written), path: "t")
        #expect(read.replicasByPartition == [[1, 2], [2, 1]] && read.topicId == id.description)
        let kafka = #"{"version":1,"partitions":{"1":[3],"0":[1]}}"#
        let old = try KafkaZNodeData.decode(KafkaZNodeData.Topic.self, from: Array(kafka.utf8), path: "t")
        #expect(old.replicasByPartition == [[1], [3]] && old.topicId == nil)
        let gap = #"{"version":2,"partitions":{"0":[1],"2":[3]}}"#
        #expect(try KafkaZNodeData.decode(KafkaZNodeData.Topic.self, from: Array(gap.utf8), path: "t").replicasByPartition == nil)
        let state = #"{"controller_epoch":2,"leader":3,"version":1,"leader_epoch":9,"isr":[3,1]}"#
        let decoded = try KafkaZNodeData.decode(KafkaZNodeData.PartitionState.self, from: Array(state.utf8), path: "s")
        #expect(decoded.leader == 3 && decoded.leaderEpoch == 9 && decoded.isr == [3, 1] && decoded.controllerEpoch == 2)
        #expect(throws: KafkaZNodeDataError.self) {
            try KafkaZNodeData.decode(KafkaZNodeData.PartitionState.self, from: Array("{\"leader\":".utf8), path: "s")
        }
    }

    @Test func cacheSnapshot_partitionWithoutState_hasNoLeader() {
        var cache = KafkaMetadataCache(clusterId: "c")
        cache.topics["t"] = KafkaMetadataCache.TopicEntry(id: .zero, replicas: [[1, 2], [2, 1]], version: 0)
        let state = KafkaZNodeData.PartitionState(PartitionAssignment(replicas: [1, 2], leader: 2, leaderEpoch: 3, inSyncReplicas: [2]), controllerEpoch: 1)
        cache.states[TopicPartition(topic: "t", partition: 0)] = KafkaMetadataCache.StateEntry(state: state, version: 5)
        cache.brokerConfigs["<default>"] = ["a": "b"]
        let snapshot = cache.snapshot(version: 9)
        #expect(snapshot.assignment(of: TopicPartition(topic: "t", partition: 0))
            == PartitionAssignment(replicas: [1, 2], leader: 2, leaderEpoch: 3, inSyncReplicas: [2], partitionEpoch: 5))
        #expect(snapshot.assignment(of: TopicPartition(topic: "t", partition: 1))?.leader == -1)
        #expect(snapshot.brokerConfigs == ["": ["a": "b"]] && snapshot.version == 9)
        cache.removeTopic("t")
        #expect(cache.states.isEmpty && cache.topics.isEmpty)
    }

    @Test func watchRegistry_fire_removesWhatTheServerRemoves() {
        var registry = ZooKeeperWatchRegistry()
        registry.add(.data, path: "/a")
        registry.add(.exist, path: "/b")
        registry.add(.child, path: "/a")
        let first = registry.fire(.nodeDataChanged, path: "/a")
        let second = registry.fire(.nodeDataChanged, path: "/a")
        #expect(first && !second, "one-shot")
        let rearm = registry.setWatches(relativeZxid: 42) { "/root" + $0 }
        #expect(rearm == ZooKeeperSetWatches(relativeZxid: 42, dataWatches: [], existWatches: ["/root/b"], childWatches: ["/root/a"]))
        let deleted = registry.fire(.nodeDeleted, path: "/a")
        let created = registry.fire(.nodeCreated, path: "/b")
        #expect(deleted && created)
        #expect(registry.isEmpty)
    }
}
