// Goal: the `zk://` backend keeps the CoordinationClient contract the embedded backend is
// tested for (CoordinationSessionTests, ClusterStateTests, EmbeddedCoordinationTests), stores
// it in Kafka's ZooKeeper-mode layout, and lets two brokers see each other through watches.
// Method: ZooKeeperCoordinationClient on a real Apache ZooKeeper, one chroot per test; a
// second client stands for another broker or a restart; other brokers' views are polled with
// a bounded wait, since they follow watches.

import Foundation
import Testing
import TernCoordination
import TernPrimitives
import TernProtocol
import TernTransportNIO
import TernZooKeeper
import TernZooKeeperClient

@Suite(.enabled(if: ApacheZooKeeper.isInstalled, "Debian package zookeeper (/usr/share/java/zookeeper.jar) is not installed"))
struct ZooKeeperCoordinationTests {
    private func open(_ server: ApacheZooKeeper, _ chroot: String, clusterId: String = "cluster-a") async throws -> ZooKeeperCoordinationClient {
        try await ZooKeeperCoordinationClient.open(
            connectString: server.connectString(chroot: chroot),
            configuration: ZooKeeperClientConfiguration(
                sessionTimeout: .seconds(6), connectTimeout: .seconds(10), requestConnectionWait: .seconds(30)),
            transport: NIOTransport(), clock: SystemClock(), logger: testLogger(), newClusterId: clusterId)
    }

    @Test func twoBrokers_seeEachOtherAndOneController_closeDropsItsBrokerAndClaim() async throws {
        let server = try await SharedZooKeeper.get()
        let chroot = uniqueChroot("brokers")
        let one = try await open(server, chroot)
        let two = try await open(server, chroot, clusterId: "ignored")
        #expect(await two.metadata().clusterId == "cluster-a", "the first client created /cluster/id")
        try await one.registerBroker(sampleBroker(1))
        try await two.registerBroker(sampleBroker(2))
        #expect(try await one.claimController(brokerId: 1) == 1)
        #expect(try await two.claimController(brokerId: 2) == 1)
        #expect(await eventually(two) { $0.brokers.keys.sorted() == [1, 2] && $0.controllerId == 1 })
        #expect(await eventually(one) { $0.brokers == [1: sampleBroker(1), 2: sampleBroker(2)] })

        var updates = await two.updates().makeAsyncIterator()
        _ = await updates.next()
        await one.close()
        #expect(await eventually(two) { $0.brokers.keys.sorted() == [2] && $0.controllerId == nil })
        let next = await updates.next()
        #expect(next?.brokers[1] == nil || next?.controllerId == nil, "the stream told of the change")
        #expect(try await two.claimController(brokerId: 2) == 2)
        await two.close()
    }

    @Test func registerBroker_idOfAnotherLiveSession_throwsBrokerIdInUseUntilItCloses() async throws {
        let server = try await SharedZooKeeper.get()
        let chroot = uniqueChroot("in-use")
        let old = try await open(server, chroot)
        try await old.registerBroker(sampleBroker(1))
        try await old.registerBroker(BrokerRegistration(id: 1, host: "moved", port: 9093))
        let restarted = try await open(server, chroot)
        await #expect(throws: CoordinationError.brokerIdInUse(1)) { try await restarted.registerBroker(sampleBroker(1)) }
        await #expect(throws: CoordinationError.brokerIdInUse(1)) { _ = try await restarted.claimController(brokerId: 1) }
        await old.close()
        try await restarted.registerBroker(sampleBroker(1))
        #expect(await restarted.metadata().brokers[1] == sampleBroker(1))
        await restarted.close()
        await #expect(throws: CoordinationError.closed) { try await restarted.createTopic(sampleTopic("late")) }
        var closedStream = await restarted.updates().makeAsyncIterator()
        #expect(await closedStream.next() == nil)
    }

