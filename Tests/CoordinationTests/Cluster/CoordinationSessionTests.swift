// Goal: several brokers sharing one embedded service behave as clients of a real ensemble would
// see them: each session owns its registration and controller claim, closing one ends only
// that one, conditional updates let exactly one racer win, and update streams deliver the
// current snapshot first and then every change in order. Method: open several clients on one
// in-memory service, drive them (concurrently where races matter) and read their streams.

import Testing
import TernCoordination
import TernPrimitives

@Suite struct CoordinationSessionTests {
    private func service() throws -> EmbeddedCoordinationService {
        try EmbeddedCoordinationService(store: MemoryClusterMetadataStore(), newClusterId: "cluster")
    }

    @Test func close_sessionHoldingController_dropsItsBrokerAndClaimOnly() async throws {
        let service = try service()
        let one = service.client()
        let two = service.client()
        #expect(one.session != two.session)
        try await one.registerBroker(sampleBroker(1))
        try await two.registerBroker(sampleBroker(2))
        #expect(try await one.claimController(brokerId: 1) == 1)
        #expect(try await two.claimController(brokerId: 2) == 1)

        await one.close()
        let metadata = await two.metadata()
        #expect(metadata.brokers.keys.sorted() == [2])
        #expect(metadata.controllerId == nil)
        #expect(try await two.claimController(brokerId: 2) == 2)
    }

    @Test func close_thenAnotherSessionRegistersSameId_succeeds() async throws {
        let service = try service()
        let old = service.client()
        try await old.registerBroker(sampleBroker(1))
        let restarted = service.client()
        await #expect(throws: CoordinationError.brokerIdInUse(1)) {
            try await restarted.registerBroker(sampleBroker(1))
        }
        await old.close()
        try await restarted.registerBroker(sampleBroker(1))
        #expect(await service.metadata().brokers[1] == sampleBroker(1))
    }

    @Test func call_afterClose_throwsClosedAndChangesNothing() async throws {
        let service = try service()
        let client = service.client()
        await client.close()
        await client.close()  // Closing twice is harmless.
        await #expect(throws: CoordinationError.closed) { try await client.registerBroker(sampleBroker(1)) }
        await #expect(throws: CoordinationError.closed) { _ = try await client.claimController(brokerId: 1) }
        await #expect(throws: CoordinationError.closed) { try await client.createTopic(sampleTopic("orders")) }
        let metadata = await service.metadata()
        #expect(metadata.brokers.isEmpty && metadata.controllerId == nil && metadata.topics.isEmpty)
        var updates = await client.updates().makeAsyncIterator()
        #expect(await updates.next() == nil, "a closed client's stream is already finished")
    }

    @Test func close_racingRegistrations_leavesNoRegistrationBehind() async throws {
        // Whatever order the calls land in, a closed session owns nothing afterwards.
        for round in 0..<20 {
            let service = try service()
            let client = service.client()
            await withTaskGroup(of: Void.self) { group in
                for id in Int32(0)..<8 {
                    group.addTask {
                        do throws(CoordinationError) {
                            try await client.registerBroker(sampleBroker(id))
                        } catch {
                            #expect(error == .closed, "round \(round)")
                        }
                    }
                }
                group.addTask { await client.close() }
            }
            #expect(await service.metadata().brokers.isEmpty)
        }
    }

    @Test func updatePartition_concurrentWritersSameEpoch_exactlyOneWins() async throws {
        let service = try service()
        let setup = service.client()
        try await setup.createTopic(sampleTopic("orders"))
        let partition = TopicPartition(topic: "orders", partition: 0)
        let results = await withTaskGroup(of: Result<Int32, CoordinationError>.self) { group in
            for leader in Int32(1)...10 {
                let client = service.client()
                group.addTask {
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
        let wins = results.compactMap { try? $0.get() }
        #expect(wins == [1])
        let losses = results.filter { if case .failure(.partitionEpochMismatch(partition, expected: 0, actual: 1)) = $0 { true } else { false } }
        #expect(losses.count == 9)
        let stored = try #require(await service.metadata().assignment(of: partition))
        #expect(stored.partitionEpoch == 1)
        #expect(stored.inSyncReplicas == [stored.leader], "the winner's state is stored whole")
    }

    @Test func updates_readAfterEachChange_yieldsCurrentThenEachChangeInOrder() async throws {
        let service = try service()
        let client = service.client()
        var updates = await client.updates().makeAsyncIterator()
        let first = try #require(await updates.next())
        #expect(first == (await client.metadata()))

        try await client.createTopic(sampleTopic("orders"))
        let second = try #require(await updates.next())
        #expect(second.version == first.version + 1)
        #expect(second.topics.keys.sorted() == ["orders"])

        try await client.registerBroker(sampleBroker(1))
        let third = try #require(await updates.next())
        #expect(third.version == second.version + 1)
        #expect(third.brokers.keys.sorted() == [1])
    }

    @Test func updates_slowReader_seesOnlyTheLatest() async throws {
        let service = try service()
        let client = service.client()
        var updates = await client.updates().makeAsyncIterator()
        _ = await updates.next()
        for index in 0..<5 {
            try await client.createTopic(sampleTopic("t\(index)", idSeed: UInt64(index) + 1))
        }
        let latest = try #require(await updates.next())
        #expect(latest == (await client.metadata()))
        #expect(latest.topics.count == 5)
    }

    @Test func updates_otherSessionCloses_seesItsBrokerLeaveThenOwnStreamFinishesOnClose() async throws {
        let service = try service()
        let watcher = service.client()
        let leaving = service.client()
        try await leaving.registerBroker(sampleBroker(2))
        var watched = await watcher.updates().makeAsyncIterator()
        var own = await leaving.updates().makeAsyncIterator()
        #expect(await watched.next()?.brokers.keys.sorted() == [2])
        #expect(await own.next()?.brokers.keys.sorted() == [2])

        await leaving.close()
        #expect(await own.next() == nil, "the closing session's stream finishes")
        #expect(await watched.next()?.brokers.isEmpty == true)
        await watcher.close()
        #expect(await watched.next() == nil)
    }

    @Test func updates_droppedStream_doesNotStopOthers() async throws {
        let service = try service()
        let client = service.client()
        do {
            let dropped = await client.updates()
            _ = dropped
        }
        var kept = await client.updates().makeAsyncIterator()
        _ = await kept.next()
        try await client.createTopic(sampleTopic("orders"))
        #expect(await kept.next()?.topics.count == 1)
    }
}
