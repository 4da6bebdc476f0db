// Goal: the spliced Fetch encoding (records as separate parts, file ranges for sendfile) is
// byte for byte what the generated encoder writes with the records inline, at every version.
// Method: seeded random responses; file slices backed by a real temporary file.

import Foundation
import NIOCore
import Testing
import TernBrokerCore
import TernLogStore
import TernPrimitives
import TernProtocol
import TernTransport

@Suite struct FetchResponseEncoderTests {
    @Test(arguments: Array(Int16(4)...17))
    func encode_randomResponses_matchTheGeneratedEncoder(version: Int16) throws {
        let path = NSTemporaryDirectory() + "tern-fetch-encoder-\(UUID().uuidString)"
        let content = (0..<4096).map { UInt8(truncatingIfNeeded: $0 &* 31) }
        try #require(FileManager.default.createFile(atPath: path, contents: Data(content)))
        defer { try? FileManager.default.removeItem(atPath: path) }
        let descriptor = open(path, O_RDONLY)
        try #require(descriptor >= 0)
        let handle = SegmentFileHandle(descriptor: descriptor, path: path)
        var random = SeededRandom(seed: UInt64(version) * 7919)
        for _ in 0..<20 {
            var response = FetchResponse(throttleTimeMs: Int32(random.next() % 100), errorCode: 0, sessionId: 0)
            var slices: [[[LogSlice]]] = []
            for topicIndex in 0..<Int(random.next() % 3) {
                var topic = FetchResponse.Topic(topic: "t\(topicIndex)", topicId: KafkaUUID(high: UInt64(topicIndex + 1), low: 5))
                var topicSlices: [[LogSlice]] = []
                for partitionIndex in 0..<Int(random.next() % 4) {
                    var parts: [LogSlice] = []
                    for _ in 0..<Int(random.next() % 3) {
                        if random.next() % 2 == 0 {
                            let offset = Int64(random.next() % 2048)
                            parts.append(.file(FileSlice(file: handle, offset: offset, length: Int(random.next() % 1024))))
                        } else {
                            parts.append(.bytes(ByteBuffer(bytes: (0..<Int(random.next() % 300)).map { UInt8(truncatingIfNeeded: $0) })))
                        }
                    }
                    topic.partitions.append(FetchResponse.Topic.Partition(
                        partitionIndex: Int32(partitionIndex), errorCode: 0, highWatermark: Int64(random.next() % 1000),
                        lastStableOffset: 3, logStartOffset: 0, abortedTransactions: random.next() % 2 == 0 ? [] : nil,
                        records: ByteBuffer()))
                    topicSlices.append(parts)
                }
                response.responses.append(topic)
                slices.append(topicSlices)
            }
            let spliced = try FetchResponseEncoder.encode(response, slices: slices, version: version).encodedFrame()
            let copied = try FetchResponseEncoder.encodedByCopying(response, slices: slices, version: version).encodedFrame()
            #expect(spliced == copied)
            let sendsFiles = try FetchResponseEncoder.encode(response, slices: slices, version: version).parts.contains {
                if case .file = $0 { true } else { false }
            }
            let hasFileSlices = slices.joined().joined().contains { if case .file(let slice) = $0 { slice.length > 0 } else { false } }
            #expect(sendsFiles == hasFileSlices || !hasFileSlices)
        }
    }
}
