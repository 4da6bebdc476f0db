// Goal: Produce and Fetch behave as Kafka's do for a single broker: offsets assigned in order,
// per-partition errors, validation, recompression, and a fetch that parks until data arrives.
// Method: drive the routes directly over a MemoryLogStore with metadata set by hand.

import NIOCore
import Testing
import TernBrokerCore
import TernPrimitives
import TernProtocol

@Suite struct ProduceFetchTests {
    @Test(arguments: [Int16(3), 8, 11])
    func produce_twoBatches_assignsConsecutiveOffsetsAndFetchReturnsThem(version: Int16) async throws {
        let broker = await DataPlaneHarness()
        let first = await broker.produce("orders", records: try makeBatch(["a", "b"]), version: version)
        let second = await broker.produce("orders", records: try makeBatch(["c"]), version: version)
        #expect(first?.errorCode == 0 && first?.baseOffset == 0)
        #expect(second?.errorCode == 0 && second?.baseOffset == 2)
        let fetched = try #require(await broker.fetch("orders", offset: 0))
        let partition = try #require(fetched.responses.first?.partitions.first)
        #expect(partition.errorCode == 0 && partition.highWatermark == 3)
        #expect(try values(in: partition.records) == ["a", "b", "c"])
    }

    @Test func produce_acksZero_answersNothingButAppends() async throws {
        let broker = await DataPlaneHarness()
        let request = ProduceRequest(acks: 0, timeoutMs: 1000, topicData: [
            ProduceRequest.Topic(name: "orders", partitionData: [ProduceRequest.Topic.Partition(index: 0, records: try makeBatch(["x"]))])])
        guard case .none = await broker.send(.produce(request), version: 9) else {
            Issue.record("acks=0 must get no response")
            return
        }
        #expect(try values(in: await broker.fetch("orders", offset: 0)?.responses.first?.partitions.first?.records) == ["x"])
    }

    @Test func produce_badInput_answersKafkasCodesPerPartition() async throws {
        let broker = await DataPlaneHarness()
        #expect(await broker.produce("orders", records: try makeBatch(["x"]), acks: 2)?.errorCode == KafkaErrorCode.invalidRequiredAcks.rawValue)
        #expect(await broker.produce("missing", records: try makeBatch(["x"]))?.errorCode == KafkaErrorCode.unknownTopicOrPartition.rawValue)
        #expect(await broker.produce("orders", partition: 5, records: try makeBatch(["x"]))?.errorCode == KafkaErrorCode.unknownTopicOrPartition.rawValue)
        var corrupt = try makeBatch(["x"])
        corrupt.setInteger(UInt8(0xFF), at: corrupt.writerIndex - 1)
        #expect(await broker.produce("orders", records: corrupt)?.errorCode == KafkaErrorCode.corruptMessage.rawValue)
        #expect(await broker.produce("orders", records: nil)?.errorCode == KafkaErrorCode.invalidRecord.rawValue)
        let noSequence = await broker.produce("orders", records: try makeIdempotentBatch(["x"], producerId: 9, sequence: -1))
        #expect(noSequence?.errorCode == KafkaErrorCode.invalidRecord.rawValue)
        #expect(await broker.fetch("orders", offset: 0)?.responses.first?.partitions.first?.highWatermark == 0)
    }

    @Test func produce_batchOverMaxMessageBytes_isMessageTooLarge() async throws {
        let broker = await DataPlaneHarness(settings: TopicSettings(maxMessageBytes: 200))
        let response = await broker.produce("orders", records: try makeBatch([String(repeating: "x", count: 500)]))
        #expect(response?.errorCode == KafkaErrorCode.messageTooLarge.rawValue)
        #expect(response?.errorMessage?.contains("max.message.bytes") == true)
    }

    @Test func produce_topicCompressionDiffers_storesTheTopicsCodec() async throws {
        let broker = await DataPlaneHarness(settings: TopicSettings(compression: .codec(.zstd)))
        #expect(await broker.produce("orders", records: try makeBatch(["a", "b"], compression: .gzip))?.errorCode == 0)
        let records = try #require(await broker.fetch("orders", offset: 0)?.responses.first?.partitions.first?.records)
        let view = try RecordBatchView(buffer: records)
        #expect(view.compression == .zstd)
        #expect(try values(in: records) == ["a", "b"])
    }

