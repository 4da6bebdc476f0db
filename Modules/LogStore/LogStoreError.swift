public import TernPrimitives
public import TernProtocol

/// Why a log operation failed, with the context needed to log it and the Kafka error code a
/// handler answers with.
public enum LogStoreError: Error, Equatable, Sendable, KafkaErrorConvertible, CustomStringConvertible {
    /// The requested offset is outside [logStartOffset, logEndOffset].
    case offsetOutOfRange(requested: Int64, logStart: Int64, logEnd: Int64)
    /// Stored bytes are damaged (a bad CRC or length in a sealed segment, an unreadable
    /// index). The partition stays offline for reads of that region; others keep working.
    case corruptLog(TopicPartition, file: String, position: Int64, reason: String)
    /// The operating system refused an operation.
    case io(operation: String, path: String, errno: Int32)
    /// The appended bytes are not a sequence of whole, valid v2 batches.
    case invalidBatch(String)
    /// A replica append whose first offset lies below the log end, or whose offsets go back.
    case offsetsNotContiguous(expected: Int64, found: Int64)
    /// The log has been closed or deleted.
    case closed(TopicPartition)
    /// Another open store holds the store directory's `.lock` (in this process or another).
    case directoryLocked(directory: String)

    public var kafkaErrorCode: KafkaErrorCode {
        switch self {
        case .offsetOutOfRange: .offsetOutOfRange
        case .corruptLog, .io, .directoryLocked: .kafkaStorageError
        case .invalidBatch: .corruptMessage
        case .offsetsNotContiguous: .unknownServerError
        case .closed: .notLeaderOrFollower
        }
    }

    public var description: String {
        switch self {
        case let .offsetOutOfRange(requested, logStart, logEnd):
            "offset \(requested) is out of range [\(logStart), \(logEnd)]"
        case let .corruptLog(partition, file, position, reason):
            "corrupt log \(partition): \(file) at \(position): \(reason)"
        case let .io(operation, path, errno): "\(operation) \(path) failed: errno \(errno)"
        case let .invalidBatch(reason): "invalid batch: \(reason)"
        case let .offsetsNotContiguous(expected, found): "replica append at offset \(found) is below the expected \(expected)"
        case let .closed(partition): "log \(partition) is closed"
        case let .directoryLocked(directory):
            "log directory \(directory) is in use by another store (its .lock is held); a directory can be opened by one store at a time"
        }
    }
}
