// Goal: the driver keeps its promises around storage: it creates `__consumer_offsets` as Kafka
// does, writes each append as one CreateTime v2 batch of keyed records, answers
// COORDINATOR_LOAD_IN_PROGRESS until a partition is loaded and NOT_COORDINATOR for partitions it
// does not lead, and a new service over the same store comes back with the same groups and
// offsets. Method: `GroupFixture` over a `MemoryInternalTopicStore`, a store whose reads wait
// for the test, and a second service started over the first one's store.

import Logging
import NIOCore
import Testing
import TernBrokerCore
import TernGroupCoordinator
import TernPrimitives
import TernProtocol

/// A store whose reads wait until the test opens the gate, to catch a coordinator mid-load.
actor GatedStore: InternalTopicStore {
    let inner = MemoryInternalTopicStore()
    private var isOpen = false
    private var waiting: [CheckedContinuation<Void, Never>] = []

    func open() {
        isOpen = true
        for continuation in waiting { continuation.resume() }
        waiting = []
    }

    func ensureTopic(_ name: String, partitionCount: Int32, configs: [String: String]) async throws(InternalTopicError) {
        try await inner.ensureTopic(name, partitionCount: partitionCount, configs: configs)
    }

    func append(_ batch: ByteBuffer, to partition: TopicPartition) async throws(InternalTopicError) -> Int64 {
        try await inner.append(batch, to: partition)
    }

    func read(_ partition: TopicPartition, from offset: Int64, maxBytes: Int) async throws(InternalTopicError) -> InternalTopicRead {
        if !isOpen { await withCheckedContinuation { waiting.append($0) } }
        return try await inner.read(partition, from: offset, maxBytes: maxBytes)
    }

    func isLeader(of partition: TopicPartition) async -> Bool {
        await inner.isLeader(of: partition)
    }
}

