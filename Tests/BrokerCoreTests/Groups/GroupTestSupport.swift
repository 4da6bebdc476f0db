// Goal: run the group APIs the way a client meets them, over the broker's routes, against a
// `GroupCoordinatorService` with in-memory storage and a clock the test moves. Method: each
// request is encoded at the chosen version and decoded again before it reaches its route (so
// fields the version lacks are really gone), and each answer is encoded and decoded at that
// version too (so a value the version cannot carry fails the test rather than the client). Timers
// fire only when a test moves the `ManualClock` and calls `fireDueTimers()`: the service's sleep
// never returns on its own.

import Logging
import NIOCore
import Synchronization
import Testing
import TernBrokerCore
import TernCoordination
import TernGroupCoordinator
import TernPrimitives
import TernProtocol

/// Cluster metadata that a test sets by hand; writes are not needed by the group APIs.
final class FixedCoordination: CoordinationClient {
    // The mutex makes the class Sendable: every read and write of the snapshot goes through it.
    private let snapshot: Mutex<ClusterMetadata>

    init(_ metadata: ClusterMetadata) {
        snapshot = Mutex(metadata)
    }

    func update(_ change: (inout ClusterMetadata) -> Void) {
        snapshot.withLock { change(&$0) }
    }

    func metadata() async -> ClusterMetadata { snapshot.withLock { $0 } }
    func updates() async -> AsyncStream<ClusterMetadata> {
        let current = snapshot.withLock { $0 }
        return AsyncStream { $0.yield(current); $0.finish() }
    }
    func registerBroker(_ broker: BrokerRegistration) async throws(CoordinationError) { throw .unavailable("fixed metadata") }
    func claimController(brokerId: Int32) async throws(CoordinationError) -> Int32 { throw .unavailable("fixed metadata") }
    func createTopic(_ topic: TopicMetadata) async throws(CoordinationError) { throw .unavailable("fixed metadata") }
    func deleteTopic(named name: String) async throws(CoordinationError) { throw .unavailable("fixed metadata") }
    func addPartitions(_ partitions: [PartitionAssignment], toTopic name: String) async throws(CoordinationError) {
        throw .unavailable("fixed metadata")
    }
    func setTopicConfigs(_ configs: [String: String], forTopic name: String) async throws(CoordinationError) {
        throw .unavailable("fixed metadata")
    }
    func setBrokerConfigs(_ configs: [String: String], scope: String) async throws(CoordinationError) {
        throw .unavailable("fixed metadata")
    }
    func updatePartition(
        _ partition: TopicPartition, to assignment: PartitionAssignment, expectedPartitionEpoch: Int32
    ) async throws(CoordinationError) -> Int32 {
        throw .unavailable("fixed metadata")
    }
    func allocateProducerIds(count: Int) async throws(CoordinationError) -> ClosedRange<Int64> {
        throw .unavailable("this fake grants no producer ids")
    }

    func close() async {}
}

/// A topic every broker of the metadata leads from node 1.
func topicMetadata(_ name: String, partitions: Int, leader: Int32 = 1) -> TopicMetadata {
    TopicMetadata(
        name: name, id: KafkaUUID(high: 1, low: UInt64(name.utf8.count)),
        partitions: (0..<partitions).map { _ in PartitionAssignment(replicas: [leader], leader: leader, inSyncReplicas: [leader]) })
}

/// Waits forever, or until cancelled: the service's timer task never wakes on its own.
let sleepUntilCancelled: @Sendable (Duration) async throws -> Void = { _ in
    try await Task.sleep(for: .seconds(365 * 24 * 3600))
}

/// Warnings and worse only: a start logs each loaded partition.
let quietLogger: Logger = {
    var logger = Logger(label: "groups-test")
    logger.logLevel = .warning
    return logger
}()

/// Group settings for tests: Kafka's defaults with a 1 s minimum session and few partitions.
let testSettings = GroupCoordinatorSettings(
    coordinator: GroupCoordinatorConfiguration(sessionTimeoutMin: .seconds(1), initialRebalanceDelay: .seconds(3)),
    offsetsTopicPartitionCount: 50)

/// One broker's group coordinator and routes over a store and a clock a test controls.
struct GroupFixture {
    let store: MemoryInternalTopicStore
    let clock: ManualClock
    let coordination: FixedCoordination
    let service: GroupCoordinatorService
    let router: ApiRouter
    let broker = BrokerConfiguration(nodeId: 1, advertisedHost: "broker-1.test", advertisedPort: 9092)

    /// A started, loaded coordinator; `store` and `clock` may come from an earlier fixture to
    /// model a restart.
    static func started(
        store: MemoryInternalTopicStore = MemoryInternalTopicStore(), clock: ManualClock = ManualClock(), seed: UInt64 = 1,
        coordination: FixedCoordination? = nil
    ) async throws -> GroupFixture {
        let fixture = GroupFixture(store: store, clock: clock, seed: seed, coordination: coordination)
        try await fixture.service.start()
        await fixture.service.waitUntilLoaded()
        return fixture
    }

