// Transactional offset commits (TxnOffsetCommit, KIP-98). The offsets are written to
// `__consumer_offsets` in a transactional batch of the producer, as Kafka writes them, and
// stay pending until the transaction's marker reaches this partition: a commit marker makes
// them the group's committed offsets, an abort marker drops them. While pending, an
// OffsetFetch that requires stable offsets is told UNSTABLE_OFFSET_COMMIT for their partitions,
// and expiry leaves those partitions alone. Loading replays the same way: records of
// transactional batches wait for the marker found later in the log.
//
// Departure from Kafka: Kafka applies a committed transactional offset only if it was
// written after the partition's last plain commit (comparing log offsets); here the marker
// always wins, so a plain commit made while the transaction was open is overwritten when it
// commits.

public import TernPrimitives

/// A TxnOffsetCommit request.
public struct TransactionalOffsetCommitEvent: Hashable, Sendable {
    /// The offsets, group and membership, as for OffsetCommit (retention unused).
    public var commit: OffsetCommitEvent
    /// The transactional producer.
    public var producer: TransactionalProducer

    /// Creates a request.
    public init(commit: OffsetCommitEvent, producer: TransactionalProducer) {
        self.commit = commit
        self.producer = producer
    }
}

extension GroupMetadataManager {
    /// Handles TxnOffsetCommit: validates as OffsetCommit does (a commit outside group
    /// management creates an offsets-only group), writes the records in the producer's
    /// transactional batch, and answers once they are durable.
    public mutating func commitTransactionalOffsets(
        _ request: TransactionalOffsetCommitEvent, token: RequestToken, now: Instant, wallClockMilliseconds: Int64
    ) -> [GroupAction] {
        let commit = request.commit
        let groupId = commit.groupId
        func answerAll(_ error: GroupErrorCode) -> [GroupAction] {
            [.respond(token, .offsetCommit(Dictionary(commit.partitions.map { ($0.topicPartition, error) }) { _, last in last }))]
        }
        guard Self.isValidGroupId(groupId, allowsEmpty: true) else { return answerAll(.invalidGroupId) }
        if groups[groupId] == nil {
            guard commit.generationId < 0 else { return answerAll(.illegalGeneration) }
            groups[groupId] = ClassicGroup(groupId: groupId, configuration: configuration, now: now, wallClockMilliseconds: wallClockMilliseconds)
        }
        guard let group = groups[groupId] else { preconditionFailure("the group was just ensured") }
        if commit.generationId >= 0 || !commit.memberId.isEmpty,
           let error = group.validateOffsetCommit(memberId: commit.memberId, groupInstanceId: commit.groupInstanceId,
                                                  generationId: commit.generationId) {
            return answerAll(error)
        }
        var committed: [TopicPartition: OffsetAndMetadata] = [:]
        var rejected: [TopicPartition: GroupErrorCode] = [:]
        for partition in commit.partitions {
            let metadata = partition.metadata ?? ""
            if partition.topicPartition.topic.utf8.count > GroupRecordLimits.stringBytesMax {
                rejected[partition.topicPartition] = .unknownTopicOrPartition
            } else if metadata.utf8.count > configuration.offsetMetadataBytesMax {
                rejected[partition.topicPartition] = .offsetMetadataTooLarge
            } else {
                committed[partition.topicPartition] = OffsetAndMetadata(
                    offset: partition.offset, leaderEpoch: partition.leaderEpoch < 0 ? nil : partition.leaderEpoch,
                    metadata: metadata, commitTimestamp: wallClockMilliseconds)
            }
        }
        guard !committed.isEmpty else { return [.respond(token, .offsetCommit(rejected))] }
        offsets[groupId, default: GroupOffsets()].beginCommit(committed.keys)
        let records = committed.keys.sorted().map { partition in
            GroupCoordinatorRecord.offsetCommit(
                OffsetCommitKey(group: groupId, topic: partition.topic, partition: partition.partition), committed[partition])
        }
        var append = GroupAppend(groupId: groupId, records: records, purpose: .transactionalOffsetCommit(
            token: token, producerId: request.producer.producerId, committed: committed, rejected: rejected))
        append.producer = request.producer
        return [.append(append)]
    }

    mutating func transactionalOffsetCommitAppended(
        groupId: String, token: RequestToken, producerId: Int64, committed: [TopicPartition: OffsetAndMetadata],
        rejected: [TopicPartition: GroupErrorCode], failure: GroupAppendFailure?
    ) -> [GroupAction] {
        let groupExists = groups[groupId] != nil
        for (partition, offset) in committed {
            offsets[groupId]?.finishCommit(partition, offset: nil)
            if failure == nil && groupExists { offsets[groupId]?.transactional[producerId, default: [:]][partition] = offset }
        }
        if offsets[groupId]?.isEmpty == true { offsets[groupId] = nil }
        var errors = rejected
        for partition in committed.keys { errors[partition] = failure?.offsetCommitError ?? .noError }
        return [.respond(token, .offsetCommit(errors))]
    }

    /// A transaction marker of `producerId` reached this partition: its pending offsets become
    /// committed (`committed`) or are dropped.
    public mutating func completeTransaction(producerId: Int64, committed: Bool, now: Instant, wallClockMilliseconds: Int64) {
        for groupId in offsets.keys.sorted() {
            guard let pending = offsets[groupId]?.transactional.removeValue(forKey: producerId) else { continue }
            if committed {
                for (partition, offset) in pending { offsets[groupId]?.committed[partition] = offset }
                if groups[groupId] == nil {
                    groups[groupId] = Self.offsetsOnlyGroup(groupId, configuration: configuration, now: now, wallClockMilliseconds: wallClockMilliseconds)
                }
            }
            if offsets[groupId]?.isEmpty == true { offsets[groupId] = nil }
        }
    }

    /// Applies a record read back from a transactional batch of `producerId`: it waits for the
    /// transaction's marker.
    public mutating func replayTransactional(_ record: GroupCoordinatorRecord, producerId: Int64) {
        guard case let .offsetCommit(key, offset?) = record else { return }
        let partition = TopicPartition(topic: key.topic, partition: key.partition)
        offsets[key.group, default: GroupOffsets()].transactional[producerId, default: [:]][partition] = offset
    }
}
