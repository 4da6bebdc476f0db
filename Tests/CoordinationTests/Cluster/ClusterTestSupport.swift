// Fixtures for the cluster metadata tests: small topics and brokers with readable ids, and a
// temporary data directory that removes itself.

import Foundation
import TernCoordination
import TernPrimitives
import TernProtocol

/// A topic of `partitionCount` partitions, each led by broker 1 with replicas 1, 2, 3.
func sampleTopic(_ name: String, partitionCount: Int = 1, idSeed: UInt64 = 1) -> TopicMetadata {
    var random = SeededRandom(seed: idSeed)
    let partition = PartitionAssignment(replicas: [1, 2, 3], leader: 1, inSyncReplicas: [1, 2, 3])
    return TopicMetadata(
        name: name, id: KafkaUUID.random(using: &random),
        partitions: Array(repeating: partition, count: partitionCount))
}

/// A broker with id `id`, on a made-up host.
func sampleBroker(_ id: Int32, rack: String? = nil) -> BrokerRegistration {
    BrokerRegistration(id: id, host: "broker\(id).test", port: 9092, rack: rack)
}

/// A fresh directory under the system's temporary directory, removed by `remove()`.
struct TemporaryDirectory {
    let path: String

    init() {
        path = NSTemporaryDirectory() + "tern-cluster-" + UUID().uuidString
    }

    /// The metadata file's path inside this directory.
    var metadataPath: String { path + "/coordination/cluster-metadata" }

    func remove() {
        try? FileManager.default.removeItem(atPath: path)
    }

    /// Writes `bytes` to `relativePath`, creating its directory.
    func write(_ bytes: [UInt8], to relativePath: String) throws {
        let url = URL(fileURLWithPath: path + "/" + relativePath)
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        try Data(bytes).write(to: url)
    }

    /// The bytes at `relativePath`.
    func read(_ relativePath: String) throws -> [UInt8] {
        Array(try Data(contentsOf: URL(fileURLWithPath: path + "/" + relativePath)))
    }
}
