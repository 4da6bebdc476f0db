import Foundation
import TernProtocol

/// Keeps the durable cluster metadata in one file, `<dataDirectory>/coordination/cluster-metadata`.
///
/// The file is a header line and a JSON body:
///
///     tern-cluster-metadata 1 crc32c=5f0e3a1c bytes=412
///     {"brokerConfigs":{},"clusterId":"…","topics":[…],"version":7}
///
/// The header names the format version, the CRC-32C of the body and its length, so a damaged
/// file is refused even when what is left still parses as JSON. `tail -n +2 | jq` reads it.
///
/// Saves replace the file atomically: write `cluster-metadata.tmp`, fsync it, rename it over
/// the file, fsync the directory. A crash leaves the old file or the new one, and perhaps a
/// stale temporary file, which `load` ignores and the next save overwrites.
///
/// The calls block the calling thread on `fsync`. They run on the cooperative pool, inside the
/// service's actor, on purpose: metadata changes are rare (administrative requests and the
/// controller's partition decisions), the file is small, and doing the write inside the actor
/// is what makes a change durable before any other command sees it. If writes ever get frequent
/// enough to matter, this type is the one place to move onto a dedicated I/O thread.
public struct ClusterMetadataFile: ClusterMetadataStore {
    /// The first word of the header line.
    static let magic = "tern-cluster-metadata"
    /// The only format version.
    static let formatVersion = 1
    /// A bigger file is refused as damaged rather than read into memory. Generous: a cluster of
    /// 10 000 topics of 50 partitions takes about 60 MiB.
    static let sizeMax = 256 << 20

    /// The directory holding the file.
    public let directory: String
    /// The file's path.
    public let path: String

    /// A store in `<dataDirectory>/coordination/`. Nothing is touched until `load` or `save`.
    public init(dataDirectory: String) {
        directory = dataDirectory + "/coordination"
        path = directory + "/cluster-metadata"
    }

    public func load() throws(CoordinationStorageError) -> DurableClusterMetadata? {
        guard let bytes = try MetadataFileIO.readIfPresent(path, sizeMax: Self.sizeMax) else { return nil }
        return try decode(bytes)
    }

    public func save(_ metadata: DurableClusterMetadata) throws(CoordinationStorageError) {
        let bytes = try encode(metadata)
        try MetadataFileIO.createDirectory(directory)
        try MetadataFileIO.replace(path, with: bytes)
    }

    /// The file's bytes for `metadata`.
    func encode(_ metadata: DurableClusterMetadata) throws(CoordinationStorageError) -> [UInt8] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        let body: [UInt8]
        do {
            body = Array(try encoder.encode(Document(metadata)))
        } catch {
            // Strings, integers and arrays always encode; failing here is our bug.
            preconditionFailure("cluster metadata did not encode: \(error)")
        }
        let checksum = String(CRC32C.checksum(body), radix: 16)
        let header = "\(Self.magic) \(Self.formatVersion) crc32c=\(checksum) bytes=\(body.count)\n"
        return Array(header.utf8) + body
    }

    /// The metadata in a file's bytes, or `.corrupt` saying what is wrong with them.
    func decode(_ bytes: [UInt8]) throws(CoordinationStorageError) -> DurableClusterMetadata {
        func corrupt(_ reason: String) -> CoordinationStorageError { .corrupt(path: path, reason: reason) }
        guard let newline = bytes.firstIndex(of: UInt8(ascii: "\n")) else { throw corrupt("no header line") }
        let fields = String(decoding: bytes[..<newline], as: UTF8.self).split(separator: " ")
        guard fields.count == 4, fields[0] == Self.magic else { throw corrupt("not a cluster metadata file") }
        guard Int(fields[1]) == Self.formatVersion else { throw corrupt("unknown format version \(fields[1])") }
        guard fields[2].hasPrefix("crc32c="), let checksum = UInt32(fields[2].dropFirst(7), radix: 16),
              fields[3].hasPrefix("bytes="), let length = Int(fields[3].dropFirst(6))
        else { throw corrupt("malformed header") }
        let body = Array(bytes[(newline + 1)...])
        guard body.count == length else { throw corrupt("body of \(body.count) bytes, header says \(length)") }
        guard CRC32C.checksum(body) == checksum else { throw corrupt("checksum mismatch") }
        let document: Document
        do {
            document = try JSONDecoder().decode(Document.self, from: Data(body))
        } catch {
            throw corrupt("body does not decode: \(error)")
        }
        do throws(Document.Invalid) {
            return try document.metadata()
        } catch {
            throw corrupt(error.reason)
        }
    }
}

/// The JSON body. Its own types rather than the public ones, so renaming a Swift property can
/// never silently change the file format.
private struct Document: Codable {
    struct Invalid: Error {
        var reason: String
    }

    struct Topic: Codable {
        var name: String
        var id: String
        var partitions: [Partition]
        var configs: [String: String]
    }

    struct Partition: Codable {
        var replicas: [Int32]
        var leader: Int32
        var leaderEpoch: Int32
        var inSyncReplicas: [Int32]
        var partitionEpoch: Int32
    }

    var clusterId: String
    var version: Int64
    var topics: [Topic]
    var brokerConfigs: [String: [String: String]]
    // Absent in files written before producer ids were granted; nil reads as 0.
    var nextProducerId: Int64?

    init(_ metadata: DurableClusterMetadata) {
        clusterId = metadata.clusterId
        nextProducerId = metadata.nextProducerId
        version = metadata.version
        brokerConfigs = metadata.brokerConfigs
        topics = metadata.topics.values.sorted { $0.name < $1.name }.map { topic in
            Topic(
                name: topic.name, id: topic.id.description,
                partitions: topic.partitions.map {
                    Partition(
                        replicas: $0.replicas, leader: $0.leader, leaderEpoch: $0.leaderEpoch,
                        inSyncReplicas: $0.inSyncReplicas, partitionEpoch: $0.partitionEpoch)
                },
                configs: topic.configs)
        }
    }

    /// The metadata this document describes, checking what JSON decoding cannot.
    func metadata() throws(Invalid) -> DurableClusterMetadata {
        guard !clusterId.isEmpty else { throw Invalid(reason: "empty cluster id") }
        guard version >= 0 else { throw Invalid(reason: "negative version \(version)") }
        var byName: [String: TopicMetadata] = [:]
        var ids: Set<KafkaUUID> = []
        for topic in topics {
            guard let id = KafkaUUID(base64: topic.id) else { throw Invalid(reason: "topic \(topic.name): bad id \(topic.id)") }
            guard byName[topic.name] == nil, ids.insert(id).inserted else {
                throw Invalid(reason: "topic \(topic.name) or its id appears twice")
            }
            byName[topic.name] = TopicMetadata(
                name: topic.name, id: id,
                partitions: topic.partitions.map {
                    PartitionAssignment(
                        replicas: $0.replicas, leader: $0.leader, leaderEpoch: $0.leaderEpoch,
                        inSyncReplicas: $0.inSyncReplicas, partitionEpoch: $0.partitionEpoch)
                },
                configs: topic.configs)
        }
        guard (nextProducerId ?? 0) >= 0 else { throw Invalid(reason: "negative next producer id") }
        return DurableClusterMetadata(clusterId: clusterId, topics: byName, brokerConfigs: brokerConfigs, version: version,
                                      nextProducerId: nextProducerId ?? 0)
    }
}
