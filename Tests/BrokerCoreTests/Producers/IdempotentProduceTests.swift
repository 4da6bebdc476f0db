// Goal: idempotent producers get Kafka's answers through the Produce route: a retried batch
// succeeds with its original offset and is not appended twice (also when the retry races the
// original), a gap is OUT_OF_ORDER_SEQUENCE_NUMBER, a fenced epoch INVALID_PRODUCER_EPOCH, and
// idle producers expire at maintenance. Method: the DataPlaneHarness over a MemoryLogStore, checking responses and what a fetch returns.

import NIOCore
import Testing
import TernBrokerCore
import TernLogStore
import TernPrimitives
import TernProtocol

@Suite struct IdempotentProduceTests {
    private let orders = TopicPartition(topic: "orders", partition: 0)

    private func logEnd(_ broker: DataPlaneHarness) async -> Int64? {
        await broker.replicas.partition(orders)?.offsets().logEndOffset
    }

    @Test(arguments: [Int16(3), 9, 11])
    func produce_retryOfSameBatch_getsSameOffset_andIsAppendedOnce(version: Int16) async throws {
        let broker = await DataPlaneHarness()
        _ = await broker.produce("orders", records: try makeBatch(["plain"]))
        let batch = try makeIdempotentBatch(["a", "b", "c"], producerId: 7, sequence: 0)
        let first = await broker.produce("orders", records: batch, version: version)
        let retry = await broker.produce("orders", records: batch, version: version)
        #expect(first?.errorCode == 0 && first?.baseOffset == 1)
        #expect(retry?.errorCode == 0 && retry?.baseOffset == 1)
        #expect(await logEnd(broker) == 4)
        let next = await broker.produce("orders", records: try makeIdempotentBatch(["d"], producerId: 7, sequence: 3), version: version)
        #expect(next?.errorCode == 0 && next?.baseOffset == 4)
        let records = await broker.fetch("orders", offset: 0)?.responses.first?.partitions.first?.records
        #expect(try values(in: records) == ["plain", "a", "b", "c", "d"])
    }

    @Test func produce_retryOfAnOlderInFlightBatch_getsItsOwnOffset() async throws {
        let broker = await DataPlaneHarness()
        var batches: [ByteBuffer] = []
        for sequence in 0..<5 {
            batches.append(try makeIdempotentBatch(["v\(sequence)"], producerId: 7, sequence: Int32(sequence)))
            #expect(await broker.produce("orders", records: batches[sequence])?.baseOffset == Int64(sequence))
        }
        for (sequence, batch) in batches.enumerated() {
            let retry = await broker.produce("orders", records: batch)
            #expect(retry?.errorCode == 0 && retry?.baseOffset == Int64(sequence))
        }
        #expect(await logEnd(broker) == 5)
    }

    @Test func produce_concurrentRetryRacingTheOriginal_appendsOnce() async throws {
        let broker = await DataPlaneHarness()
        let batch = try makeIdempotentBatch(["a", "b"], producerId: 7, sequence: 0)
        async let first = broker.produce("orders", records: batch)
        async let second = broker.produce("orders", records: batch)
        let answers = await [first, second]
        #expect(answers.allSatisfy { $0?.errorCode == 0 && $0?.baseOffset == 0 })
        #expect(await logEnd(broker) == 2)
    }

    @Test func produce_sequenceGap_isOutOfOrderSequenceNumber_andNothingIsAppended() async throws {
        let broker = await DataPlaneHarness()
        _ = await broker.produce("orders", records: try makeIdempotentBatch(["a", "b"], producerId: 7, sequence: 0))
        let gap = await broker.produce("orders", records: try makeIdempotentBatch(["c"], producerId: 7, sequence: 3))
        #expect(gap?.errorCode == KafkaErrorCode.outOfOrderSequenceNumber.rawValue)
        #expect(gap?.baseOffset == -1)
        #expect(gap?.errorMessage?.contains("sequence 3") == true)
        #expect(await logEnd(broker) == 2)
        // The producer resends in order and goes on.
        #expect(await broker.produce("orders", records: try makeIdempotentBatch(["c"], producerId: 7, sequence: 2))?.baseOffset == 2)
    }

    @Test func produce_fencedEpoch_isInvalidProducerEpoch_newEpochStartsAtZero() async throws {
        let broker = await DataPlaneHarness()
        _ = await broker.produce("orders", records: try makeIdempotentBatch(["a"], producerId: 7, epoch: 2, sequence: 0))
        let fenced = await broker.produce("orders", records: try makeIdempotentBatch(["b"], producerId: 7, epoch: 1, sequence: 1))
        #expect(fenced?.errorCode == KafkaErrorCode.invalidProducerEpoch.rawValue)
        let badStart = await broker.produce("orders", records: try makeIdempotentBatch(["b"], producerId: 7, epoch: 3, sequence: 1))
        #expect(badStart?.errorCode == KafkaErrorCode.outOfOrderSequenceNumber.rawValue)
        let bumped = await broker.produce("orders", records: try makeIdempotentBatch(["b"], producerId: 7, epoch: 3, sequence: 0))
        #expect(bumped?.errorCode == 0 && bumped?.baseOffset == 1)
        #expect(await logEnd(broker) == 2)
    }

    @Test func produce_duplicateOnLogAppendTimeTopic_reportsTheOriginalAppendTime() async throws {
        let broker = await DataPlaneHarness(settings: TopicSettings(timestampType: .logAppendTime))
        let batch = try makeIdempotentBatch(["a"], producerId: 7, sequence: 0)
        let first = await broker.produce("orders", records: batch)
        broker.clock.advance(by: .seconds(5))
        let retry = await broker.produce("orders", records: batch)
        #expect(first?.logAppendTimeMs == 1_700_000_000_000)
        #expect(retry?.logAppendTimeMs == 1_700_000_000_000 && retry?.baseOffset == 0)
    }

    @Test func maintain_afterExpiration_forgetsIdleProducer() async throws {
        let broker = await DataPlaneHarness()
        let batch = try makeIdempotentBatch(["a"], producerId: 7, sequence: 0)
        _ = await broker.produce("orders", records: batch)
        broker.clock.advance(by: .seconds(86_400))
        await broker.replicas.maintain(wallClockMilliseconds: broker.clock.wallClockMilliseconds)
        #expect(await broker.replicas.partition(orders)?.producerStateTable.producers.isEmpty == true)
        // Forgotten, the retry is a new batch from an unknown producer, as in Kafka.
        #expect(await broker.produce("orders", records: batch)?.baseOffset == 1)
    }
}
