/// A config's value type, numbered as DescribeConfigs v3+ reports it (`config_type`).
public enum ConfigType: Int8, Hashable, Sendable {
    /// A config no catalog knows (a custom broker property).
    case unknown = 0
    /// `true` or `false`, in any letter case.
    case boolean = 1
    /// Free text, trimmed.
    case string = 2
    /// A 32-bit integer.
    case int = 3
    /// A 16-bit integer.
    case short = 4
    /// A 64-bit integer.
    case long = 5
    /// A floating-point number.
    case double = 6
    /// Comma-separated strings.
    case list = 7
    /// A Java class name; Tern loads no classes, so these are only reported.
    case className = 8
    /// A secret; never reported.
    case password = 9

    /// Kafka's name for the type, as its parse errors spell it.
    public var kafkaName: String {
        switch self {
        case .unknown: "UNKNOWN"
        case .boolean: "BOOLEAN"
        case .string: "STRING"
        case .int: "INT"
        case .short: "SHORT"
        case .long: "LONG"
        case .double: "DOUBLE"
        case .list: "LIST"
        case .className: "CLASS"
        case .password: "PASSWORD"
        }
    }
}

/// Where a config's value comes from, numbered as DescribeConfigs v1+ reports it
/// (`config_source`). Earlier cases take precedence over later ones.
public enum ConfigSource: Int8, Hashable, Sendable {
    /// No source applies.
    case unknown = 0
    /// A topic's own override (`TOPIC_CONFIG`).
    case topicConfig = 1
    /// A dynamic config set for one broker (`DYNAMIC_BROKER_CONFIG`).
    case dynamicBrokerConfig = 2
    /// A dynamic cluster-wide default (`DYNAMIC_DEFAULT_BROKER_CONFIG`).
    case dynamicDefaultBrokerConfig = 3
    /// The broker's config file (`STATIC_BROKER_CONFIG`).
    case staticBrokerConfig = 4
    /// The built-in default (`DEFAULT_CONFIG`).
    case defaultConfig = 5
    /// A logger level set at run time (`DYNAMIC_BROKER_LOGGER_CONFIG`).
    case dynamicBrokerLoggerConfig = 6
}

/// What a value must satisfy besides parsing as its type.
public enum ConfigConstraint: Hashable, Sendable {
    /// Any value of the type.
    case none
    /// A number no smaller than the bound.
    case atLeast(Int64)
    /// A number within the bounds, inclusive.
    case between(Int64, Int64)
    /// A floating-point number from 0 to 1.
    case fraction
    /// One of the strings, matched exactly.
    case oneOf([String])
    /// A list whose every element is one of the strings.
    case eachOneOf([String])
    /// A gzip level: 1 to 9, or -1 for the codec's default.
    case gzipLevel
    /// `*` or a list of `partition:broker` pairs (the replication throttle lists).
    case throttledReplicas
    /// A Kafka release such as `3.0` or `3.0-IV1` (`message.format.version`).
    case releaseVersion
}

/// A parsed config value.
public enum ConfigValue: Hashable, Sendable {
    /// A boolean.
    case boolean(Bool)
    /// Text: strings, class names and passwords.
    case string(String)
    /// An integer of any width.
    case integer(Int64)
    /// A floating-point number.
    case double(Double)
    /// A list of strings.
    case list([String])

    /// The form Kafka reports the value in: `true`, `100`, `0.5`, `compact,delete`.
    public var canonical: String {
        switch self {
        case .boolean(let value): value ? "true" : "false"
        case .string(let value): value
        case .integer(let value): String(value)
        case .double(let value): String(value)
        case .list(let values): values.joined(separator: ",")
        }
    }
}

/// A value a config does not accept, with Kafka's wording of why.
public struct ConfigValueError: Error, Hashable, Sendable, CustomStringConvertible {
    /// The config's name.
    public var name: String
    /// The value as given.
    public var value: String
    /// Why it was refused.
    public var reason: String

    /// An error for `value` of `name`.
    public init(name: String, value: String, reason: String) {
        self.name = name
        self.value = value
        self.reason = reason
    }

    /// `Invalid value abc for configuration retention.ms: Not a number of type LONG`.
    public var description: String { "Invalid value \(value) for configuration \(name): \(reason)" }
}

/// One config a catalog knows: its name, type, default, constraint and a line of documentation.
public struct ConfigDefinition: Hashable, Sendable {
    /// Kafka's property name.
    public let name: String
    /// The value type.
    public let type: ConfigType
    /// The built-in default in canonical form, or nil when the default is null.
    public let defaultValue: String?
    /// What a value must satisfy.
    public let constraint: ConfigConstraint
    /// One line on what the config does.
    public let documentation: String

    /// A definition whose values need only parse as `type`.
    public init(_ name: String, _ type: ConfigType, default defaultValue: String?, _ documentation: String) {
        self.init(name, type, default: defaultValue, .none, documentation)
    }

    /// A definition whose values must also meet `constraint`.
    public init(_ name: String, _ type: ConfigType, default defaultValue: String?,
                _ constraint: ConfigConstraint, _ documentation: String) {
        self.name = name
        self.type = type
        self.defaultValue = defaultValue
        self.constraint = constraint
        self.documentation = documentation
    }

    /// Whether values are secret: passwords, as in Kafka.
    public var isSensitive: Bool { type == .password }

