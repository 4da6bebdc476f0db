// Goal: frames that real clients (kcat/librdkafka 2.0, confluent-kafka/librdkafka 2.16,
// kafka-python, aiokafka) actually sent decode to the values their scenario used, and
// re-encode to the very same bytes; the responses a real broker (Tansu) sent decode too.
// Method: the fixtures in Fixtures/golden were captured by Tools/capture/capture.sh through a
// recording proxy; each manifest entry also lists facts the scenario set (topics, keys,
// codecs...), checked here independently of our encoder.

import NIOCore
import Testing
import TernPrimitives
import TernProtocol

extension GoldenEntry: CustomTestStringConvertible {
    var testDescription: String { name }
}

@Suite struct GoldenFrameTests {
    @Test func fixtures_arePresent() {
        #expect(GoldenFixtures.entries.count > 100)
        let clients = Set(GoldenFixtures.entries.map(\.client))
        #expect(clients == ["kcat", "confluent-kafka", "kafka-python", "aiokafka"])
    }

    @Test(arguments: GoldenFixtures.entries)
    func request_fromRealClient_decodesAndReencodesIdentically(entry: GoldenEntry) throws {
        var frame = try GoldenFixtures.bytes(entry.fileRequest)
        var trailingBytes = 0
        let decoded = try DecodedRequest.decode(frame: frame, trailingBytes: &trailingBytes)
        #expect(trailingBytes == entry.requestTrailingBytes ?? 0)
        frame.moveWriterIndex(to: frame.writerIndex - trailingBytes)
        guard ApiKey(rawValue: entry.apiKey) != nil else {
            // e.g. librdkafka 2.16's GetTelemetrySubscriptions: not an API Tern implements.
            guard case .unknownApiKey(let header) = decoded else {
                Issue.record("unknown key \(entry.apiKey) decoded as something else")
                return
            }
            #expect(header.correlationId == entry.correlationId)
            return
        }
        guard case let .request(header, body) = decoded else {
            Issue.record("\(entry.name) did not decode as a supported request: \(decoded)")
            return
        }
        #expect(header.apiVersion == entry.apiVersion)
        #expect(header.correlationId == entry.correlationId)
        #expect(header.clientId == entry.clientId)

        var reencoded = ByteBuffer()
        try header.encode(into: &reencoded)
        try body.encode(into: &reencoded, version: header.apiVersion)
        #expect(reencoded == frame, "\(entry.name) re-encodes to different bytes")

        // Group protocols carry topics inside opaque metadata bytes, so look in the frame.
        let strings = allStrings(in: body.message)
        let frameText = String(decoding: frame.readableBytesView, as: UTF8.self)
        for topic in entry.facts.topics ?? [] where entry.apiKey != 1 {
            #expect(strings.contains(topic) || frameText.contains(topic), "topic \(topic) not found in \(entry.name)")
        }
        if let group = entry.facts.groupId { #expect(strings.contains(group)) }
        if let transactionalId = entry.facts.transactionalId { #expect(strings.contains(transactionalId)) }

        if case let .produce(produce) = body {
            try checkProducedRecords(produce, entry: entry)
        }
    }

    @Test(arguments: GoldenFixtures.entries.filter { $0.fileResponse != nil && ApiKey(rawValue: $0.apiKey) != nil })
    func response_fromRealBroker_decodes(entry: GoldenEntry) throws {
        guard let file = entry.fileResponse, let apiKey = ApiKey(rawValue: entry.apiKey) else { return }
        var frame = try GoldenFixtures.bytes(file)
        let original = frame
        let headerVersion = apiKey.responseHeaderVersion(entry.apiVersion)
        let header = try ResponseHeader(from: &frame, version: headerVersion)
        #expect(header.correlationId == entry.correlationId)
        if entry.responseMalformed != nil {
            #expect(throws: DecodeError.self) {
                _ = try KafkaResponseBody.decode(apiKey: apiKey, version: entry.apiVersion, from: &frame)
                if frame.readableBytes > 0 { throw DecodeError.trailingBytes(frame.readableBytes) }
            }
            return
        }
        let body = try KafkaResponseBody.decode(apiKey: apiKey, version: entry.apiVersion, from: &frame)
        #expect(frame.readableBytes == 0, "\(entry.name): trailing bytes")

        var reencoded = ByteBuffer()
        header.encode(into: &reencoded, version: headerVersion)
        try body.encode(into: &reencoded, version: entry.apiVersion)
        if entry.responseTaggedFields == nil {
            #expect(reencoded == original, "\(entry.name) response re-encodes to different bytes")
        } else {
            // The broker wrote tagged fields at their default values; we omit those, as Apache
            // Kafka does, so only the values must survive.
            var again = reencoded
            _ = try ResponseHeader(from: &again, version: headerVersion)
            let redecoded = try KafkaResponseBody.decode(apiKey: apiKey, version: entry.apiVersion, from: &again)
            #expect(redecoded == body)
        }

        if case let .fetch(fetch) = body {
            for topic in fetch.responses {
                for partition in topic.partitions {
                    guard let records = partition.records else { continue }
                    for case let .batch(batch) in try RecordBatchSplitter.entries(in: records, trailingPartialBatch: .allow) {
                        _ = try batch.records(decompress: GoldenFixtures.decompress)
                    }
                }
            }
        }
    }

    private func checkProducedRecords(_ produce: ProduceRequest, entry: GoldenEntry) throws {
        var records: [Record] = []
        var codecs: Set<String> = []
        for topic in produce.topicData {
            for partition in topic.partitionData {
                guard let bytes = partition.records else { continue }
                for case let .batch(batch) in try RecordBatchSplitter.entries(in: bytes) {
                    #expect(batch.hasValidChecksum)
                    codecs.insert(batch.compression?.description ?? "unknown")
                    let decoded = try batch.records(decompress: GoldenFixtures.decompress)
                    #expect(decoded.count == Int(batch.recordCount))
                    records += decoded
                }
            }
        }
        if let compression = entry.facts.compression {
            #expect(codecs == [compression], "\(entry.name): batches use \(codecs)")
        }
        if let count = entry.facts.recordCount { #expect(records.count == count) }
        let string = { (buffer: ByteBuffer?) in buffer.map { String(buffer: $0) } }
        if let keys = entry.facts.keys { #expect(records.map { string($0.key) } == keys) }
        if let values = entry.facts.values { #expect(records.map { string($0.value) } == values) }
    }
}
