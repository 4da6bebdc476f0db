// The group coordinator keeps its own error enum because it may not import TernProtocol; its raw
// values are Kafka's wire codes, so the translation is by number and loses nothing.

public import TernGroupCoordinator
public import TernProtocol

extension KafkaErrorCode {
    /// The Kafka error code with the same number as a group coordinator error.
    public init(_ code: GroupErrorCode) {
        self = KafkaErrorCode.from(code.rawValue)
    }
}

extension GroupErrorCode {
    /// The wire value, for a response's `errorCode` field.
    var code: Int16 { KafkaErrorCode(self).rawValue }
}
