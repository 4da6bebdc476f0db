public import TernProtocol
import Synchronization

/// Where InitProducerId gets new producer ids: each id handed out once, across every broker
/// of the cluster and across restarts.
public protocol ProducerIdSource: Sendable {
    /// A producer id never handed out before.
    func nextProducerId() async throws(ProducerIdError) -> Int64
}

/// Why no producer id could be handed out.
public enum ProducerIdError: Error, Hashable, Sendable, KafkaErrorConvertible, CustomStringConvertible {
    /// The cluster could not grant a block of ids now (the coordination service is
    /// unreachable or refused); a retry may succeed.
    case unavailable(String)
    /// A block of ids that cannot be used: empty or negative.
    case invalidBlock(ClosedRange<Int64>)

    /// Kafka answers COORDINATOR_LOAD_IN_PROGRESS while its producer-id manager waits for
    /// a block, which clients retry; a bad block is our bug, so UNKNOWN_SERVER_ERROR.
    public var kafkaErrorCode: KafkaErrorCode {
        switch self {
        case .unavailable: .coordinatorLoadInProgress
        case .invalidBlock: .unknownServerError
        }
    }

    public var description: String {
        switch self {
        case .unavailable(let reason): "no producer id block available: \(reason)"
        case .invalidBlock(let block): "producer id block \(block) is unusable"
        }
    }
}

/// Producer ids from a counter in memory: unique within the process only, for tests and a
/// single broker that keeps no state across restarts.
public final class InMemoryProducerIdSource: ProducerIdSource {
    // The mutex guards the next id.
    private let next: Mutex<Int64>

    /// A source counting up from `first`.
    public init(first: Int64 = 0) {
        precondition(first >= 0, "producer ids are non-negative")
        next = Mutex(first)
    }

    public func nextProducerId() throws(ProducerIdError) -> Int64 {
        next.withLock { next in
            defer { next += 1 }
            return next
        }
    }
}
