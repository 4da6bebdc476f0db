// Produce, versions 3–11.
//
// v0–2 carry message formats v0/v1, which Kafka 4 no longer accepts; every client we serve
// speaks v3+ (message format v2) to a broker that does not advertise v0–2.
//
// - acks must be -1, 0 or 1 (else INVALID_REQUIRED_ACKS for every partition). acks=0 gets no
//   response at all, as Kafka sends none.
// - Batches are validated as Kafka's log validator does (CRC, format v2, record count against
//   the last offset delta, no control batches from clients, `max.message.bytes`, CreateTime
//   bounds when configured, with per-record errors in v8+) and recompressed when the topic's
//   `compression.type` names another codec. Offsets are assigned by the log without
//   decompressing.
// - Idempotent batches (producer id ≥ 0) need a sequence and epoch ≥ 0 (else INVALID_RECORD,
//   as Kafka's validator answers) and are checked against the partition's producer state
//   (`ProducerStateTable`): a retry of one of the producer's last five batches succeeds with
//   the offsets that batch got and appends nothing; a fenced epoch is INVALID_PRODUCER_EPOCH;
//   a sequence gap is OUT_OF_ORDER_SEQUENCE_NUMBER. Transactional batches are refused with
//   INVALID_TXN_STATE until transactions exist.
// - Each partition succeeds or fails alone.

import NIOCore
import TernLogStore
import TernPrimitives
import TernProtocol

struct ProduceHandler {
    static let versions: ClosedRange<Int16> = 3...11
    let apis: DataPlaneApis

    func handle(_ request: ProduceRequest, context: RequestContext) async -> ApiReply {
        let acksValid = request.acks == -1 || request.acks == 0 || request.acks == 1
        var topics: [ProduceResponse.Topic] = []
        topics.reserveCapacity(request.topicData.count)
        for topic in request.topicData {
            var partitions: [ProduceResponse.Topic.Partition] = []
            for data in topic.partitionData {
                let partition = TopicPartition(topic: topic.name, partition: data.index)
                if !acksValid {
                    partitions.append(failure(data.index, .invalidRequiredAcks, "acks must be -1, 0 or 1"))
                } else {
                    partitions.append(await produce(data.records, to: partition, acks: request.acks))
                }
            }
            topics.append(ProduceResponse.Topic(name: topic.name, partitionResponses: partitions))
        }
        if request.acks == 0 { return .none }
        return .body(.produce(ProduceResponse(responses: topics)))
    }

    private func produce(_ records: ByteBuffer?, to partition: TopicPartition, acks: Int16) async -> ProduceResponse.Topic.Partition {
        let replica: HostedPartition
        let settings: TopicSettings
        do {
            replica = try apis.hosted(partition)
            settings = try await replica.settingsAsLeader()
        } catch {
            return failure(partition.partition, error.kafkaErrorCode, nil)
        }
        let now = apis.clock.wallClockMilliseconds
        let batches: ProducedBatches
        do {
            batches = try ProducedBatches(records: records, settings: settings, codecs: apis.codecs, now: now)
        } catch {
            var response = failure(partition.partition, error.errorCode, error.message)
            response.recordErrors = error.recordErrors.map {
                ProduceResponse.Topic.Partition.BatchIndexError(batchIndex: $0.index, batchIndexErrorMessage: $0.message)
            }
            return response
        }
        let logAppendTime: Int64? = settings.timestampType == .logAppendTime ? now : nil
        do {
            // A duplicate answers with the original batch's offsets and append time.
            // ProducedBatches checked every CRC, or computed it for batches it recompressed.
            let info = try await replica.appendAsLeader(
                batches.bytes, logAppendTime: logAppendTime, requiredAcks: acks, validation: .crcVerifiedByCaller)
            return ProduceResponse.Topic.Partition(
                index: partition.partition, errorCode: 0, baseOffset: info.firstOffset,
                logAppendTimeMs: info.logAppendTime, logStartOffset: info.logStartOffset)
        } catch {
            apis.logIfServerSide(error, api: "Produce")
            if case .producerState(_, let code, let message) = error {
                return failure(partition.partition, code, message)
            }
            return failure(partition.partition, error.kafkaErrorCode, "\(error)")
        }
    }

    private func failure(_ index: Int32, _ code: KafkaErrorCode, _ message: String?) -> ProduceResponse.Topic.Partition {
        ProduceResponse.Topic.Partition(index: index, errorCode: code.rawValue, baseOffset: -1, logStartOffset: -1, errorMessage: message)
    }
}
