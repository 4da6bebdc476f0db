// Goal: InitProducerId hands idempotent producers ids that are never repeated, at epoch 0,
// refuses transactional producers with a code clients treat as fatal, and checks its fields
// as Kafka does; the block allocator never hands out an id twice, even with many callers
// waiting on one block request. Method: the router of a DataPlaneHarness for the API, and the
// allocator driven directly with a counting block source.

import Synchronization
import Testing
import TernBrokerCore
import TernProtocol

@Suite struct InitProducerIdTests {
    private func initProducerId(_ broker: DataPlaneHarness, _ request: InitProducerIdRequest, version: Int16 = 4) async -> InitProducerIdResponse? {
        guard case .body(.initProducerId(let response)) = await broker.send(.initProducerId(request), version: version) else { return nil }
        return response
    }

    @Test(arguments: [Int16(0), 2, 3, 5])
    func initProducerId_idempotent_returnsUniqueIdsAtEpochZero(version: Int16) async throws {
        let broker = await DataPlaneHarness()
        var ids: Set<Int64> = []
        for _ in 0..<20 {
            let response = try #require(await initProducerId(broker, InitProducerIdRequest(transactionalId: nil, transactionTimeoutMs: -1), version: version))
            #expect(response.errorCode == 0 && response.producerEpoch == 0 && response.producerId >= 0)
            ids.insert(response.producerId)
        }
        #expect(ids.count == 20)
    }

    @Test func initProducerId_isAdvertisedAtTheCodecsVersions() async throws {
        let broker = await DataPlaneHarness()
        #expect(broker.router.route(for: ApiKey.initProducerId.rawValue)?.versions == 0...5)
    }

    @Test func initProducerId_transactional_isTransactionalIdAuthorizationFailed() async throws {
        let broker = await DataPlaneHarness()
        let response = await initProducerId(broker, InitProducerIdRequest(transactionalId: "txn-1", transactionTimeoutMs: 60_000))
        #expect(response?.errorCode == KafkaErrorCode.transactionalIdAuthorizationFailed.rawValue)
        #expect(response?.producerId == -1 && response?.producerEpoch == -1)
    }

    @Test func initProducerId_badFields_areInvalidRequest() async throws {
        let broker = await DataPlaneHarness()
        let empty = await initProducerId(broker, InitProducerIdRequest(transactionalId: "", transactionTimeoutMs: 60_000))
        #expect(empty?.errorCode == KafkaErrorCode.invalidRequest.rawValue)
        let halfSet = await initProducerId(broker, InitProducerIdRequest(transactionalId: nil, transactionTimeoutMs: -1, producerId: 5, producerEpoch: -1))
        #expect(halfSet?.errorCode == KafkaErrorCode.invalidRequest.rawValue)
    }

    @Test func initProducerId_sourceUnavailable_isRetriableLoadInProgress() async throws {
        let allocator = ProducerIdBlockAllocator { throw CancellationError() }
        let broker = await DataPlaneHarness(producerIds: allocator)
        let response = await initProducerId(broker, InitProducerIdRequest(transactionalId: nil, transactionTimeoutMs: -1))
        #expect(response?.errorCode == KafkaErrorCode.coordinatorLoadInProgress.rawValue)
    }

    // MARK: The block allocator

    /// Grants consecutive blocks of `size` and counts the requests.
    final class BlockSource: Sendable {
        private let next = Mutex<(start: Int64, requests: Int)>((0, 0))
        let size: Int64

        init(size: Int64 = ProducerIdBlockAllocator.blockSize) { self.size = size }

        var requests: Int { next.withLock { $0.requests } }

        func grant() async throws -> ClosedRange<Int64> {
            try await Task.sleep(for: .milliseconds(5))
            return next.withLock { state in
                state.requests += 1
                defer { state.start += size }
                return state.start...(state.start + size - 1)
            }
        }
    }

    @Test func allocator_manyConcurrentCallers_neverRepeatAnId() async throws {
        let source = BlockSource(size: 50)
        let allocator = ProducerIdBlockAllocator { try await source.grant() }
        let ids = try await withThrowingTaskGroup(of: Int64.self) { group in
            for _ in 0..<500 { group.addTask { try await allocator.nextProducerId() } }
            return try await group.reduce(into: [Int64]()) { $0.append($1) }
        }
        #expect(Set(ids).count == 500)
        #expect(ids.allSatisfy { $0 >= 0 })
        // Each block granted is used up before the next, but for one prefetched block.
        #expect(source.requests <= 11)
    }

    @Test func allocator_blockRunningLow_prefetchesTheNext() async throws {
        let source = BlockSource(size: 1000)
        let allocator = ProducerIdBlockAllocator { try await source.grant() }
        for expected in Int64(0)..<901 {
            #expect(try await allocator.nextProducerId() == expected)
        }
        try await Task.sleep(for: .milliseconds(100))
        #expect(source.requests == 2)
        for expected in Int64(901)..<1100 {
            #expect(try await allocator.nextProducerId() == expected)
        }
        #expect(source.requests == 2)
    }

    @Test func allocator_failedRequest_isUnavailable_andLaterCallsRetry() async throws {
        final class Flag: Sendable {
            let failing = Atomic<Bool>(true)
        }
        let flag = Flag()
        let allocator = ProducerIdBlockAllocator {
            if flag.failing.load(ordering: .relaxed) { throw CancellationError() }
            return 100...199
        }
        await #expect(throws: ProducerIdError.self) { try await allocator.nextProducerId() }
        flag.failing.store(false, ordering: .relaxed)
        #expect(try await allocator.nextProducerId() == 100)
    }
}
