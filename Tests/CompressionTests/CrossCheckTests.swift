// Goal: our codecs and the reference Python bindings (gzip, python-snappy, lz4, zstandard)
// read each other's output.
// Method: Integration/compression/run.sh has Python write a payload and its compressed forms
// into a directory, then runs this test with TERN_CODEC_XCHECK_DIR pointing there. The test
// decodes every Python sample listed in manifest.txt, records PASS/FAIL lines in
// swift-results.txt, and writes our own compressed forms (listed in swift-manifest.txt) for
// Python to verify next. Without the variable the test is skipped, not passed: it needs
// files only the script makes.

import Foundation
import Testing
import TernCompression
import TernPrimitives

/// The directory run.sh shares with the Python checker, if this run is part of it.
private let crossCheckDirectory = ProcessInfo.processInfo.environment["TERN_CODEC_XCHECK_DIR"]

@Suite struct CrossCheckTests {
    @Test(.enabled(if: crossCheckDirectory != nil, "needs TERN_CODEC_XCHECK_DIR, set by run.sh"))
    func crossCheck_pythonSamplesDecode_andOurOutputIsWrittenForPython() throws {
        let directory = URL(fileURLWithPath: try #require(crossCheckDirectory))
        let payload = [UInt8](try Data(contentsOf: directory.appendingPathComponent("payload.bin")))
        #expect(payload.count > 100_000, "payload too small to span several blocks")

        let manifest = try String(contentsOf: directory.appendingPathComponent("manifest.txt"), encoding: .utf8)
        var results: [String] = []
        var typesSeen: Set<CompressionType> = []
        for line in manifest.split(separator: "\n") {
            let fields = line.split(separator: " ").map(String.init)
            guard fields.count == 2, let type = CompressionType(name: fields[1]) else {
                Issue.record("bad manifest line: \(line)")
                continue
            }
            typesSeen.insert(type)
            results.append(check(sample: fields[0], type: type, in: directory, payload: payload))
        }
        #expect(typesSeen.isSuperset(of: compressingTypes), "Python wrote samples for \(typesSeen)")
        try (results.joined(separator: "\n") + "\n").write(
            to: directory.appendingPathComponent("swift-results.txt"), atomically: true, encoding: .utf8)

        try writeOurSamples(payload, to: directory)
    }

    /// Decodes one Python sample and returns its result line; failures are also recorded as
    /// test issues so the Swift run fails on its own.
    private func check(sample: String, type: CompressionType, in directory: URL, payload: [UInt8]) -> String {
        do {
            let compressed = [UInt8](try Data(contentsOf: directory.appendingPathComponent(sample)))
            let restored = try testCodecs.codec(for: type).decompress(compressed, limit: payload.count)
            guard restored == payload else {
                Issue.record("\(sample): decoded \(restored.count) bytes that differ from the payload")
                return "FAIL swift-decodes-\(sample): content differs"
            }
            return "PASS swift-decodes-\(sample)"
        } catch {
            Issue.record("\(sample): \(error)")
            return "FAIL swift-decodes-\(sample): \(error)"
        }
    }

    /// Writes our compressed forms of `payload` and the manifest naming them.
    private func writeOurSamples(_ payload: [UInt8], to directory: URL) throws {
        var samples: [(name: String, type: CompressionType, bytes: [UInt8])] = []
        for type in compressingTypes {
            let codec = testCodecs.codec(for: type)
            samples.append(("swift-\(type.name).bin", type, try codec.compress(payload)))
            if let levels = codec.levels {
                let strongest = try codec.compress(payload, level: levels.upperBound)
                samples.append(("swift-\(type.name)-level\(levels.upperBound).bin", type, strongest))
            }
        }
        samples.append(("swift-snappy-xerial.bin", .snappy, try SnappyCodec().compressXerial(payload)))
        for sample in samples {
            try Data(sample.bytes).write(to: directory.appendingPathComponent(sample.name))
        }
        let manifest = samples.map { "\($0.name) \($0.type.name)" }.joined(separator: "\n") + "\n"
        let manifestURL = directory.appendingPathComponent("swift-manifest.txt")
        try manifest.write(to: manifestURL, atomically: true, encoding: .utf8)
    }
}
