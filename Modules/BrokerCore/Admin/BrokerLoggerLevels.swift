public import Logging
import TernProtocol

/// The broker's logger levels as the BROKER_LOGGER config resource shows them (KIP-412):
/// DescribeConfigs lists every logger with its level, IncrementalAlterConfigs sets or clears
/// them. Levels are not persisted, as in Kafka.
///
/// The loggers are the names given at creation plus `root`; a logger without a level of its
/// own has root's. Kafka's level names map onto swift-log's: TRACE, DEBUG, INFO, WARN, ERROR
/// and FATAL (critical). `onChange` receives the effective levels after every change, so the
/// composition root can apply them to its log handlers.
public actor BrokerLoggerLevels {
    /// The logger every other one defaults to.
    public static let rootLogger = "root"
    private static let validLevels = "DEBUG, ERROR, FATAL, INFO, TRACE, WARN"

    private let loggers: Set<String>
    private var rootLevel: Logger.Level
    private var ownLevels: [String: Logger.Level] = [:]
    private let onChange: @Sendable ([String: Logger.Level]) -> Void

    /// Levels for `loggers` and root, all at `rootLevel` to begin with.
    public init(loggers: [String] = [], rootLevel: Logger.Level = .info,
                onChange: @escaping @Sendable ([String: Logger.Level]) -> Void = { _ in }) {
        self.loggers = Set(loggers + [Self.rootLogger])
        self.rootLevel = rootLevel
        self.onChange = onChange
    }

    /// Every logger's effective level.
    public var levels: [String: Logger.Level] {
        Dictionary(uniqueKeysWithValues: loggers.map { ($0, level(of: $0)) })
    }

    private func level(of logger: String) -> Logger.Level {
        logger == Self.rootLogger ? rootLevel : ownLevels[logger] ?? rootLevel
    }

    /// The loggers as DescribeConfigs reports them, in name order.
    func describe(only filter: [String]?) -> [ConfigDescription] {
        let wanted = filter.map(Set.init)
        return loggers.sorted().filter { wanted?.contains($0) ?? true }.map {
            ConfigDescription(name: $0, value: Self.kafkaName(level(of: $0)), source: .dynamicBrokerLoggerConfig,
                              isReadOnly: false, isSensitive: false, synonyms: [], type: .string, documentation: nil)
        }
    }

    /// Checks every change, then applies them all unless `validateOnly`; one bad change
    /// refuses the lot, as in Kafka.
    func apply(_ changes: [ConfigChange], validateOnly: Bool) -> AdminOutcome {
        var updates: [(String, Logger.Level?)] = []
        for change in changes {
            switch change.operation {
            case .set?:
                guard loggers.contains(change.name) else { return missing(change.name) }
                guard let level = change.value.flatMap(Self.level(kafkaName:)) else {
                    return AdminOutcome(.invalidConfig, "Cannot set the log level of \(change.name) to \(change.value ?? "null") "
                        + "as it is not a supported log level. Valid log levels are \(Self.validLevels)")
                }
                updates.append((change.name, level))
            case .delete?:
                guard loggers.contains(change.name) else { return missing(change.name) }
                if change.name == Self.rootLogger {
                    return AdminOutcome(.invalidRequest, "Removing the log level of the root logger is not allowed")
                }
                updates.append((change.name, nil))
            case .append?, .subtract?:
                let name = change.operation.map(\.kafkaName) ?? ""
                return AdminOutcome(.invalidRequest, "\(name) operation is not allowed for the BROKER_LOGGER resource")
            case nil:
                return AdminOutcome(.invalidRequest,
                    "Unknown operation type \(change.operationCode) is not allowed for the BROKER_LOGGER resource")
            }
        }
        guard !validateOnly else { return .success }
        for (logger, level) in updates {
            if logger == Self.rootLogger, let level { rootLevel = level } else { ownLevels[logger] = level }
        }
        onChange(levels)
        return .success
    }

    private func missing(_ logger: String) -> AdminOutcome {
        AdminOutcome(.invalidConfig, "Logger \(logger) does not exist!")
    }

    private static func level(kafkaName: String) -> Logger.Level? {
        switch kafkaName {
        case "TRACE": .trace
        case "DEBUG": .debug
        case "INFO": .info
        case "WARN": .warning
        case "ERROR": .error
        case "FATAL": .critical
        default: nil
        }
    }

    private static func kafkaName(_ level: Logger.Level) -> String {
        switch level {
        case .trace: "TRACE"
        case .debug: "DEBUG"
        case .info, .notice: "INFO"
        case .warning: "WARN"
        case .error: "ERROR"
        case .critical: "FATAL"
        }
    }
}
