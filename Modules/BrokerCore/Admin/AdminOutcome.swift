import TernCoordination
public import TernProtocol

/// The answer for one resource of an admin request: Kafka's error code and message.
public struct AdminOutcome: Hashable, Sendable {
    /// The code; `.noError` on success.
    public var errorCode: KafkaErrorCode
    /// What went wrong, or nil.
    public var errorMessage: String?

    /// An outcome.
    public init(_ errorCode: KafkaErrorCode, _ errorMessage: String?) {
        self.errorCode = errorCode
        self.errorMessage = errorMessage
    }

    /// Success.
    public static let success = AdminOutcome(.noError, nil)

    /// A failure with the code's own description as its message, as Kafka answers errors it
    /// raises without a message of their own.
    public static func failure(_ code: KafkaErrorCode) -> AdminOutcome {
        AdminOutcome(code, code.message)
    }
}

/// A refusal inside an admin operation; becomes the resource's `AdminOutcome`.
struct AdminRefusal: Error, Hashable, Sendable, KafkaErrorConvertible {
    var kafkaErrorCode: KafkaErrorCode
    var message: String?

    init(_ code: KafkaErrorCode, _ message: String?) {
        self.kafkaErrorCode = code
        self.message = message
    }

    init(_ error: ConfigValidationError) {
        self.init(error.kafkaErrorCode, error.message)
    }

    /// A coordination failure, with the code the error maps to and its description.
    init(_ error: CoordinationError) {
        self.init(error.kafkaErrorCode, "\(error)")
    }

    var outcome: AdminOutcome { AdminOutcome(kafkaErrorCode, message) }
}
