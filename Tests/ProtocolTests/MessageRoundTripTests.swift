// Goal: every generated request and response encodes and decodes at every version it supports,
// and hostile input never traps. Method: seeded random samples per version (the generated
// `sample` builders), encode → decode → compare → re-encode → compare bytes; then every
// prefix of each encoding must fail to decode, and random garbage must only ever throw.

import NIOCore
import Testing
import TernPrimitives
import TernProtocol

extension SampleMaker: CustomTestStringConvertible {
    var testDescription: String { "\(type)" }
}

@Suite struct MessageRoundTripTests {
    @Test(arguments: generatedSampleMakers)
    func encode_everyVersion_decodesToSameValueAndBytes(maker: SampleMaker) throws {
        for version in maker.type.versions {
            for seed in 0..<12 as Range<UInt64> {
                var random = SampleRandom(seed: seed &* 7919 &+ UInt64(version))
                let message = maker.make(version, &random)
                let bytes = try message.encoded(version: version)
                let decoded = try maker.type.decodeWhole(bytes, version: version)
                #expect(AnyHashable(decoded) == AnyHashable(message), "\(maker.type) v\(version) seed \(seed)")
                let again = try decoded.encoded(version: version)
                #expect(again == bytes, "\(maker.type) v\(version) seed \(seed) re-encodes differently")
            }
        }
    }

    @Test(arguments: generatedSampleMakers)
    func decode_truncatedEncoding_throws(maker: SampleMaker) throws {
        for version in maker.type.versions {
            var random = SampleRandom(seed: UInt64(version) &+ 17)
            let bytes = try maker.make(version, &random).encoded(version: version)
            // Bounded: at most 64 cut points per version, spread over the message.
            let step = max(1, bytes.readableBytes / 64)
            for cut in stride(from: 0, to: bytes.readableBytes, by: step) {
                let prefix = bytes.getSlice(at: bytes.readerIndex, length: cut) ?? ByteBuffer()
                #expect(throws: DecodeError.self, "\(maker.type) v\(version) cut at \(cut)") {
                    _ = try maker.type.decodeWhole(prefix, version: version)
                }
            }
        }
    }

    @Test(arguments: generatedSampleMakers)
    func decode_randomGarbage_neverTraps(maker: SampleMaker) {
        var generator = SeededRandom(seed: 0xBAD5EED)
        for version in maker.type.versions {
            for _ in 0..<50 {
                let length = Int(generator.next() % 96)
                let bytes = (0..<length).map { _ in UInt8(truncatingIfNeeded: generator.next()) }
                _ = try? maker.type.decodeWhole(ByteBuffer(bytes: bytes), version: version)
            }
        }
    }

    @Test func unsupportedVersion_isRejectedOnBothSides() {
        let request = MetadataRequest()
        #expect(throws: EncodeError.self) { _ = try request.encoded(version: 99) }
        #expect(throws: DecodeError.unsupportedVersion(apiKey: 3, version: 99)) {
            _ = try MetadataRequest.decodeWhole(ByteBuffer(), version: 99)
        }
    }

    @Test func taggedField_atDefault_isNotWritten() throws {
        // FinalizedFeaturesEpoch defaults to -1: left at the default it must not appear, as
        // Apache Kafka omits it and some clients misparse it.
        let response = ApiVersionsResponse(errorCode: 0, apiKeys: [])
        let bytes = try response.encoded(version: 3)
        // error code (2) + compact empty array (1) + throttle (4) + empty tag section (1).
        #expect(bytes.readableBytes == 8)
        let withEpoch = ApiVersionsResponse(finalizedFeaturesEpoch: 5)
        #expect(try withEpoch.encoded(version: 3).readableBytes > 8)
    }

    @Test func nullInNonNullableVersion_failsToEncode() {
        // Metadata topics may be null (all topics) only from version 1.
        let request = MetadataRequest(topics: nil)
        #expect(throws: EncodeError.self) { _ = try request.encoded(version: 0) }
        #expect(throws: Never.self) { _ = try request.encoded(version: 1) }
    }
}