    init(store: MemoryInternalTopicStore, clock: ManualClock, seed: UInt64, coordination: FixedCoordination? = nil) {
        let service = GroupCoordinatorService(
            store: store, clock: clock, settings: testSettings, random: SeededRandom(seed: seed),
            logger: quietLogger, sleep: sleepUntilCancelled)
        self.init(store: store, clock: clock, coordination: coordination ?? Self.defaultCoordination(), service: service)
    }

    /// A fixture around a service built by the test; `store` is what the test inspects.
    init(store: MemoryInternalTopicStore, clock: ManualClock, coordination: FixedCoordination, service: GroupCoordinatorService) {
        self.store = store
        self.clock = clock
        self.coordination = coordination
        self.service = service
        router = ApiRouter(components: [GroupApis(service: service, broker: broker, coordination: coordination)])
    }

    /// One live broker (this one) and two topics: `orders` (3 partitions) and `payments` (1).
    static func defaultCoordination() -> FixedCoordination {
        FixedCoordination(ClusterMetadata(
            clusterId: "test", brokers: [1: BrokerRegistration(id: 1, host: "broker-1.test", port: 9092)],
            topics: ["orders": topicMetadata("orders", partitions: 3), "payments": topicMetadata("payments", partitions: 1)]))
    }

    /// Sends `request` at `version` through the routes, as a client with `clientId` would.
    func send<Request: KafkaRequest>(
        _ request: Request, version: Int16, clientId: String = "client", from address: String = "10.0.0.7:50000"
    ) async throws -> Request.Response {
        var bytes = try request.encoded(version: version)
        let body = try KafkaRequestBody.decode(apiKey: Request.apiKey, version: version, from: &bytes)
        let route = try #require(router.route(for: Request.apiKey.rawValue))
        #expect(route.versions.contains(version))
        let header = RequestHeader(apiKey: Request.apiKey.rawValue, apiVersion: version, correlationId: 1, clientId: clientId)
        let reply = await route.handle(body, RequestContext(header: header, clientAddress: address, connectionId: 1))
        guard case let .body(response) = reply else {
            Issue.record("expected a response body")
            throw FixtureError.noBody
        }
        var encoded = ByteBuffer()
        try response.encode(into: &encoded, version: version)
        return try Request.Response.decodeWhole(encoded, version: version)
    }

    /// Moves the clock and fires whatever fell due.
    func advance(by duration: Duration) async {
        clock.advance(by: duration)
        await service.fireDueTimers()
    }

    /// Waits (in real time, briefly) until `count` requests are parked in the service.
    func waitForParked(_ count: Int) async throws {
        for _ in 0..<2_000 {
            if await service.parkedRequestCount == count { return }
            try await Task.sleep(for: .milliseconds(1))
        }
        Issue.record("expected \(count) parked requests, found \(await service.parkedRequestCount)")
        throw FixtureError.timedOut
    }

    /// Moves the clock a second at a time, firing timers, until nothing is parked.
    func advanceUntilAnswered(limit: Duration = .seconds(60)) async throws {
        var waited: Duration = .zero
        while await service.parkedRequestCount > 0 {
            guard waited < limit else {
                Issue.record("requests still parked after \(limit)")
                throw FixtureError.timedOut
            }
            await advance(by: .seconds(1))
            waited += .seconds(1)
            // Let resumed requests run before looking again.
            try await Task.sleep(for: .milliseconds(1))
        }
    }
}

enum FixtureError: Error {
    case noBody
    case timedOut
}

/// A consumer protocol subscription (version 0) for `topics`, as Kafka consumers send it.
func subscription(_ topics: [String]) -> [UInt8] {
    var buffer = ByteBuffer()
    buffer.writeInteger(Int16(0))
    buffer.writeInteger(Int32(topics.count))
    for topic in topics {
        buffer.writeInteger(Int16(topic.utf8.count))
        buffer.writeString(topic)
    }
    buffer.writeInteger(Int32(-1))
    return Array(buffer.readableBytesView)
}

/// A JoinGroup request of a consumer subscribed to `orders`.
func joinRequest(_ group: String, memberId: String = "", instance: String? = nil, session: Int32 = 10_000) -> JoinGroupRequest {
    JoinGroupRequest(
        groupId: group, sessionTimeoutMs: session, rebalanceTimeoutMs: 30_000, memberId: memberId, groupInstanceId: instance,
        protocolType: "consumer", protocols: [JoinGroupRequest.SupportedProtocol(name: "range", metadata: subscription(["orders"]))])
}