    /// Parses `raw` (surrounding whitespace ignored, as Kafka does) and checks the constraint.
    public func parse(_ raw: String) throws(ConfigValueError) -> ConfigValue {
        let value = try parseType(raw.trimmingConfigWhitespace())
        try check(value, raw: raw)
        return value
    }

    /// The canonical form of `raw`, after parsing and checking it.
    public func normalize(_ raw: String) throws(ConfigValueError) -> String {
        try parse(raw).canonical
    }

    private func refuse(_ raw: String, _ reason: String) -> ConfigValueError {
        ConfigValueError(name: name, value: raw, reason: reason)
    }

    private func parseType(_ text: String) throws(ConfigValueError) -> ConfigValue {
        switch type {
        case .boolean:
            switch text.lowercased() {
            case "true": return .boolean(true)
            case "false": return .boolean(false)
            default: throw refuse(text, "Expected value to be either true or false")
            }
        case .int, .short, .long:
            guard let number = Int64(text), type.holds(number) else {
                throw refuse(text, "Not a number of type \(type.kafkaName)")
            }
            return .integer(number)
        case .double:
            guard let number = Double(text), number.isFinite else {
                throw refuse(text, "Not a number of type DOUBLE")
            }
            return .double(number)
        case .list:
            guard !text.isEmpty else { return .list([]) }
            return .list(text.split(separator: ",", omittingEmptySubsequences: false)
                .map { String($0).trimmingConfigWhitespace() })
        case .string, .className, .password, .unknown:
            return .string(text)
        }
    }

    private func check(_ value: ConfigValue, raw: String) throws(ConfigValueError) {
        switch (constraint, value) {
        case (.none, _):
            return
        case (.atLeast(let minimum), .integer(let number)):
            if number < minimum { throw refuse(raw, "Value must be at least \(minimum)") }
        case (.between(let minimum, let maximum), .integer(let number)):
            if number < minimum { throw refuse(raw, "Value must be at least \(minimum)") }
            if number > maximum { throw refuse(raw, "Value must be no more than \(maximum)") }
        case (.fraction, .double(let number)):
            if number < 0 { throw refuse(raw, "Value must be at least 0") }
            if number > 1 { throw refuse(raw, "Value must be no more than 1") }
        case (.oneOf(let allowed), .string(let text)):
            if !allowed.contains(text) { throw refuse(raw, "String must be one of: \(allowed.joined(separator: ", "))") }
        case (.eachOneOf(let allowed), .list(let items)):
            for item in items where !allowed.contains(item) {
                throw refuse(item, "String must be one of: \(allowed.joined(separator: ", "))")
            }
        case (.gzipLevel, .integer(let level)):
            if level != -1 && !(1...9).contains(level) { throw refuse(raw, "Value must be between 1 and 9, or -1 for the default") }
        case (.throttledReplicas, .list(let items)):
            if !Self.isThrottleList(items) {
                throw refuse(raw, "must be the literal '*' or a list of replicas in the following format: "
                    + "[partitionId]:[brokerId],[partitionId]:[brokerId],...")
            }
        case (.releaseVersion, .string(let text)):
            if !Self.isReleaseVersion(text) { throw refuse(raw, "Version \(text) is not a valid version") }
        case (.atLeast, _), (.between, _), (.fraction, _), (.oneOf, _), (.eachOneOf, _), (.gzipLevel, _),
             (.throttledReplicas, _), (.releaseVersion, _):
            preconditionFailure("config \(name): constraint \(constraint) does not fit type \(type)")
        }
    }

    private static func isThrottleList(_ items: [String]) -> Bool {
        if items == ["*"] || items.isEmpty { return true }
        return items.allSatisfy { item in
            let parts = item.split(separator: ":", omittingEmptySubsequences: false)
            return parts.count == 2 && parts.allSatisfy { !$0.isEmpty && $0.allSatisfy(\.isASCIIDigit) }
        }
    }

    private static func isReleaseVersion(_ text: String) -> Bool {
        let release = text.split(separator: "-", maxSplits: 1, omittingEmptySubsequences: false)
        let numbers = release[0].split(separator: ".", omittingEmptySubsequences: false)
        guard (2...3).contains(numbers.count), numbers.allSatisfy({ !$0.isEmpty && $0.allSatisfy(\.isASCIIDigit) }) else {
            return false
        }
        guard release.count == 2 else { return true }
        let suffix = release[1]
        return suffix.hasPrefix("IV") && suffix.count > 2 && suffix.dropFirst(2).allSatisfy(\.isASCIIDigit)
    }
}

extension ConfigType {
    fileprivate func holds(_ number: Int64) -> Bool {
        switch self {
        case .int: Int64(Int32.min)...Int64(Int32.max) ~= number
        case .short: Int64(Int16.min)...Int64(Int16.max) ~= number
        case .long: true
        case .unknown, .boolean, .string, .double, .list, .className, .password: false
        }
    }
}

extension Character {
    fileprivate var isASCIIDigit: Bool { isASCII && isNumber }
}

extension String {
    /// The string without leading and trailing control characters and spaces, as Java's
    /// `String.trim()` strips them before Kafka parses a config value.
    func trimmingConfigWhitespace() -> String {
        let scalars = unicodeScalars
        guard let first = scalars.firstIndex(where: { $0.value > 0x20 }),
              let last = scalars.lastIndex(where: { $0.value > 0x20 }) else { return "" }
        return String(scalars[first...last])
    }
}
