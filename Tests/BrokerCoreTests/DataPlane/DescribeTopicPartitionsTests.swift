// Goal: DescribeTopicPartitions pages through partitions with a cursor as KIP-966 describes.
// Method: topics with known partition counts; walk the pages and check each one.

import Testing
import TernBrokerCore
import TernProtocol

@Suite struct DescribeTopicPartitionsTests {
    private func page(_ broker: DataPlaneHarness, topics: [String], limit: Int32, cursor: DescribeTopicPartitionsRequest.Cursor? = nil)
        async -> DescribeTopicPartitionsResponse? {
        let request = DescribeTopicPartitionsRequest(topics: topics.map { DescribeTopicPartitionsRequest.Topic(name: $0) },
                                                     responsePartitionLimit: limit, cursor: cursor)
        guard case .body(.describeTopicPartitions(let response)) = await broker.send(.describeTopicPartitions(request), version: 0) else { return nil }
        return response
    }

    @Test func pages_smallLimit_walkEveryPartitionOnceInOrder() async throws {
        let broker = await DataPlaneHarness(topics: ["a": 3, "b": 2])
        var seen: [String] = []
        var cursor: DescribeTopicPartitionsRequest.Cursor?
        for _ in 0..<10 {
            let response = try #require(await page(broker, topics: [], limit: 2, cursor: cursor))
            for topic in response.topics { seen += topic.partitions.map { "\(topic.name ?? "")-\($0.partitionIndex)" } }
            cursor = response.nextCursor
            if cursor == nil { break }
        }
        #expect(seen == ["a-0", "a-1", "a-2", "b-0", "b-1"])
    }

    @Test func unknownTopicAndForeignCursor_answerKafkasErrors() async throws {
        let broker = await DataPlaneHarness(topics: ["a": 1])
        let unknown = try #require(await page(broker, topics: ["a", "zz"], limit: 10))
        #expect(unknown.topics.map(\.errorCode) == [0, KafkaErrorCode.unknownTopicOrPartition.rawValue])
        let foreign = try #require(await page(broker, topics: ["a"], limit: 10,
                                              cursor: DescribeTopicPartitionsRequest.Cursor(topicName: "b", partitionIndex: 0)))
        #expect(foreign.topics.first?.errorCode == KafkaErrorCode.invalidRequest.rawValue)
    }
}
