// Goal: the metadata file gives back exactly what was saved, survives the leftovers of an
// interrupted save, and refuses damaged contents loudly instead of starting empty. Method: save
// and load through `ClusterMetadataFile` in a temporary directory, and plant leftover temporary
// files and damaged bytes by hand.

import Foundation
import Testing
import TernCoordination
import TernPrimitives
import TernProtocol

@Suite struct ClusterMetadataFileTests {
    private func sampleMetadata() -> DurableClusterMetadata {
        var topic = sampleTopic("orders", partitionCount: 2)
        topic.configs = ["retention.ms": "86400000", "cleanup.policy": "compact"]
        topic.partitions[1] = PartitionAssignment(
            replicas: [3, 1], leader: -1, leaderEpoch: 7, inSyncReplicas: [3], partitionEpoch: 12)
        return DurableClusterMetadata(
            clusterId: "MkU3OEVBNTcwNTJENDM2Qk", topics: ["orders": topic, "empty": sampleTopic("empty", partitionCount: 0, idSeed: 2)],
            brokerConfigs: ["": ["log.retention.ms": "1"], "2": ["x": "y"]], version: 42)
    }

    private func expectCorrupt(_ file: ClusterMetadataFile, _ comment: Comment) {
        do {
            _ = try file.load()
            Issue.record("loaded damaged metadata: \(comment)")
        } catch {
            guard case .corrupt(let path, _) = error else {
                Issue.record("expected .corrupt, got \(error): \(comment)")
                return
            }
            #expect(path == file.path)
        }
    }

    @Test func load_nothingSaved_returnsNil() throws {
        let directory = TemporaryDirectory()
        defer { directory.remove() }
        #expect(try ClusterMetadataFile(dataDirectory: directory.path).load() == nil)
    }

    @Test func save_thenLoad_returnsSameMetadata() throws {
        let directory = TemporaryDirectory()
        defer { directory.remove() }
        let file = ClusterMetadataFile(dataDirectory: directory.path)
        try file.save(sampleMetadata())
        #expect(try file.load() == sampleMetadata())
        #expect(file.path == directory.metadataPath)
        #expect(!FileManager.default.fileExists(atPath: file.path + ".tmp"), "the temporary file was renamed away")
    }

    @Test func save_twice_keepsOnlyTheLatest() throws {
        let directory = TemporaryDirectory()
        defer { directory.remove() }
        let file = ClusterMetadataFile(dataDirectory: directory.path)
        try file.save(sampleMetadata())
        var changed = sampleMetadata()
        changed.topics["orders"] = nil
        changed.version += 1
        try file.save(changed)
        #expect(try file.load() == changed)
    }

    @Test func load_leftoverTemporaryFile_isIgnoredAndNextSaveReplacesIt() throws {
        let directory = TemporaryDirectory()
        defer { directory.remove() }
        let file = ClusterMetadataFile(dataDirectory: directory.path)
        try file.save(sampleMetadata())
        try directory.write(Array("half a wri".utf8), to: "coordination/cluster-metadata.tmp")
        #expect(try file.load() == sampleMetadata())
        var changed = sampleMetadata()
        changed.version += 1
        try file.save(changed)
        #expect(try file.load() == changed)
    }

    @Test func load_onlyTemporaryFile_returnsNil() throws {
        let directory = TemporaryDirectory()
        defer { directory.remove() }
        try directory.write(Array("half a wri".utf8), to: "coordination/cluster-metadata.tmp")
        #expect(try ClusterMetadataFile(dataDirectory: directory.path).load() == nil)
    }

    @Test func load_damagedFile_throwsCorrupt() throws {
        let directory = TemporaryDirectory()
        defer { directory.remove() }
        let file = ClusterMetadataFile(dataDirectory: directory.path)
        try file.save(sampleMetadata())
        let good = try directory.read("coordination/cluster-metadata")
        let headerEnd = try #require(good.firstIndex(of: UInt8(ascii: "\n")))
        let body = Array(good[(headerEnd + 1)...])

        var flipped = good
        flipped[flipped.count - 5] ^= 0x01
        let cases: [([UInt8], Comment)] = [
            ([], "empty file"),
            (Array("garbage".utf8), "no header"),
            (body, "body without header"),
            (Array(good.dropLast(3)), "truncated body"),
            (flipped, "one flipped bit in the body"),
            (Array(String(decoding: good, as: UTF8.self).replacingOccurrences(of: "metadata 1 ", with: "metadata 9 ").utf8),
             "unknown format version"),
        ]
        for (bytes, comment) in cases {
            try directory.write(bytes, to: "coordination/cluster-metadata")
            expectCorrupt(file, comment)
        }
    }

    @Test func load_validChecksumOverInvalidDocument_throwsCorrupt() throws {
        // Damage that a checksum cannot catch, because the file was written that way: the body
        // parses, but says something impossible.
        let directory = TemporaryDirectory()
        defer { directory.remove() }
        let file = ClusterMetadataFile(dataDirectory: directory.path)
        let bodies = [
            #"{"brokerConfigs":{},"clusterId":"","topics":[],"version":1}"#,
            #"{"brokerConfigs":{},"clusterId":"c","topics":[{"name":"t","id":"not-an-id","partitions":[],"configs":{}}],"version":1}"#,
            #"{"clusterId":"c","topics":[],"version":1}"#,
        ]
        for body in bodies {
            let bytes = Array(body.utf8)
            let header = "tern-cluster-metadata 1 crc32c=\(String(CRC32C.checksum(bytes), radix: 16)) bytes=\(bytes.count)\n"
            try directory.write(Array(header.utf8) + bytes, to: "coordination/cluster-metadata")
            expectCorrupt(file, Comment(rawValue: body))
        }
    }

    @Test func save_unwritableDirectory_throwsIO() throws {
        let directory = TemporaryDirectory()
        defer { directory.remove() }
        // A file where the data directory should be: mkdir of the child fails.
        try directory.write([], to: "data")
        let file = ClusterMetadataFile(dataDirectory: directory.path + "/data")
        #expect {
            try file.save(sampleMetadata())
        } throws: { error in
            guard case .io = error as? CoordinationStorageError else { return false }
            return true
        }
    }
}