@Suite struct GroupCoordinatorServiceTests {
    @Test func start_freshStore_createsCompactedOffsetsTopicWithKafkasSettings() async throws {
        let fixture = try await GroupFixture.started()
        #expect(await fixture.store.partitionCount(of: "__consumer_offsets") == 50)
        #expect(await fixture.store.configs(of: "__consumer_offsets") == [
            "cleanup.policy": "compact", "segment.bytes": "104857600", "compression.type": "producer",
        ])
        #expect(await fixture.service.isLoaded(0))
        #expect(await fixture.service.isLoaded(49))
    }

    @Test func offsetCommit_written_asOneCreateTimeBatchOfKeyedRecords() async throws {
        let fixture = try await GroupFixture.started()
        let commit = OffsetCommitRequest(groupId: "g", topics: [
            .init(name: "orders", partitions: [.init(partitionIndex: 0, committedOffset: 5), .init(partitionIndex: 1, committedOffset: 6)]),
        ])
        _ = try await fixture.send(commit, version: 8)
        let partition = fixture.service.partition(for: "g")
        let batches = await fixture.store.batches(of: TopicPartition(topic: "__consumer_offsets", partition: partition))
        #expect(batches.count == 1)
        let batch = try RecordBatch(decoding: try #require(batches.first))
        #expect(batch.attributes.timestampType == .createTime)
        #expect(batch.attributes.compression == CompressionType.none)
        #expect(batch.maxTimestamp == fixture.clock.wallClockMilliseconds)
        #expect(batch.records.count == 2)
        let records = try batch.records.map { try GroupCoordinatorRecord(key: try #require($0.key), value: $0.value) }
        #expect(records.compactMap { record -> Int64? in
            guard case let .offsetCommit(_, value?)? = record else { return nil }
            return value.offset
        } == [5, 6])
    }

    @Test func restart_sameStore_reloadsGroupsAndOffsets() async throws {
        let first = try await GroupFixture.started(seed: 1)
        let formed = try await first.formGroup("orders-app")
        let commit = OffsetCommitRequest(
            groupId: "orders-app", generationIdOrMemberEpoch: formed.generation, memberId: formed.leader,
            topics: [.init(name: "orders", partitions: [.init(partitionIndex: 0, committedOffset: 100, committedMetadata: "leader was here")])])
        _ = try await first.send(commit, version: 8)
        _ = try await first.send(OffsetCommitRequest(groupId: "simple", topics: [
            .init(name: "payments", partitions: [.init(partitionIndex: 0, committedOffset: 3)]),
        ]), version: 1)
        await first.service.shutdown()

        let second = try await GroupFixture.started(store: first.store, clock: first.clock, seed: 2)
        let fetched = try await second.send(OffsetFetchRequest(groups: [
            .init(groupId: "orders-app", topics: nil), .init(groupId: "simple", topics: nil),
        ]), version: 8)
        let appOffsets = fetched.groups[0].topics.flatMap(\.partitions)
        #expect(appOffsets.map(\.committedOffset) == [100])
        #expect(appOffsets.map(\.metadata) == ["leader was here"])
        #expect(fetched.groups[1].topics.flatMap(\.partitions).map(\.committedOffset) == [3])

        let described = try await second.send(DescribeGroupsRequest(groups: ["orders-app"]), version: 5).groups[0]
        #expect(described.groupState == "Stable")
        #expect(described.protocolData == "range")
        #expect(Set(described.members.map(\.memberId)) == [formed.leader, formed.follower])
        // The reloaded members carry on with their generation.
        let beat = try await second.send(
            HeartbeatRequest(groupId: "orders-app", generationId: formed.generation, memberId: formed.follower), version: 4)
        #expect(beat.errorCode == 0)
        let listed = try await second.send(ListGroupsRequest(), version: 3)
        #expect(listed.groups.map(\.groupId) == ["orders-app", "simple"])
    }

    @Test func request_whileLoading_isCoordinatorLoadInProgressUntilLoaded() async throws {
        let store = GatedStore()
        let clock = ManualClock()
        let service = GroupCoordinatorService(
            store: store, clock: clock, settings: testSettings, random: SeededRandom(seed: 3),
            logger: quietLogger, sleep: sleepUntilCancelled)
        let gated = GroupFixture(store: store.inner, clock: clock, coordination: GroupFixture.defaultCoordination(), service: service)

        #expect(await service.heartbeat(HeartbeatEvent(groupId: "g", generationId: 1, memberId: "m")) == .coordinatorNotAvailable)
        try await service.start()
        let beat = try await gated.send(HeartbeatRequest(groupId: "g", generationId: 1, memberId: "m"), version: 4)
        #expect(beat.errorCode == KafkaErrorCode.coordinatorLoadInProgress.rawValue)
        let listed = try await gated.send(ListGroupsRequest(), version: 4)
        #expect(listed.errorCode == KafkaErrorCode.coordinatorLoadInProgress.rawValue)

        await store.open()
        await service.waitUntilLoaded()
        let loaded = try await gated.send(HeartbeatRequest(groupId: "g", generationId: 1, memberId: "m"), version: 4)
        #expect(loaded.errorCode == KafkaErrorCode.unknownMemberId.rawValue)
        await service.shutdown()
        let stopped = try await gated.send(HeartbeatRequest(groupId: "g", generationId: 1, memberId: "m"), version: 4)
        #expect(stopped.errorCode == KafkaErrorCode.coordinatorNotAvailable.rawValue)
    }

    @Test func resigned_parkedJoin_isAnsweredNotCoordinatorAndGroupsDropped() async throws {
        let fixture = try await GroupFixture.started()
        let partition = fixture.service.partition(for: "g")
        let join = Task { try await fixture.send(joinRequest("g"), version: 3) }
        try await fixture.waitForParked(1)
        await fixture.service.resigned(fromOffsetsPartition: partition)
        #expect(try await join.value.errorCode == KafkaErrorCode.notCoordinator.rawValue)
        #expect(await !fixture.service.hostsPartition(partition))

        await fixture.service.becameLeader(ofOffsetsPartition: partition)
        await fixture.service.waitUntilLoaded()
        #expect(await fixture.service.isLoaded(partition))
    }

    @Test func timerTask_systemClockAndRealSleep_endsTheJoinPhaseOnItsOwn() async throws {
        let settings = GroupCoordinatorSettings(
            coordinator: GroupCoordinatorConfiguration(sessionTimeoutMin: .seconds(1), initialRebalanceDelay: .milliseconds(50)),
            offsetsTopicPartitionCount: 1)
        let service = GroupCoordinatorService(
            store: MemoryInternalTopicStore(), clock: SystemClock(), settings: settings, random: SeededRandom(seed: 9), logger: quietLogger)
        try await service.start()
        await service.waitUntilLoaded()
        // If the timer task never fires, the watchdog shuts the service down, which answers the
        // parked join COORDINATOR_NOT_AVAILABLE instead of hanging the test.
        let watchdog = Task {
            try await Task.sleep(for: .seconds(10))
            await service.shutdown()
        }
        let result = await service.join(JoinGroupEvent(
            groupId: "g", clientId: "c", clientHost: "/10.0.0.7", sessionTimeout: .seconds(10), rebalanceTimeout: .seconds(10),
            protocolType: "consumer", protocols: [GroupProtocol(name: "range")], requiresKnownMemberId: false))
        watchdog.cancel()
        #expect(result.error == .noError)
        #expect(result.generationId == 1)
        await service.shutdown()
    }

    @Test func settings_fromProperties_parsesKafkaNamesAndRejectsNonsense() throws {
        let settings = try GroupCoordinatorSettings(properties: [
            "offsets.topic.num.partitions": "3", "group.initial.rebalance.delay.ms": "0", "offsets.retention.minutes": "60",
            "group.max.size": " 10 ",
        ])
        #expect(settings.offsetsTopicPartitionCount == 3)
        #expect(settings.coordinator.initialRebalanceDelay == .zero)
        #expect(settings.coordinator.offsetsRetention == .seconds(3600))
        #expect(settings.coordinator.groupSizeMax == 10)
        #expect(settings.coordinator.sessionTimeoutMax == .seconds(1800))
        #expect(throws: GroupSettingsError.self) { try GroupCoordinatorSettings(properties: ["offsets.topic.num.partitions": "0"]) }
        #expect(throws: GroupSettingsError.self) { try GroupCoordinatorSettings(properties: ["group.max.size": "many"]) }
    }

    @Test func errorCodes_everyGroupErrorCode_mapsToTheKafkaCodeOfTheSameName() {
        for code in GroupErrorCode.allCases {
            #expect(String(describing: KafkaErrorCode(code)) == String(describing: code))
        }
    }
}
