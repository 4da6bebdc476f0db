// Fetch, versions 4–17.
//
// v0–3 return message formats v0/v1, which Kafka 4 no longer serves.
// - A real long poll: when the first read holds fewer than min_bytes, the request parks on a
//   signal that the fetched partitions fire when their high watermark rises, then reads again;
//   it is answered when enough data has arrived or max_wait_ms (capped by the broker's
//   `fetchWaitMax`) has passed. Nothing polls.
// - Fetch sessions (KIP-227) are declined as the protocol allows: a request to open one
//   (session id 0, epoch 0) gets a full response with session id 0, so the client keeps sending
//   full requests; an unknown session id gets FETCH_SESSION_ID_NOT_FOUND and a nonzero epoch
//   without a session INVALID_FETCH_SESSION_EPOCH.
// - Reads stop at the high watermark (read_uncommitted) or the last stable offset
//   (read_committed), and a read_committed answer lists the aborted transactions whose range
//   meets [fetch offset, last stable offset), as Kafka's does (a bound past the batches
//   returned only lists entries the consumer ignores), so it drops their records.
// - KIP-74: the first partition that has data returns at least one whole batch even if it is
//   larger than the limits, so a consumer never stalls on a large batch; after that the
//   request-wide max_bytes and each partition_max_bytes bound the response.
// - v13+ name topics by id; an unknown id answers UNKNOWN_TOPIC_ID.

import Logging
import NIOCore
import TernCoordination
import TernLogStore
import TernPrimitives
import TernProtocol

struct FetchHandler {
    static let versions: ClosedRange<Int16> = 4...17
    let apis: DataPlaneApis

    private struct Wanted {
        var responseIndex: (topic: Int, partition: Int)
        var partition: TopicPartition
        var request: FetchRequest.Topic.Partition
    }

    func handle(_ request: FetchRequest, context: RequestContext) async -> ApiReply {
        let version = context.apiVersion
        if version >= 7, let error = sessionError(request) {
            return .body(.fetch(FetchResponse(errorCode: error.rawValue, sessionId: 0, responses: [])))
        }
        let metadata = apis.metadata.current
        var response = FetchResponse(sessionId: 0)
        var wanted: [Wanted] = []
        var slices: [[[LogSlice]]] = []
        for topic in request.topics {
            let name: String? = version >= 13 ? metadata.topic(withId: topic.topicId)?.name : topic.topic
            var entry = FetchResponse.Topic(topic: version >= 13 ? "" : topic.topic, topicId: topic.topicId, partitions: [])
            for partition in topic.partitions {
                if let name {
                    wanted.append(Wanted(responseIndex: (response.responses.count, entry.partitions.count),
                                         partition: TopicPartition(topic: name, partition: partition.partition), request: partition))
                    entry.partitions.append(FetchResponse.Topic.Partition(partitionIndex: partition.partition))
                } else {
                    entry.partitions.append(Self.failure(partition.partition, .unknownTopicId))
                }
            }
            slices.append(Array(repeating: [], count: entry.partitions.count))
            response.responses.append(entry)
        }
        let readCommitted = request.isolationLevel == 1
        let deadline = apis.waitClock.now.advanced(by: min(.milliseconds(max(0, Int(request.maxWaitMs))), apis.fetchWaitMax))
        while true {
            let signal = AsyncSignal()
            var bytes = 0
            var sawError = false
            var watched: [HostedPartition] = []
            for item in wanted {
                let (result, read, replica) = await read(item, budget: Int(request.maxBytes) - bytes, firstWithData: bytes == 0,
                                                         readCommitted: readCommitted, signal: signal)
                if let replica { watched.append(replica) }
                if result.errorCode != 0 { sawError = true }
                bytes += read.reduce(0) { $0 + $1.byteCount }
                response.responses[item.responseIndex.topic].partitions[item.responseIndex.partition] = result
                slices[item.responseIndex.topic][item.responseIndex.partition] = read
            }
            let enough = bytes >= Int(request.minBytes) || sawError || wanted.isEmpty
            if enough || apis.waitClock.now >= deadline || Task.isCancelled {
                for replica in watched { await replica.unwatch(signal) }
                return encode(response, slices: slices, version: version)
            }
            apis.fetchWaits.add(signal, deadline: deadline)
            await signal.wait()
            apis.fetchWaits.remove(signal)
            for replica in watched { await replica.unwatch(signal) }
        }
    }

    private func encode(_ response: FetchResponse, slices: [[[LogSlice]]], version: Int16) -> ApiReply {
        do {
            return .encoded(try FetchResponseEncoder.encode(response, slices: slices, version: version))
        } catch {
            apis.logger.error("cannot encode a Fetch response", metadata: ["error": "\(error)"])
            var failed = response
            for topic in failed.responses.indices {
                for partition in failed.responses[topic].partitions.indices {
                    failed.responses[topic].partitions[partition] = Self.failure(
                        failed.responses[topic].partitions[partition].partitionIndex, .kafkaStorageError)
                }
            }
            return .body(.fetch(failed))
        }
    }

    private func sessionError(_ request: FetchRequest) -> KafkaErrorCode? {
        if request.sessionId != 0 { return .fetchSessionIdNotFound }
        if request.sessionEpoch != 0 && request.sessionEpoch != -1 { return .invalidFetchSessionEpoch }
        return nil
    }

    /// Reads one partition. The signal is registered before the read, so an append landing
    /// between the read and the wait still wakes the fetch.
    private func read(_ item: Wanted, budget: Int, firstWithData: Bool, readCommitted: Bool,
                      signal: AsyncSignal) async -> (FetchResponse.Topic.Partition, [LogSlice], HostedPartition?) {
        let index = item.partition.partition
        do throws(PartitionError) {
            let replica = try apis.hosted(item.partition)
            let maxBytes = max(0, min(Int(item.request.partitionMaxBytes), budget))
            let read = try await replica.readForFetch(
                fetchOffset: item.request.fetchOffset, currentLeaderEpoch: item.request.currentLeaderEpoch, maxBytes: maxBytes,
                minOneBatch: firstWithData, readCommitted: readCommitted, signal: signal)
            let aborted = read.abortedTransactions?.map {
                FetchResponse.Topic.Partition.AbortedTransaction(producerId: $0.producerId, firstOffset: $0.firstOffset)
            }
            // Records stay empty here: the encoder sends the slices from where the log keeps them.
            let answer = FetchResponse.Topic.Partition(
                partitionIndex: index, errorCode: 0, highWatermark: read.highWatermark, lastStableOffset: read.lastStableOffset,
                logStartOffset: read.result.offsets.logStartOffset, abortedTransactions: aborted, records: ByteBuffer())
            return (answer, read.result.slices, replica)
        } catch {
            if let replica = apis.replicas.partition(item.partition) { await replica.unwatch(signal) }
            apis.logIfServerSide(error, api: "Fetch")
            return (Self.failure(index, error.kafkaErrorCode), [], nil)
        }
    }

    static func failure(_ index: Int32, _ code: KafkaErrorCode) -> FetchResponse.Topic.Partition {
        FetchResponse.Topic.Partition(partitionIndex: index, errorCode: code.rawValue, highWatermark: -1, lastStableOffset: -1,
                                      logStartOffset: -1, records: ByteBuffer())
    }
}
