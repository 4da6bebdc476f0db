import TernProtocol

/// An IncrementalAlterConfigs operation (`config_operation`).
public enum ConfigOperation: Int8, Hashable, Sendable {
    /// Set the value.
    case set = 0
    /// Remove the value, so the next layer's applies.
    case delete = 1
    /// Add items to a list config.
    case append = 2
    /// Remove items from a list config.
    case subtract = 3

    /// Kafka's name for the operation, as its messages spell it.
    public var kafkaName: String {
        switch self {
        case .set: "SET"
        case .delete: "DELETE"
        case .append: "APPEND"
        case .subtract: "SUBTRACT"
        }
    }
}

/// One change IncrementalAlterConfigs asks for.
public struct ConfigChange: Hashable, Sendable {
    /// The config's name.
    public var name: String
    /// The operation's wire code; codes no Kafka version defines are refused when applied.
    public var operationCode: Int8
    /// The value: the new one for SET, the items for APPEND and SUBTRACT; ignored for DELETE.
    public var value: String?

    /// A change with a wire operation code.
    public init(name: String, operationCode: Int8, value: String?) {
        self.name = name
        self.operationCode = operationCode
        self.value = value
    }

    /// A change.
    public init(name: String, operation: ConfigOperation, value: String?) {
        self.init(name: name, operationCode: operation.rawValue, value: value)
    }

    /// The operation, or nil for an unknown code.
    public var operation: ConfigOperation? { ConfigOperation(rawValue: operationCode) }
}

enum ConfigChanges {
    /// `current` (a resource's stored configs) with `changes` applied in order. APPEND and
    /// SUBTRACT work on list configs only, starting from the built-in default when the config
    /// is unset, as Kafka's controller does; an item already present is not appended twice.
    static func apply(
        _ changes: [ConfigChange], to current: [String: String], definitions: (String) -> ConfigDefinition?
    ) throws(ConfigValidationError) -> [String: String] {
        var configs = current
        for change in changes {
            guard let operation = change.operation else {
                throw ConfigValidationError(.invalidRequest, "Unknown operation type \(change.operationCode)")
            }
            switch operation {
            case .set:
                configs[change.name] = change.value
            case .delete:
                configs[change.name] = nil
            case .append, .subtract:
                guard let definition = definitions(change.name), definition.type == .list else {
                    throw ConfigValidationError(.invalidConfig,
                        "Can't \(operation.kafkaName) to key \(change.name) because its type is not LIST.")
                }
                var items = listItems(configs[change.name] ?? definition.defaultValue ?? "")
                for item in listItems(change.value ?? "") {
                    if operation == .append {
                        if !items.contains(item) { items.append(item) }
                    } else {
                        items.removeAll { $0 == item }
                    }
                }
                configs[change.name] = items.joined(separator: ",")
            }
        }
        return configs
    }

    private static func listItems(_ text: String) -> [String] {
        let trimmed = text.trimmingConfigWhitespace()
        guard !trimmed.isEmpty else { return [] }
        return trimmed.split(separator: ",", omittingEmptySubsequences: false).map { String($0).trimmingConfigWhitespace() }
    }
}
