// Goal: shared fixtures for the admin tests: an in-memory CoordinationClient and a harness that
// runs a route the way the router does and checks the answer encodes at the request's version.
// Method: the fake keeps one ClusterMetadata value in an actor and applies each write to it.

import NIOCore
import Testing
import TernBrokerCore
import TernCoordination
import TernPrimitives
import TernProtocol

/// An in-memory `CoordinationClient` for tests: every write lands in one metadata value.
actor FakeCoordination: CoordinationClient {
    private(set) var state: ClusterMetadata

    init(brokers: [Int32] = [1], brokerConfigs: [String: [String: String]] = [:]) {
        var registrations: [Int32: BrokerRegistration] = [:]
        for id in brokers { registrations[id] = BrokerRegistration(id: id, host: "broker\(id)", port: 9092) }
        state = ClusterMetadata(clusterId: "test-cluster", controllerId: brokers.first, brokers: registrations,
                                brokerConfigs: brokerConfigs)
    }

    func metadata() async -> ClusterMetadata { state }

    func updates() async -> AsyncStream<ClusterMetadata> {
        let current = state
        return AsyncStream { continuation in
            continuation.yield(current)
            continuation.finish()
        }
    }

    func registerBroker(_ broker: BrokerRegistration) async throws(CoordinationError) {
        state.brokers[broker.id] = broker
        changed()
    }

    func claimController(brokerId: Int32) async throws(CoordinationError) -> Int32 {
        if state.controllerId == nil { state.controllerId = brokerId }
        return state.controllerId ?? brokerId
    }

    func createTopic(_ topic: TopicMetadata) async throws(CoordinationError) {
        guard state.topics[topic.name] == nil else { throw .topicExists(topic.name) }
        state.topics[topic.name] = topic
        changed()
    }

    func deleteTopic(named name: String) async throws(CoordinationError) {
        guard state.topics.removeValue(forKey: name) != nil else { throw .unknownTopic(name) }
        changed()
    }

    func addPartitions(_ partitions: [PartitionAssignment], toTopic name: String) async throws(CoordinationError) {
        guard state.topics[name] != nil else { throw .unknownTopic(name) }
        state.topics[name]?.partitions += partitions
        changed()
    }

    func setTopicConfigs(_ configs: [String: String], forTopic name: String) async throws(CoordinationError) {
        guard state.topics[name] != nil else { throw .unknownTopic(name) }
        state.topics[name]?.configs = configs
        changed()
    }

    func setBrokerConfigs(_ configs: [String: String], scope: String) async throws(CoordinationError) {
        state.brokerConfigs[scope] = configs.isEmpty ? nil : configs
        changed()
    }

    func updatePartition(
        _ partition: TopicPartition, to assignment: PartitionAssignment, expectedPartitionEpoch: Int32
    ) async throws(CoordinationError) -> Int32 {
        guard let current = state.assignment(of: partition) else { throw .unknownTopic(partition.topic) }
        guard current.partitionEpoch == expectedPartitionEpoch else {
            throw .partitionEpochMismatch(partition, expected: expectedPartitionEpoch, actual: current.partitionEpoch)
        }
        var next = assignment
        next.partitionEpoch = expectedPartitionEpoch + 1
        state.topics[partition.topic]?.partitions[Int(partition.partition)] = next
        changed()
        return next.partitionEpoch
    }

    func allocateProducerIds(count: Int) async throws(CoordinationError) -> ClosedRange<Int64> {
        throw .unavailable("this fake grants no producer ids")
    }

    func close() async {}

    /// Adds a topic directly, as if another broker had created it.
    func seed(_ topic: TopicMetadata) {
        state.topics[topic.name] = topic
        changed()
    }

    private func changed() { state.version += 1 }
}

/// Runs admin routes as the router would, for one broker (node 1) of a fake cluster.
struct AdminHarness {
    let coordination: FakeCoordination
    let configuration: BrokerConfiguration
    let apis: AdminApis

    init(brokers: [Int32] = [1], properties: [String: String] = [:], brokerConfigs: [String: [String: String]] = [:]) {
        coordination = FakeCoordination(brokers: brokers, brokerConfigs: brokerConfigs)
        configuration = BrokerConfiguration(nodeId: 1, advertisedHost: "localhost", advertisedPort: 9092, properties: properties)
        apis = AdminApis(coordination: coordination, configuration: configuration, random: SeededRandom(seed: 7),
                         loggers: BrokerLoggerLevels(loggers: ["tern.replication"]))
    }

    /// The answer of `body`'s route at `version`, after checking it encodes at that version.
    func call(_ body: KafkaRequestBody, version: Int16) async throws -> KafkaResponseBody {
        let route = try #require(apis.routes.first { $0.apiKey == body.apiKey })
        #expect(route.versions.contains(version))
        let header = RequestHeader(apiKey: body.apiKey.rawValue, apiVersion: version, correlationId: 1, clientId: "test")
        let reply = await route.handle(body, RequestContext(header: header, clientAddress: "127.0.0.1:1", connectionId: 1))
        guard case .body(let response) = reply else {
            Issue.record("expected a response body")
            throw HarnessError.noBody
        }
        var buffer = ByteBuffer()
        try response.encode(into: &buffer, version: version)
        return response
    }

    /// Creates `name` with `partitions` partitions through the administration.
    func createTopic(_ name: String, partitions: Int32 = 1, replicationFactor: Int16 = 1,
                     configs: [String: String] = [:]) async throws -> TopicMetadata {
        let outcome = await apis.topics.createTopic(name: name, partitions: partitions, replicationFactor: replicationFactor,
                                                    assignments: nil, configs: configs, validateOnly: false)
        #expect(outcome.errorCode == .noError, "\(outcome.errorMessage ?? "")")
        return try #require(outcome.topic)
    }

    enum HarnessError: Error { case noBody }
}