    @Test func produce_timestampOutsideConfiguredBound_isInvalidTimestampWithRecordErrors() async throws {
        let broker = await DataPlaneHarness(settings: TopicSettings(timestampBeforeMax: 60_000))
        let old = await broker.produce("orders", records: try makeBatch(["a", "b"], baseTimestamp: 1_600_000_000_000))
        #expect(old?.errorCode == KafkaErrorCode.invalidTimestamp.rawValue)
        #expect(old?.recordErrors.map(\.batchIndex) == [0, 1])
        #expect(await broker.produce("orders", records: try makeBatch(["c"], baseTimestamp: 1_700_000_000_000))?.errorCode == 0)
    }

    @Test func produce_logAppendTimeTopic_reportsAndStampsTheAppendTime() async throws {
        let broker = await DataPlaneHarness(settings: TopicSettings(timestampType: .logAppendTime))
        let response = await broker.produce("orders", records: try makeBatch(["a"], baseTimestamp: 5))
        #expect(response?.logAppendTimeMs == 1_700_000_000_000)
        let records = try #require(await broker.fetch("orders", offset: 0)?.responses.first?.partitions.first?.records)
        #expect(try RecordBatchView(buffer: records).maxTimestamp == 1_700_000_000_000)
    }

    @Test func fetch_beyondLogEnd_isOffsetOutOfRange() async throws {
        let broker = await DataPlaneHarness()
        _ = await broker.produce("orders", records: try makeBatch(["a"]))
        let partition = await broker.fetch("orders", offset: 5)?.responses.first?.partitions.first
        #expect(partition?.errorCode == KafkaErrorCode.offsetOutOfRange.rawValue)
        #expect(await broker.fetch("orders", offset: 1)?.responses.first?.partitions.first?.errorCode == 0)
    }

    @Test func fetch_sessions_areDeclinedAsTheProtocolAllows() async throws {
        let broker = await DataPlaneHarness()
        let open = try #require(await broker.fetch("orders", offset: 0, sessionId: 0, sessionEpoch: 0))
        #expect(open.errorCode == 0 && open.sessionId == 0)
        #expect(await broker.fetch("orders", offset: 0, sessionId: 42, sessionEpoch: 1)?.errorCode == KafkaErrorCode.fetchSessionIdNotFound.rawValue)
        #expect(await broker.fetch("orders", offset: 0, sessionId: 0, sessionEpoch: 3)?.errorCode == KafkaErrorCode.invalidFetchSessionEpoch.rawValue)
    }

    @Test func fetch_atLogEndWithMinBytes_parksUntilAProduceArrives() async throws {
        let broker = await DataPlaneHarness()
        let started = ContinuousClock.now
        async let parked = broker.fetch("orders", offset: 0, minBytes: 1, maxWaitMs: 10_000)
        try await Task.sleep(for: .milliseconds(200))
        _ = await broker.produce("orders", records: try makeBatch(["late"]))
        let response = try #require(await parked)
        let waited = ContinuousClock.now - started
        #expect(try values(in: response.responses.first?.partitions.first?.records) == ["late"])
        #expect(waited < .seconds(5), "the fetch should wake on the append, not at max_wait_ms (waited \(waited))")
    }

    @Test func fetch_noData_returnsEmptyAfterMaxWait() async throws {
        let broker = await DataPlaneHarness()
        let started = ContinuousClock.now
        let response = try #require(await broker.fetch("orders", offset: 0, minBytes: 1, maxWaitMs: 150))
        #expect(ContinuousClock.now - started >= .milliseconds(140))
        #expect(response.responses.first?.partitions.first?.records?.readableBytes ?? 0 == 0)
    }

    @Test func fetch_v13_unknownTopicId_isUnknownTopicId() async throws {
        let broker = await DataPlaneHarness()
        let request = FetchRequest(maxWaitMs: 0, minBytes: 0, topics: [FetchRequest.Topic(topicId: KafkaUUID(high: 99, low: 99), partitions: [
            FetchRequest.Topic.Partition(partition: 0, fetchOffset: 0, partitionMaxBytes: 1000)])])
        let response = try #require(broker.decodeFetch(await broker.send(.fetch(request), version: 13), version: 13))
        #expect(response.responses.first?.partitions.first?.errorCode == KafkaErrorCode.unknownTopicId.rawValue)
    }
}
