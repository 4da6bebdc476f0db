// Goal: ListOffsets, OffsetForLeaderEpoch and DeleteRecords answer as Kafka's do.
// Method: produce batches with known timestamps through the routes, then query.

import NIOCore
import Testing
import TernBrokerCore
import TernPrimitives
import TernProtocol

@Suite struct OffsetsTests {
    private func listOffset(_ broker: DataPlaneHarness, timestamp: Int64, version: Int16 = 7) async -> ListOffsetsResponse.Topic.Partition? {
        let request = ListOffsetsRequest(replicaId: -1, topics: [ListOffsetsRequest.Topic(name: "orders", partitions: [
            ListOffsetsRequest.Topic.Partition(partitionIndex: 0, timestamp: timestamp)])])
        guard case .body(.listOffsets(let response)) = await broker.send(.listOffsets(request), version: version) else { return nil }
        return response.topics.first?.partitions.first
    }

    @Test func listOffsets_specialAndRealTimestamps_findTheRightOffsets() async throws {
        let broker = await DataPlaneHarness()
        _ = await broker.produce("orders", records: try makeBatch(["a", "b"], baseTimestamp: 1000))
        _ = await broker.produce("orders", records: try makeBatch(["c", "d"], baseTimestamp: 5000))
        #expect(await listOffset(broker, timestamp: -2)?.offset == 0)
        #expect(await listOffset(broker, timestamp: -1)?.offset == 4)
        #expect(await listOffset(broker, timestamp: 1001)?.offset == 1)
        #expect(await listOffset(broker, timestamp: 4000)?.offset == 2)
        #expect(await listOffset(broker, timestamp: 9999)?.offset == -1)
        let max = await listOffset(broker, timestamp: -3)
        #expect(max?.offset == 3 && max?.timestamp == 5001)
        #expect(await listOffset(broker, timestamp: -3, version: 6)?.errorCode == KafkaErrorCode.invalidRequest.rawValue)
    }

    @Test func deleteRecords_belowHighWatermark_raisesTheLogStart() async throws {
        let broker = await DataPlaneHarness()
        _ = await broker.produce("orders", records: try makeBatch(["a", "b", "c"]))
        let request = DeleteRecordsRequest(topics: [DeleteRecordsRequest.Topic(name: "orders", partitions: [
            DeleteRecordsRequest.Topic.Partition(partitionIndex: 0, offset: 2)])], timeoutMs: 1000)
        guard case .body(.deleteRecords(let response)) = await broker.send(.deleteRecords(request), version: 2) else {
            Issue.record("expected DeleteRecords")
            return
        }
        #expect(response.topics.first?.partitions.first?.lowWatermark == 2)
        #expect(await listOffset(broker, timestamp: -2)?.offset == 2)
        let tooFar = DeleteRecordsRequest(topics: [DeleteRecordsRequest.Topic(name: "orders", partitions: [
            DeleteRecordsRequest.Topic.Partition(partitionIndex: 0, offset: 10)])], timeoutMs: 1000)
        guard case .body(.deleteRecords(let rejected)) = await broker.send(.deleteRecords(tooFar), version: 0) else { return }
        #expect(rejected.topics.first?.partitions.first?.errorCode == KafkaErrorCode.offsetOutOfRange.rawValue)
    }

    @Test func offsetForLeaderEpoch_currentEpoch_endsAtTheLogEnd() async throws {
        let broker = await DataPlaneHarness()
        _ = await broker.produce("orders", records: try makeBatch(["a", "b"]))
        let request = OffsetForLeaderEpochRequest(topics: [OffsetForLeaderEpochRequest.Topic(topic: "orders", partitions: [
            OffsetForLeaderEpochRequest.Topic.Partition(partition: 0, currentLeaderEpoch: 0, leaderEpoch: 0)])])
        guard case .body(.offsetForLeaderEpoch(let response)) = await broker.send(.offsetForLeaderEpoch(request), version: 4) else {
            Issue.record("expected OffsetForLeaderEpoch")
            return
        }
        let partition = response.topics.first?.partitions.first
        #expect(partition?.errorCode == 0 && partition?.leaderEpoch == 0 && partition?.endOffset == 2)
        let fenced = OffsetForLeaderEpochRequest(topics: [OffsetForLeaderEpochRequest.Topic(topic: "orders", partitions: [
            OffsetForLeaderEpochRequest.Topic.Partition(partition: 0, currentLeaderEpoch: 3, leaderEpoch: 0)])])
        guard case .body(.offsetForLeaderEpoch(let unknown)) = await broker.send(.offsetForLeaderEpoch(fenced), version: 4) else { return }
        #expect(unknown.topics.first?.partitions.first?.errorCode == KafkaErrorCode.unknownLeaderEpoch.rawValue)
    }

    @Test func metadata_allAndUnknownAndIllegalTopics_answerAsKafka() async throws {
        let broker = await DataPlaneHarness(topics: ["orders": 2])
        let all = MetadataRequest(topics: nil)
        guard case .body(.metadata(let response)) = await broker.send(.metadata(all), version: 12) else {
            Issue.record("expected Metadata")
            return
        }
        #expect(response.brokers.map(\.nodeId) == [1] && response.controllerId == 1 && response.clusterId == "test-cluster")
        #expect(response.topics.map(\.name) == ["orders"] && response.topics.first?.partitions.count == 2)
        let named = MetadataRequest(topics: [MetadataRequest.Topic(name: "nope"), MetadataRequest.Topic(name: "bad name!")])
        guard case .body(.metadata(let errors)) = await broker.send(.metadata(named), version: 9) else { return }
        #expect(errors.topics.map(\.errorCode) == [KafkaErrorCode.unknownTopicOrPartition.rawValue, KafkaErrorCode.invalidTopicException.rawValue])
    }
}
