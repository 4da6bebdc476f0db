import Foundation
public import TernCoordination
public import TernProtocol

// The JSON Kafka keeps in each znode of its ZooKeeper-mode layout, as `Codable` values with
// Kafka's field names. Decoders ignore fields they do not know (Kafka added some over time),
// and numbers Kafka writes as strings (timestamps, producer id bounds) stay strings.

/// Why a znode's data could not be read as Kafka's JSON.
public struct KafkaZNodeDataError: Error, Hashable, Sendable, CustomStringConvertible {
    /// The node and what was wrong.
    public var description: String
}

/// Encoding and decoding of the node formats.
public enum KafkaZNodeData {
    /// `/brokers/ids/<id>`, version 4: the endpoint as a PLAINTEXT listener.
    public struct Broker: Codable, Hashable, Sendable {
        public var version: Int = 4
        public var host: String
        public var port: Int32
        public var jmxPort: Int32 = -1
        public var timestamp: String
        public var endpoints: [String]
        public var rack: String?
        public var listenerSecurityProtocolMap: [String: String]?

        enum CodingKeys: String, CodingKey {
            case version, host, port, timestamp, endpoints, rack
            case jmxPort = "jmx_port"
            case listenerSecurityProtocolMap = "listener_security_protocol_map"
        }

        /// Kafka's registration of `broker` at `timestamp` (milliseconds).
        public init(_ broker: BrokerRegistration, timestamp: Int64) {
            host = broker.host
            port = broker.port
            self.timestamp = String(timestamp)
            endpoints = ["PLAINTEXT://\(broker.host):\(broker.port)"]
            rack = broker.rack
            listenerSecurityProtocolMap = ["PLAINTEXT": "PLAINTEXT"]
        }

        /// The registration this JSON describes for broker `id`: the first PLAINTEXT endpoint,
        /// else the top-level host and port.
        public func registration(id: Int32) -> BrokerRegistration {
            for endpoint in endpoints {
                guard let range = endpoint.range(of: "://"), endpoint.hasPrefix("PLAINTEXT") else { continue }
                let address = endpoint[range.upperBound...]
                if let colon = address.lastIndex(of: ":"), let port = Int32(address[address.index(after: colon)...]) {
                    return BrokerRegistration(id: id, host: String(address[..<colon]), port: port, rack: rack)
                }
            }
            return BrokerRegistration(id: id, host: host, port: port, rack: rack)
        }
    }

    /// `/brokers/topics/<topic>`, version 2: replicas by partition number and the topic id.
    public struct Topic: Codable, Hashable, Sendable {
        public var version: Int = 2
        public var partitions: [String: [Int32]]
        public var addingReplicas: [String: [Int32]]? = [:]
        public var removingReplicas: [String: [Int32]]? = [:]
        public var topicId: String?

        enum CodingKeys: String, CodingKey {
            case version, partitions
            case addingReplicas = "adding_replicas"
            case removingReplicas = "removing_replicas"
            case topicId = "topic_id"
        }

        /// The assignment of `replicas` (indexed by partition) to a topic with `id`.
        public init(id: KafkaUUID, replicas: [[Int32]]) {
            topicId = id.description
            partitions = Dictionary(uniqueKeysWithValues: replicas.enumerated().map { (String($0.offset), $0.element) })
        }

        /// Replica lists indexed by partition; nil when the partition numbers are not 0..<n.
        public var replicasByPartition: [[Int32]]? {
            var result: [[Int32]] = []
            for index in 0..<partitions.count {
                guard let replicas = partitions[String(index)] else { return nil }
                result.append(replicas)
            }
            return result
        }
    }

    /// `/brokers/topics/<topic>/partitions/<p>/state`, version 1.
    public struct PartitionState: Codable, Hashable, Sendable {
        public var version: Int = 1
        public var leader: Int32
        public var leaderEpoch: Int32
        public var isr: [Int32]
        public var controllerEpoch: Int32

        enum CodingKeys: String, CodingKey {
            case version, leader, isr
            case leaderEpoch = "leader_epoch"
            case controllerEpoch = "controller_epoch"
        }

        /// The state of `assignment` written under controller epoch `controllerEpoch`.
        public init(_ assignment: PartitionAssignment, controllerEpoch: Int32) {
            leader = assignment.leader
            leaderEpoch = assignment.leaderEpoch
            isr = assignment.inSyncReplicas
            self.controllerEpoch = controllerEpoch
        }
    }

    /// `/config/topics/<topic>` and `/config/brokers/<scope>`, version 1.
    public struct Config: Codable, Hashable, Sendable {
        public var version: Int = 1
        public var config: [String: String]

        /// Overrides `config`.
        public init(_ config: [String: String]) {
            self.config = config
        }
    }

    /// `/controller`, version 1.
    public struct Controller: Codable, Hashable, Sendable {
        public var version: Int = 1
        public var brokerid: Int32
        public var timestamp: String

        /// Broker `brokerId` elected at `timestamp` (milliseconds).
        public init(brokerId: Int32, timestamp: Int64) {
            brokerid = brokerId
            self.timestamp = String(timestamp)
        }
    }

    /// `/latest_producer_id_block`, version 1: the last block granted, bounds inclusive.
    public struct ProducerIdBlock: Codable, Hashable, Sendable {
        public var version: Int = 1
        public var broker: Int32
        public var blockStart: String
        public var blockEnd: String

        enum CodingKeys: String, CodingKey {
            case version, broker
            case blockStart = "block_start"
            case blockEnd = "block_end"
        }

        /// The block `ids` granted to `broker`.
        public init(broker: Int32, ids: ClosedRange<Int64>) {
            self.broker = broker
            blockStart = String(ids.lowerBound)
            blockEnd = String(ids.upperBound)
        }
    }

    /// `/cluster/id`; Kafka writes the version as a string here.
    public struct ClusterId: Codable, Hashable, Sendable {
        public var version: String = "1"
        public var id: String

        /// The node for cluster `id`.
        public init(id: String) {
            self.id = id
        }
    }

    /// The JSON bytes of `value`, keys sorted, slashes unescaped.
    public static func encode(_ value: some Encodable) -> [UInt8] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        do {
            return Array(try encoder.encode(value))
        } catch {
            preconditionFailure("encoding \(value) failed: \(error)")
        }
    }

    /// `bytes` read as `type`, or an error naming `path`.
    public static func decode<Value: Decodable>(_ type: Value.Type, from bytes: [UInt8], path: String) throws(KafkaZNodeDataError) -> Value {
        do {
            return try JSONDecoder().decode(type, from: Data(bytes))
        } catch {
            throw KafkaZNodeDataError(description: "\(path): \(String(decoding: bytes.prefix(200), as: UTF8.self)): \(error)")
        }
    }
}
