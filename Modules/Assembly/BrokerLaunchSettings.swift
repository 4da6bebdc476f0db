import Foundation
public import TernTransport
public import TernZooKeeperClient

/// Everything a broker process is configured with, before any part is built: parsed from a
/// `server.properties`-style file, environment variables and flags (in rising precedence).
public struct BrokerLaunchSettings: Sendable, Equatable {
    /// Where the Kafka listener binds.
    public var listen: Endpoint = Endpoint(host: "127.0.0.1", port: 9092)
    /// What clients are told to connect to; the listen address when nil.
    public var advertise: Endpoint?
    /// The data directory: partition logs and, with embedded coordination, cluster metadata.
    public var dataDirectory: String = "./tern-data"
    /// The broker's `node.id`.
    public var nodeId: Int32 = 1
    /// Where partition logs live.
    public var store: StoreChoice = .file
    /// Where cluster metadata lives.
    public var coordination: CoordinationChoice = .embedded
    /// Every other Kafka property, by name.
    public var properties: [String: String] = [:]

    /// Default settings.
    public init() {}

    /// The endpoint advertised to clients.
    public var advertisedEndpoint: Endpoint { advertise ?? listen }
}

/// The log store backend.
public enum StoreChoice: String, Sendable, Equatable, CaseIterable {
    /// `SegmentedLogStore` under the data directory.
    case file
    /// `MemoryLogStore`: nothing survives a restart.
    case memory
}

/// The coordination backend.
public enum CoordinationChoice: Sendable, Equatable {
    /// In-process, persisted under the data directory.
    case embedded
    /// In-process and in memory.
    case memory
    /// Kafka's ZooKeeper-mode layout on a ZooKeeper ensemble (Apache ZooKeeper or
    /// `tern-coordinator`): `zk://host:port[,host:port…][/chroot]`.
    case zooKeeper(ZooKeeperConnectString)
}

/// A configuration value that cannot be used, with a message for the operator.
public struct ConfigError: Error, Sendable, Equatable, CustomStringConvertible {
    /// What is wrong and what would be right.
    public var description: String

    /// An error with `description`.
    public init(_ description: String) {
        self.description = description
    }
}

extension BrokerLaunchSettings {
    /// Applies one setting given by a flag or environment variable, validating it.
    public mutating func apply(option: BrokerOption, value: String) throws(ConfigError) {
        switch option {
        case .listen:
            guard let endpoint = Endpoint(value) else { throw ConfigError("--listen: '\(value)' is not HOST:PORT") }
            listen = endpoint
        case .advertise:
            guard let endpoint = Endpoint(value), endpoint.port > 0 else { throw ConfigError("--advertise: '\(value)' is not HOST:PORT with a port above 0") }
            advertise = endpoint
        case .dataDirectory:
            guard !value.isEmpty else { throw ConfigError("--data-dir: the path is empty") }
            dataDirectory = value
        case .nodeId:
            guard let id = Int32(value), id >= 0 else { throw ConfigError("--node-id: '\(value)' is not a non-negative integer") }
            nodeId = id
        case .store:
            switch value {
            case "file", "file://": store = .file
            case "memory", "memory://": store = .memory
            default:
                if value.hasPrefix("file://") {
                    store = .file
                    dataDirectory = String(value.dropFirst("file://".count))
                } else {
                    throw ConfigError("--store: '\(value)' is not one of file, file://PATH, memory")
                }
            }
        case .coordination:
            switch value {
            case "embedded": coordination = .embedded
            case "memory", "memory://": coordination = .memory
            default:
                guard value.hasPrefix("zk://") else {
                    throw ConfigError("--coordination: '\(value)' is not one of embedded, memory, zk://HOST:PORT[,HOST:PORT…][/CHROOT]")
                }
                do {
                    coordination = .zooKeeper(try ZooKeeperConnectString(parsing: String(value.dropFirst("zk://".count))))
                } catch {
                    throw ConfigError("--coordination: '\(value)': \(error.description)")
                }
            }
        }
    }

    /// Applies a `server.properties` file's text: `key=value` lines, `#` and `!` comments.
    /// Keys that Tern reads itself (`listeners`, `advertised.listeners`, `log.dirs`,
    /// `node.id`, `broker.id`, and `zookeeper.connect` for the zk:// backend) set those settings;
    /// every key is also kept in `properties`.
    public mutating func apply(propertiesText text: String, source: String) throws(ConfigError) {
        for (number, rawLine) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let line = rawLine.trimmingCharacters(in: " \t\r")
            if line.isEmpty || line.hasPrefix("#") || line.hasPrefix("!") { continue }
            guard let equals = line.firstIndex(where: { $0 == "=" || $0 == ":" }) else {
                throw ConfigError("\(source):\(number + 1): expected key=value, found '\(line)'")
            }
            let key = String(line[..<equals]).trimmingCharacters(in: " \t")
            let value = String(line[line.index(after: equals)...]).trimmingCharacters(in: " \t")
            try apply(property: key, value: value, source: "\(source):\(number + 1)")
        }
    }

    private mutating func apply(property key: String, value: String, source: String) throws(ConfigError) {
        func listener(_ value: String) throws(ConfigError) -> String {
            // PLAINTEXT://host:port (the first listener); other security protocols are not served.
            let first = value.split(separator: ",").first.map(String.init) ?? value
            guard let range = first.range(of: "://") else { return first }
            let scheme = first[..<range.lowerBound]
            guard scheme == "PLAINTEXT" else { throw ConfigError("\(source): only PLAINTEXT listeners are served, found '\(scheme)'") }
            return String(first[range.upperBound...])
        }
        do {
            switch key {
            case "listeners": try apply(option: .listen, value: listener(value))
            case "advertised.listeners": try apply(option: .advertise, value: listener(value))
            case "log.dirs", "log.dir": try apply(option: .dataDirectory, value: value.split(separator: ",").first.map(String.init) ?? value)
            case "node.id", "broker.id": try apply(option: .nodeId, value: value)
            case "zookeeper.connect": try apply(option: .coordination, value: "zk://" + value)
            default: break
            }
        } catch {
            throw ConfigError("\(source): \(error.description)")
        }
        properties[key] = value
    }
}

/// A setting that flags and environment variables can give.
public enum BrokerOption: String, Sendable, CaseIterable {
    case listen, advertise, dataDirectory, nodeId, store, coordination

    /// The environment variable that gives it.
    public var environmentVariable: String {
        switch self {
        case .listen: "TERN_LISTEN"
        case .advertise: "TERN_ADVERTISE"
        case .dataDirectory: "TERN_DATA_DIR"
        case .nodeId: "TERN_NODE_ID"
        case .store: "TERN_STORE"
        case .coordination: "TERN_COORDINATION"
        }
    }
}

extension Substring {
    fileprivate func trimmingCharacters(in set: String) -> String {
        var text = self
        while let first = text.first, set.contains(first) { text = text.dropFirst() }
        while let last = text.last, set.contains(last) { text = text.dropLast() }
        return String(text)
    }
}

extension String {
    fileprivate func trimmingCharacters(in set: String) -> String {
        self[...].trimmingCharacters(in: set)
    }
}
