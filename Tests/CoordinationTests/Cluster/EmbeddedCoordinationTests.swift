// Goal: the embedded backend keeps topics, partitions, configs and the cluster id across
// restarts, forgets live brokers and the controller, refuses to start over damaged metadata,
// and never reports a change it could not persist. Method: run the service over a temporary
// data directory (or a memory store that can be told to fail), restart it by opening a new
// service on the same directory, and compare what a client sees.

import Foundation
import Testing
import TernCoordination
import TernPrimitives

@Suite struct EmbeddedCoordinationTests {
    @Test func open_newDirectory_createsClusterAndPersistsItsId() async throws {
        let directory = TemporaryDirectory()
        defer { directory.remove() }
        var random = SeededRandom(seed: 1)
        let client = try EmbeddedCoordination.open(dataDirectory: directory.path, random: &random)
        let metadata = await client.metadata()
        #expect(metadata.clusterId.count == 22)
        #expect(FileManager.default.fileExists(atPath: directory.metadataPath), "the new cluster id is saved at once")
        await client.close()

        var other = SeededRandom(seed: 2)
        let reopened = try EmbeddedCoordination.open(dataDirectory: directory.path, random: &other)
        #expect(await reopened.metadata().clusterId == metadata.clusterId)
    }

    @Test func restart_afterChanges_keepsTopicsAndConfigsButNotBrokersOrController() async throws {
        let directory = TemporaryDirectory()
        defer { directory.remove() }
        var random = SeededRandom(seed: 1)
        let client = try EmbeddedCoordination.open(dataDirectory: directory.path, random: &random)
        try await client.registerBroker(sampleBroker(1))
        #expect(try await client.claimController(brokerId: 1) == 1)
        try await client.createTopic(sampleTopic("orders", partitionCount: 2))
        try await client.createTopic(sampleTopic("doomed", idSeed: 2))
        try await client.deleteTopic(named: "doomed")
        try await client.addPartitions([PartitionAssignment(replicas: [1], leader: 1, inSyncReplicas: [1])], toTopic: "orders")
        try await client.setTopicConfigs(["retention.ms": "1000"], forTopic: "orders")
        try await client.setBrokerConfigs(["log.retention.ms": "5"], scope: "")
        let partition = TopicPartition(topic: "orders", partition: 0)
        let moved = PartitionAssignment(replicas: [1, 2, 3], leader: 2, leaderEpoch: 1, inSyncReplicas: [2, 3])
        #expect(try await client.updatePartition(partition, to: moved, expectedPartitionEpoch: 0) == 1)
        let before = await client.metadata()
        // No close: a crash leaves the file as the last call returned it.

        let reopened = try EmbeddedCoordination.open(dataDirectory: directory.path, random: &random)
        let after = await reopened.metadata()
        #expect(after.clusterId == before.clusterId)
        #expect(after.topics == before.topics)
        #expect(after.topics["orders"]?.partitions.count == 3)
        #expect(after.assignment(of: partition)?.partitionEpoch == 1)
        #expect(after.brokerConfigs == ["": ["log.retention.ms": "5"]])
        #expect(after.brokers.isEmpty)
        #expect(after.controllerId == nil)
        #expect(try await reopened.claimController(brokerId: 7) == 7, "the old claim did not survive the restart")
    }

    @Test func open_corruptMetadataFile_throwsCorruptWithoutTouchingIt() throws {
        let directory = TemporaryDirectory()
        defer { directory.remove() }
        let damaged = Array("tern-cluster-metadata 1 crc32c=0 bytes=2\n{}".utf8)
        try directory.write(damaged, to: "coordination/cluster-metadata")
        var random = SeededRandom(seed: 1)
        #expect {
            _ = try EmbeddedCoordination.open(dataDirectory: directory.path, random: &random)
        } throws: { error in
            guard case .corrupt(let path, _) = error as? CoordinationStorageError else { return false }
            return path == directory.metadataPath
        }
        #expect(try directory.read("coordination/cluster-metadata") == damaged, "a damaged file is left for a human")
    }

    @Test func open_leftoverTemporaryFile_startsFromTheRenamedFile() async throws {
        let directory = TemporaryDirectory()
        defer { directory.remove() }
        var random = SeededRandom(seed: 1)
        let client = try EmbeddedCoordination.open(dataDirectory: directory.path, random: &random)
        try await client.createTopic(sampleTopic("orders"))
        try directory.write(Array("{\"torn".utf8), to: "coordination/cluster-metadata.tmp")

        let reopened = try EmbeddedCoordination.open(dataDirectory: directory.path, random: &random)
        #expect(await reopened.metadata().topics.keys.sorted() == ["orders"])
        try await reopened.createTopic(sampleTopic("payments", idSeed: 2))
        let again = try EmbeddedCoordination.open(dataDirectory: directory.path, random: &random)
        #expect(await again.metadata().topics.keys.sorted() == ["orders", "payments"])
    }

    @Test func createTopic_saveFails_throwsUnavailableAndChangesNothing() async throws {
        let store = MemoryClusterMetadataStore()
        let service = try EmbeddedCoordinationService(store: store, newClusterId: "c")
        let client = service.client()
        var updates = await client.updates().makeAsyncIterator()
        let initial = await updates.next()
        store.failSaves(with: .io(operation: "fsync", path: "memory", errno: 5))

        await #expect {
            try await client.createTopic(sampleTopic("orders"))
        } throws: { error in
            guard case .unavailable = error as? CoordinationError else { return false }
            return true
        }
        #expect(await client.metadata() == initial, "the failed change was undone")
        #expect(store.saved?.topics.isEmpty == true)

        store.failSaves(with: nil)
        try await client.createTopic(sampleTopic("orders"))
        let next = await updates.next()
        #expect(next?.topics.keys.sorted() == ["orders"])
        #expect(next?.version == (initial?.version ?? 0) + 1, "subscribers never saw the undone change")
    }

    @Test func registerBroker_ephemeralChange_isNotSaved() async throws {
        let store = MemoryClusterMetadataStore()
        let service = try EmbeddedCoordinationService(store: store, newClusterId: "c")
        let client = service.client()
        #expect(store.saveCount == 1, "the new cluster")
        try await client.registerBroker(sampleBroker(1))
        _ = try await client.claimController(brokerId: 1)
        await client.close()
        #expect(store.saveCount == 1)
        try await service.client().createTopic(sampleTopic("orders"))
        #expect(store.saveCount == 2)
    }

    @Test func restart_memoryStore_keepsTopics() async throws {
        let store = MemoryClusterMetadataStore()
        let first = try EmbeddedCoordinationService(store: store, newClusterId: "first")
        try await first.client().createTopic(sampleTopic("orders"))
        let second = try EmbeddedCoordinationService(store: store, newClusterId: "second")
        let metadata = await second.metadata()
        #expect(metadata.clusterId == "first")
        #expect(metadata.topics.keys.sorted() == ["orders"])
    }

    @Test func memoryCoordination_sameSeed_sameClusterId() async {
        var first = SeededRandom(seed: 3)
        var second = SeededRandom(seed: 3)
        let one = await MemoryCoordination.client(random: &first).metadata()
        let two = await MemoryCoordination.client(random: &second).metadata()
        #expect(one.clusterId == two.clusterId)
        #expect(one.clusterId.count == 22)
    }
}
