// `tern-bench requests`: the broker's own work per request, without sockets, event loops or
// clients. Produce and Fetch frames, encoded once, go through `KafkaRequestService`'s connection
// handler — decode, route, validate, append to a MemoryLogStore or read from it, encode the
// response — one call at a time, as a connection's task makes them.
//
// End to end (`Tools/kafka-bench/compare.sh`) a request's CPU is mostly the kernel's and moves
// ±20 % with the host; this is the part the broker's code decides. The calls run as the broker
// runs them: in a task whose executor preference is one NIO event loop, so the default actors
// they call run on that thread too. Each figure is the median of five rounds of process CPU
// time per request; on this VM whole runs still differ by up to half (the rounds of one run
// agree closely), so compare builds by alternating them.

import Logging
import NIOCore
import NIOPosix
import TernBrokerCore
import TernCompression
import TernCoordination
import TernLogStore
import TernPrimitives
import TernProtocol
import TernTransport
import TernTransportNIO

func runRequestBench() async -> [String] {
    let loop = MultiThreadedEventLoopGroup(numberOfThreads: 1).next()
    return await Task(executorPreference: EventLoopTaskExecutor(loop)) { await measureRequests() }.value
}

private func measureRequests() async -> [String] {
    let topic = "bench"
    let handler = await makeBenchHandler(topic: topic)
    var lines = ["requests through the connection handler (median of 5 rounds; process CPU time per request, one at a time):"]
    for records in [1, 100] {
        let frame = produceFrame(topic: topic, records: records)
        let median = await medianNanoseconds(rounds: 5, requests: 20_000) { try await handler.respond(to: frame) }
        lines.append("  Produce v9, acks=1, \(records) record(s) of 100 B: \(median) ns")
    }
    // The log now starts with 100,000 one-record batches: the first fetch gets one of them, the
    // second about 6,000 (a consumer catching up on a producer that did not batch).
    for (maxBytes, what) in [(Int32(1_024), "one batch"), (1_048_576, "1 MiB of one-record batches")] {
        let frame = fetchFrame(topic: topic, partitionMaxBytes: maxBytes)
        let median = await medianNanoseconds(rounds: 5, requests: 20_000) { try await handler.respond(to: frame) }
        lines.append("  Fetch v12 from offset 0, \(what): \(median) ns")
    }
    let metadata = requestFrame(MetadataRequest(topics: [MetadataRequest.Topic(name: topic)]), version: 9)
    let median = await medianNanoseconds(rounds: 5, requests: 20_000) { try await handler.respond(to: metadata) }
    lines.append("  Metadata v9, one topic (runs on Swift's shared pool): \(median) ns")
    return lines
}

/// The connection handler of a one-broker data plane holding `topic` (one partition) in memory.
private func makeBenchHandler(topic: String) async -> any ConnectionHandler {
    var cluster = ClusterMetadata(clusterId: "bench", controllerId: 1,
                                  brokers: [1: BrokerRegistration(id: 1, host: "127.0.0.1", port: 9092)], version: 1)
    cluster.topics[topic] = TopicMetadata(
        name: topic, id: KafkaUUID(high: 1, low: 1),
        partitions: [PartitionAssignment(replicas: [1], leader: 1, inSyncReplicas: [1])])
    let metadata = MetadataCache(cluster)
    let logger = Logger(label: "tern-bench")
    let clock = SystemClock()
    let replicas = ReplicaManager(nodeId: 1, logStore: MemoryLogStore(clock: clock), logger: logger, clock: clock) { _, _ in TopicSettings() }
    await replicas.apply(cluster)
    let dataPlane = DataPlaneApis(replicas: replicas, metadata: metadata, codecs: CompressionCodecs(), clock: clock, logger: logger)
    let metadataApis = MetadataApis(metadata: metadata, configuration: BrokerConfiguration(nodeId: 1, advertisedHost: "127.0.0.1",
                                                                                          advertisedPort: 9092), autoCreateTopic: nil)
    let service = KafkaRequestService(router: ApiRouter(components: [dataPlane, metadataApis]), logger: logger)
    let connection = ServerConnection(id: 1, remoteAddress: "bench", pushedFramesMax: 1, closeTransport: {})
    return await service.connectionOpened(connection)
}

/// The median over `rounds` of the process's CPU time per call (all threads: actor hops may
/// run elsewhere) over `requests` sequential calls. CPU time rather than wall time, so that the
/// moments the hypervisor takes the VM away do not count.
private func medianNanoseconds(rounds: Int, requests: Int, _ call: () async throws -> FramePayload?) async -> Int {
    var perRequest: [Int] = []
    for _ in 0..<rounds {
        let started = processCPUSeconds()
        for _ in 0..<requests {
            do {
                _ = try await call()
            } catch {
                preconditionFailure("benchmark request refused: \(error)")
            }
        }
        perRequest.append(Int((processCPUSeconds() - started) * 1e9) / requests)
    }
    return perRequest.sorted()[rounds / 2]
}

private func produceFrame(topic: String, records count: Int) -> ByteBuffer {
    let records = (0..<count).map { number in
        Record(timestampDelta: Int64(number), offsetDelta: Int32(number), value: ByteBuffer(repeating: 0x61, count: 100))
    }
    let batch = RecordBatch(baseTimestamp: 1_700_000_000_000, maxTimestamp: 1_700_000_000_000 + Int64(count - 1), records: records)
    let encoded: ByteBuffer
    do {
        encoded = try batch.encoded()
    } catch {
        preconditionFailure("benchmark batch does not encode: \(error)")
    }
    let request = ProduceRequest(acks: 1, timeoutMs: 30_000, topicData: [
        ProduceRequest.Topic(name: topic, partitionData: [ProduceRequest.Topic.Partition(index: 0, records: encoded)])])
    return requestFrame(request, version: 9)
}

private func fetchFrame(topic: String, partitionMaxBytes: Int32) -> ByteBuffer {
    let request = FetchRequest(maxWaitMs: 0, minBytes: 0, maxBytes: 52_428_800, topics: [
        FetchRequest.Topic(topic: topic, partitions: [FetchRequest.Topic.Partition(partition: 0, fetchOffset: 0,
                                                                                   partitionMaxBytes: partitionMaxBytes)])])
    return requestFrame(request, version: 12)
}

/// `body` as the handler receives it: a frame without its length prefix.
private func requestFrame(_ body: some KafkaRequest, version: Int16) -> ByteBuffer {
    do {
        var frame = try KafkaFrame.request(body, version: version, correlationId: 1, clientId: "tern-bench")
        frame.moveReaderIndex(forwardBy: 4)
        return frame
    } catch {
        preconditionFailure("benchmark request does not encode: \(error)")
    }
}