    @Test func topicsAndConfigs_changes_areSeenAtOnceAndSurviveANewSession() async throws {
        let server = try await SharedZooKeeper.get()
        let chroot = uniqueChroot("topics")
        let client = try await open(server, chroot)
        try await client.registerBroker(sampleBroker(1))
        _ = try await client.claimController(brokerId: 1)
        try await client.createTopic(sampleTopic("orders", partitionCount: 2))
        await #expect(throws: CoordinationError.topicExists("orders")) { try await client.createTopic(sampleTopic("orders", idSeed: 9)) }
        await #expect(throws: CoordinationError.topicExists("copy")) { try await client.createTopic(sampleTopic("copy", idSeed: 1)) }
        try await client.createTopic(sampleTopic("doomed", idSeed: 2))
        try await client.setTopicConfigs(["retention.ms": "1"], forTopic: "doomed")
        try await client.deleteTopic(named: "doomed")
        await #expect(throws: CoordinationError.unknownTopic("doomed")) { try await client.deleteTopic(named: "doomed") }
        await #expect(throws: CoordinationError.unknownTopic("nope")) { try await client.setTopicConfigs([:], forTopic: "nope") }
        await #expect(throws: CoordinationError.unknownTopic("nope")) { try await client.addPartitions([], toTopic: "nope") }
        let added = PartitionAssignment(replicas: [2, 3], leader: 2, inSyncReplicas: [2, 3])
        try await client.addPartitions([added], toTopic: "orders")
        try await client.setTopicConfigs(["retention.ms": "1000"], forTopic: "orders")
        try await client.setBrokerConfigs(["log.retention.ms": "5"], scope: "")
        try await client.setBrokerConfigs(["a": "b"], scope: "1")
        try await client.setBrokerConfigs([:], scope: "1")
        let partition = TopicPartition(topic: "orders", partition: 0)
        let moved = PartitionAssignment(replicas: [1, 2, 4], leader: 2, leaderEpoch: 1, inSyncReplicas: [2, 4])
        #expect(try await client.updatePartition(partition, to: moved, expectedPartitionEpoch: 0) == 1)
        await #expect(throws: CoordinationError.partitionEpochMismatch(partition, expected: 0, actual: 1)) {
            _ = try await client.updatePartition(partition, to: moved, expectedPartitionEpoch: 0)
        }
        await #expect(throws: CoordinationError.unknownTopic("orders")) {
            _ = try await client.updatePartition(TopicPartition(topic: "orders", partition: 7), to: moved, expectedPartitionEpoch: 0)
        }

        let before = await client.metadata()
        #expect(before.topics.keys.sorted() == ["orders"])
        #expect(before.topics["orders"]?.partitions.count == 3)
        #expect(before.assignment(of: TopicPartition(topic: "orders", partition: 2)) == added)
        var stored = moved
        stored.partitionEpoch = 1
        #expect(before.assignment(of: partition) == stored)
        #expect(before.topics["orders"]?.configs == ["retention.ms": "1000"])
        #expect(before.brokerConfigs == ["": ["log.retention.ms": "5"]])
        await client.close()

        let reopened = try await open(server, chroot, clusterId: "other")
        let after = await reopened.metadata()
        #expect(after.clusterId == before.clusterId)
        #expect(after.topics == before.topics)
        #expect(after.brokerConfigs == before.brokerConfigs)
        #expect(after.brokers.isEmpty && after.controllerId == nil)
        #expect(try await reopened.claimController(brokerId: 7) == 7)
        await reopened.close()
    }

    @Test func updatePartition_concurrentWritersSameEpoch_exactlyOneWins() async throws {
        let server = try await SharedZooKeeper.get()
        let chroot = uniqueChroot("race")
        let setup = try await open(server, chroot)
        try await setup.createTopic(sampleTopic("orders"))
        let partition = TopicPartition(topic: "orders", partition: 0)
        var clients: [ZooKeeperCoordinationClient] = []
        for _ in 0..<4 { clients.append(try await open(server, chroot)) }
        let racers = clients
        let results = await withTaskGroup(of: Result<Int32, CoordinationError>.self) { group in
            for (index, client) in racers.enumerated() {
                group.addTask {
                    let leader = Int32(index + 1)
                    let assignment = PartitionAssignment(replicas: [1, 2, 3], leader: leader, leaderEpoch: 1, inSyncReplicas: [leader])
                    do throws(CoordinationError) {
                        return .success(try await client.updatePartition(partition, to: assignment, expectedPartitionEpoch: 0))
                    } catch {
                        return .failure(error)
                    }
                }
            }
            return await group.reduce(into: []) { $0.append($1) }
        }
        #expect(results.compactMap { try? $0.get() } == [1])
        #expect(results.filter { $0 == .failure(.partitionEpochMismatch(partition, expected: 0, actual: 1)) }.count == 3)
        let settled = await eventually(setup) { metadata in
            guard let stored = metadata.assignment(of: partition) else { return false }
            return stored.partitionEpoch == 1 && stored.inSyncReplicas == [stored.leader]
        }
        #expect(settled, "the winner's state is stored whole")
        for client in clients { await client.close() }
        await setup.close()
    }

    @Test func allocateProducerIds_acrossClientsAndSessions_neverOverlaps() async throws {
        let server = try await SharedZooKeeper.get()
        let chroot = uniqueChroot("pids")
        let one = try await open(server, chroot)
        let two = try await open(server, chroot)
        let blocks = try await withThrowingTaskGroup(of: ClosedRange<Int64>.self) { group in
            for index in 0..<6 {
                let client = index.isMultiple(of: 2) ? one : two
                group.addTask { try await client.allocateProducerIds(count: 1000) }
            }
            return try await group.reduce(into: []) { $0.append($1) }
        }
        let starts: [Int64] = blocks.map(\.lowerBound).sorted()
        #expect(starts == [0, 1000, 2000, 3000, 4000, 5000])
        #expect(blocks.allSatisfy { $0.count == 1000 })
        await one.close()
        let three = try await open(server, chroot)
        #expect(try await three.allocateProducerIds(count: 5) == 6000...6004)
        #expect(await eventually(two) { $0.nextProducerId == 6005 })
        await #expect(throws: CoordinationError.self) { _ = try await three.allocateProducerIds(count: 0) }
        await two.close()
        await three.close()
    }

    @Test func layout_isKafkasZooKeeperModeJSON() async throws {
        let server = try await SharedZooKeeper.get()
        let chroot = uniqueChroot("layout")
        let client = try await open(server, chroot)
        try await client.registerBroker(BrokerRegistration(id: 3, host: "h3", port: 9093, rack: "r1"))
        _ = try await client.claimController(brokerId: 3)
        let topic = sampleTopic("orders", partitionCount: 2)
        try await client.createTopic(topic)
        try await client.setTopicConfigs(["cleanup.policy": "compact"], forTopic: "orders")
        try await client.setBrokerConfigs(["x": "y"], scope: "")
        _ = try await client.allocateProducerIds(count: 1000)

        let raw = try await startedClient(server, chroot: chroot)
        func json(_ path: String) async throws -> [String: Any] {
            let data = try await raw.getData(path).data
            return try #require(try JSONSerialization.jsonObject(with: Data(data)) as? [String: Any], "\(path)")
        }
        let brokerStat = try #require(try await raw.exists("/brokers/ids/3"))
        #expect(brokerStat.ephemeralOwner == (await client.sessionID), "registrations are ephemeral")
        let broker = try await json("/brokers/ids/3")
        #expect(broker["host"] as? String == "h3" && broker["port"] as? Int == 9093 && broker["rack"] as? String == "r1")
        #expect(broker["endpoints"] as? [String] == ["PLAINTEXT://h3:9093"])
        let assignment = try await json("/brokers/topics/orders")
        #expect(assignment["version"] as? Int == 2)
        #expect(assignment["partitions"] as? [String: [Int]] == ["0": [1, 2, 3], "1": [1, 2, 3]])
        #expect(assignment["topic_id"] as? String == topic.id.description)
        let state = try await json("/brokers/topics/orders/partitions/1/state")
        #expect(state["leader"] as? Int == 1 && state["leader_epoch"] as? Int == 0 && state["isr"] as? [Int] == [1, 2, 3])
        #expect(state["controller_epoch"] as? Int == 1)
        #expect(try await json("/controller")["brokerid"] as? Int == 3)
        #expect(try await raw.getData("/controller_epoch").data == Array("1".utf8))
        #expect(try await json("/config/topics/orders")["config"] as? [String: String] == ["cleanup.policy": "compact"])
        #expect(try await json("/config/brokers/<default>")["config"] as? [String: String] == ["x": "y"])
        let block = try await json("/latest_producer_id_block")
        #expect(block["block_start"] as? String == "0" && block["block_end"] as? String == "999" && block["broker"] as? Int == 3)
        #expect(try await json("/cluster/id")["id"] as? String == "cluster-a")
        await raw.close()
        await client.close()
    }

    @Test func sessionExpiry_registrationIsRestored() async throws {
        let server = try await SharedZooKeeper.get()
        let chroot = uniqueChroot("expiry")
        let client = try await open(server, chroot)
        try await client.registerBroker(sampleBroker(4))
        let watcher = try await open(server, chroot)
        #expect(await eventually(watcher) { $0.brokers.keys.sorted() == [4] })
        let old = await client.sessionID

        // Resume the session elsewhere and close it, as an expiry would end it.
        // Retried: the owner may take the session back before the close is processed.
        let credentials = try #require(await client.credentials)
        for _ in 0..<5 {
            try await closeSession(credentials, on: server)
            let expiry = ContinuousClock.now + .seconds(3)
            while await client.sessionID == old, ContinuousClock.now < expiry { try await Task.sleep(for: .milliseconds(20)) }
            if await client.sessionID != old { break }
        }
        let raw = try await startedClient(server, chroot: chroot)
        let deadline = ContinuousClock.now + .seconds(20)
        var owner: Int64 = 0
        var session = old
        while ContinuousClock.now < deadline {
            session = await client.sessionID
            owner = try await raw.exists("/brokers/ids/4")?.ephemeralOwner ?? 0
            if session != old, session != 0, owner == session { break }
            try await Task.sleep(for: .milliseconds(20))
        }
        #expect(session != old && owner == session, "the new session registered the broker again")
        #expect(await eventually(watcher) { $0.brokers == [4: sampleBroker(4)] })
        await raw.close()
        await watcher.close()
        await client.close()
    }
}

/// Fixtures as in the embedded tests.
func sampleTopic(_ name: String, partitionCount: Int = 1, idSeed: UInt64 = 1) -> TopicMetadata {
    var random = SeededRandom(seed: idSeed)
    let partition = PartitionAssignment(replicas: [1, 2, 3], leader: 1, inSyncReplicas: [1, 2, 3])
    return TopicMetadata(name: name, id: KafkaUUID.random(using: &random), partitions: Array(repeating: partition, count: partitionCount))
}

func sampleBroker(_ id: Int32) -> BrokerRegistration {
    BrokerRegistration(id: id, host: "broker\(id).test", port: 9092)
}

/// Whether `client`'s metadata satisfies `condition` within `timeout` (polled).
func eventually(
    _ client: ZooKeeperCoordinationClient, within timeout: Duration = .seconds(10),
    _ condition: (ClusterMetadata) -> Bool
) async -> Bool {
    let deadline = ContinuousClock.now + timeout
    while ContinuousClock.now < deadline {
        if condition(await client.metadata()) { return true }
        try? await Task.sleep(for: .milliseconds(20))
    }
    return false
}
