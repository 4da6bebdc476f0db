// Shared helpers for the broker tests: a broker's data plane over a MemoryLogStore (or a
// store the test passes) with metadata set directly (no coordination service), and batches
// built with our encoder.

import Logging
import NIOCore
import TernBrokerCore
import TernCompression
import TernCoordination
import TernLogStore
import TernPrimitives
import TernProtocol
import TernTransport

/// A data plane, metadata and producer APIs over one broker (node 1), in memory unless the
/// test passes a store.
struct DataPlaneHarness {
    let metadata: MetadataCache
    let replicas: ReplicaManager
    let dataPlane: DataPlaneApis
    let router: ApiRouter
    let clock: ManualClock
    let markers: TransactionMarkerWriter

    init(topics: [String: Int] = ["orders": 1], settings: TopicSettings = TopicSettings(), logStore: (any LogStore)? = nil,
         clock: ManualClock = ManualClock(wallClockMilliseconds: 1_700_000_000_000),
         producerIds: any ProducerIdSource = InMemoryProducerIdSource()) async {
        self.clock = clock
        var cluster = ClusterMetadata(clusterId: "test-cluster", controllerId: 1,
                                      brokers: [1: BrokerRegistration(id: 1, host: "127.0.0.1", port: 9092)], version: 1)
        var seed: UInt64 = 1
        for (name, count) in topics {
            seed += 1
            cluster.topics[name] = TopicMetadata(
                name: name, id: KafkaUUID(high: seed, low: seed),
                partitions: (0..<count).map { _ in PartitionAssignment(replicas: [1], leader: 1, inSyncReplicas: [1]) })
        }
        metadata = MetadataCache(cluster)
        let logger = Logger(label: "test")
        replicas = ReplicaManager(nodeId: 1, logStore: logStore ?? MemoryLogStore(clock: clock), logger: logger, clock: clock) { _, _ in settings }
        await replicas.apply(cluster)
        dataPlane = DataPlaneApis(replicas: replicas, metadata: metadata, codecs: CompressionCodecs(), clock: clock, logger: logger)
        let metadataApis = MetadataApis(metadata: metadata, configuration: BrokerConfiguration(nodeId: 1, advertisedHost: "127.0.0.1", advertisedPort: 9092),
                                        autoCreateTopic: nil)
        markers = TransactionMarkerWriter(replicas: replicas, metadata: metadata)
        router = ApiRouter(components: [dataPlane, metadataApis, ProducerApis(producerIds: producerIds, logger: logger),
                                        TransactionMarkerApis(writer: markers)])
    }

    /// Sends `body` at `version` through the router and returns the reply.
    func send(_ body: KafkaRequestBody, version: Int16) async -> ApiReply {
        let header = RequestHeader(apiKey: body.apiKey.rawValue, apiVersion: version, correlationId: 7, clientId: "test")
        guard let route = router.route(for: body.apiKey.rawValue) else { return .none }
        return await route.handle(body, RequestContext(header: header, clientAddress: "127.0.0.1:50000", connectionId: 1))
    }

    func produce(_ topic: String, partition: Int32 = 0, records: ByteBuffer?, acks: Int16 = -1, version: Int16 = 9) async -> ProduceResponse.Topic.Partition? {
        let request = ProduceRequest(acks: acks, timeoutMs: 1000, topicData: [
            ProduceRequest.Topic(name: topic, partitionData: [ProduceRequest.Topic.Partition(index: partition, records: records)])])
        guard case .body(.produce(let response)) = await send(.produce(request), version: version) else { return nil }
        return response.responses.first?.partitionResponses.first
    }

    func fetch(_ topic: String, offset: Int64, minBytes: Int32 = 0, maxWaitMs: Int32 = 0, version: Int16 = 11,
               sessionId: Int32 = 0, sessionEpoch: Int32 = -1, isolationLevel: Int8 = 0) async -> FetchResponse? {
        let request = FetchRequest(maxWaitMs: maxWaitMs, minBytes: minBytes, maxBytes: 1 << 20, isolationLevel: isolationLevel,
                                   sessionId: sessionId, sessionEpoch: sessionEpoch,
                                   topics: [FetchRequest.Topic(topic: topic, partitions: [
                                       FetchRequest.Topic.Partition(partition: 0, fetchOffset: offset, partitionMaxBytes: 1 << 20)])])
        return decodeFetch(await send(.fetch(request), version: version), version: version)
    }

    /// The Fetch response in `reply`, decoded from the bytes the transport would send.
    func decodeFetch(_ reply: ApiReply, version: Int16) -> FetchResponse? {
        switch reply {
        case .body(.fetch(let response)):
            return response
        case .encoded(let payload):
            guard var frame = try? payload.encodedFrame(), frame.readInteger(as: Int32.self) != nil else { return nil }
            return try? FetchResponse.decodeWhole(frame, version: version)
        default:
            return nil
        }
    }
}

/// A v2 batch of `values`, timestamps one millisecond apart from `baseTimestamp`.
func makeBatch(_ values: [String], baseTimestamp: Int64 = 1_700_000_000_000, producerId: Int64 = -1,
               compression: CompressionType = .none) throws -> ByteBuffer {
    let records = values.enumerated().map { index, value in
        Record(timestampDelta: Int64(index), offsetDelta: Int32(index), key: ByteBuffer(string: "k\(index)"), value: ByteBuffer(string: value))
    }
    let batch = RecordBatch(attributes: RecordBatchAttributes(compression: compression), baseTimestamp: baseTimestamp,
                            maxTimestamp: baseTimestamp + Int64(values.count - 1), producerId: producerId,
                            producerEpoch: producerId >= 0 ? 0 : -1, baseSequence: producerId >= 0 ? 0 : -1, records: records)
    var buffer = ByteBuffer()
    let codecs = CompressionCodecs()
    try batch.encode(into: &buffer, compression: compression) { try codecs.codec(for: compression).compress($0) }
    return buffer
}

/// A v2 batch of `values` from idempotent producer `producerId` at `epoch`, its first record
/// at `sequence`.
func makeIdempotentBatch(_ values: [String], producerId: Int64, epoch: Int16 = 0, sequence: Int32,
                         transactional: Bool = false, baseTimestamp: Int64 = 1_700_000_000_000) throws -> ByteBuffer {
    let records = values.enumerated().map { index, value in
        Record(timestampDelta: Int64(index), offsetDelta: Int32(index), key: nil, value: ByteBuffer(string: value))
    }
    let batch = RecordBatch(attributes: RecordBatchAttributes(isTransactional: transactional), baseTimestamp: baseTimestamp,
                            maxTimestamp: baseTimestamp + Int64(values.count - 1), producerId: producerId,
                            producerEpoch: epoch, baseSequence: sequence, records: records)
    var buffer = ByteBuffer()
    try batch.encode(into: &buffer)
    return buffer
}

/// The values of every record in `records`, in order.
func values(in records: ByteBuffer?) throws -> [String] {
    guard let records else { return [] }
    let codecs = CompressionCodecs()
    var result: [String] = []
    for entry in try RecordBatchSplitter.entries(in: records, trailingPartialBatch: .allow) {
        guard case .batch(let view) = entry else { continue }
        let batch = try RecordBatch(view: view) { codec, bytes in try codecs.codec(for: codec).decompress(Array(bytes), limit: 1 << 24) }
        result += batch.records.map { $0.value.map { String(buffer: $0) } ?? "" }
    }
    return result
}
