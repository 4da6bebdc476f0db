// Loads the frames real clients sent (captured by Tools/capture against a real broker) and
// the facts each capture scenario set.

import Foundation
import NIOCore
import TernCompression
import TernPrimitives
import TernProtocol

/// One captured request/response pair, as listed in Fixtures/golden/manifest.json.
struct GoldenEntry: Decodable, Sendable, CustomTestStringConvertibleShim {
    let client: String
    let fileRequest: String
    let fileResponse: String?
    let apiKey: Int16
    let apiName: String
    let apiVersion: Int16
    let correlationId: Int32
    let clientId: String?
    let scenario: String
    let facts: Facts
    let responseTaggedFields: [String]?
    let responseMalformed: String?
    let requestTrailingBytes: Int?

    /// The values a scenario set, where the test can know them.
    struct Facts: Decodable, Sendable {
        let topics: [String]?
        let compression: String?
        let recordCount: Int?
        let keys: [String?]?
        let values: [String?]?
        let groupId: String?
        let transactionalId: String?
    }

    var name: String { "\(client)/\(apiName)-v\(apiVersion) (\(scenario), #\(correlationId))" }
}

/// Avoids importing Testing here; the test file adds the conformance.
protocol CustomTestStringConvertibleShim {}

enum GoldenFixtures {
    static let directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("Fixtures/golden")

    static let entries: [GoldenEntry] = {
        let decoder = JSONDecoder()
        decoder.keyDecodingStrategy = .convertFromSnakeCase
        guard let data = try? Data(contentsOf: directory.appendingPathComponent("manifest.json")),
              let entries = try? decoder.decode([GoldenEntry].self, from: data)
        else { return [] }
        return entries
    }()

    static func bytes(_ file: String) throws -> ByteBuffer {
        ByteBuffer(bytes: try Data(contentsOf: directory.appendingPathComponent(file)))
    }

    /// Decompresses record batches with the real codecs.
    static func decompress(_ codec: CompressionType, _ bytes: UnsafeRawBufferPointer) throws -> [UInt8] {
        try CompressionCodecs().codec(for: codec).decompress(bytes, limit: 64 << 20)
    }
}

/// Every string anywhere inside a decoded message, found by reflection, so a test can check
/// that a topic or group name the scenario used is where the codec put it.
func allStrings(in value: Any) -> Set<String> {
    var found: Set<String> = []
    func visit(_ value: Any) {
        if let string = value as? String {
            found.insert(string)
            return
        }
        let mirror = Mirror(reflecting: value)
        if mirror.displayStyle == .optional {
            if let child = mirror.children.first { visit(child.value) }
            return
        }
        for child in mirror.children { visit(child.value) }
    }
    visit(value)
    return found
}
