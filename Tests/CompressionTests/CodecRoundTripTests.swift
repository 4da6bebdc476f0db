// Goal: every codec restores exactly what it compressed, for every payload shape, at every
// level it advertises, and writes the header bytes Kafka clients expect.
// Method: compress then decompress deterministic payloads (empty, one byte, 100 KiB and
// 3 MiB of random and of record-like text) and compare; check levels and limits at their
// edges; check the first bytes of each format against the values librdkafka sends.

import Testing
import TernCompression
import TernPrimitives

@Suite struct CodecRoundTripTests {
    @Test(arguments: CompressionType.allCases, Payload.allCases)
    func compress_thenDecompress_restoresInput(type: CompressionType, payload: Payload) throws {
        let codec = testCodecs.codec(for: type)
        let input = payload.bytes
        let compressed = try codec.compress(input)
        let restored = try codec.decompress(compressed, limit: input.count)
        #expect(restored == input)
    }

    @Test(arguments: compressingTypes)
    func compress_repetitiveText_shrinksIt(type: CompressionType) throws {
        let input = Payload.repetitive3MiB.bytes
        let compressed = try testCodecs.codec(for: type).compress(input)
        // Every real codec gets record-like text well under a fifth of its size; an
        // accidental pass-through would not.
        #expect(compressed.count < input.count / 5)
    }

    @Test(arguments: [CompressionType.gzip, .lz4, .zstd])
    func compress_everyAdvertisedLevel_roundTrips(type: CompressionType) throws {
        let codec = testCodecs.codec(for: type)
        let levels = try #require(codec.levels)
        let input = Payload.repetitive100KiB.bytes
        for level in Set([levels.lowerBound, levels.upperBound, codec.defaultLevel, 1]) {
            let compressed = try codec.compress(input, level: level)
            #expect(try codec.decompress(compressed, limit: input.count) == input, "level \(level)")
        }
    }

    @Test(arguments: [CompressionType.gzip, .lz4, .zstd])
    func compress_levelOutsideRange_throwsLevelOutOfRange(type: CompressionType) throws {
        let codec = testCodecs.codec(for: type)
        let levels = try #require(codec.levels)
        let tooHigh = levels.upperBound + 1
        #expect(throws: CompressionError.levelOutOfRange(type, level: tooHigh, accepted: levels)) {
            try codec.compress([1, 2, 3], level: tooHigh)
        }
    }

    @Test(arguments: [CompressionType.none, .snappy])
    func compress_levelOnCodecWithoutLevels_throws(type: CompressionType) {
        #expect(throws: CompressionError.levelOutOfRange(type, level: 1, accepted: nil)) {
            try testCodecs.codec(for: type).compress([1, 2, 3], level: 1)
        }
    }

    @Test(arguments: CompressionType.allCases)
    func decompress_outputExactlyAtLimit_succeeds_oneOverThrows(type: CompressionType) throws {
        let codec = testCodecs.codec(for: type)
        let input = Payload.repetitive100KiB.bytes
        let compressed = try codec.compress(input)
        #expect(try codec.decompress(compressed, limit: input.count) == input)
        #expect(throws: CompressionError.outputLimitExceeded(type, limit: input.count - 1)) {
            try codec.decompress(compressed, limit: input.count - 1)
        }
    }

    @Test(arguments: compressingTypes)
    func decompress_emptyOutputWithZeroLimit_succeeds(type: CompressionType) throws {
        let codec = testCodecs.codec(for: type)
        let compressed = try codec.compress([])
        #expect(try codec.decompress(compressed, limit: 0) == [])
        #expect(throws: CompressionError.outputLimitExceeded(type, limit: 0)) {
            try codec.decompress(try codec.compress([7]), limit: 0)
        }
    }

    @Test func lz4Output_headerMatchesLibrdkafkaFrames() throws {
        let compressed = try LZ4FrameCodec().compress(Payload.repetitive100KiB.bytes)
        // Magic 0x184D2204 little-endian, then FLG 0x60 (version 1, independent blocks, no
        // checksums, no content size) and BD 0x40 (64 KiB blocks), as librdkafka writes.
        #expect(Array(compressed.prefix(6)) == [0x04, 0x22, 0x4D, 0x18, 0x60, 0x40])
    }

    @Test func gzipOutput_startsWithGzipMagicAndDeflate() throws {
        let compressed = try GzipCodec().compress(Payload.oneByte.bytes)
        #expect(Array(compressed.prefix(3)) == [0x1F, 0x8B, 0x08])
    }

    @Test func zstdOutput_startsWithFrameMagic() throws {
        let compressed = try ZstdCodec().compress(Payload.oneByte.bytes)
        #expect(Array(compressed.prefix(4)) == [0x28, 0xB5, 0x2F, 0xFD])
    }

    @Test func snappyOutput_isRawBlockStartingWithLengthVarint() throws {
        let input = Array(Payload.repetitive100KiB.bytes.prefix(100))
        let compressed = try SnappyCodec().compress(input)
        // Raw snappy (what librdkafka sends) opens with the length as a varint: 100 = 0x64.
        #expect(compressed.first == 0x64)
        #expect(!compressed.starts(with: [0x82, 0x53, 0x4E, 0x41]))
    }

    @Test func snappyXerial_multipleBlocks_roundTrips() throws {
        let codec = SnappyCodec()
        let input = Payload.random100KiB.bytes + Payload.repetitive100KiB.bytes
        let framed = try codec.compressXerial(input, blockBytes: 7_000)
        #expect(framed.starts(with: [0x82, 0x53, 0x4E, 0x41, 0x50, 0x50, 0x59, 0x00, 0, 0, 0, 1, 0, 0, 0, 1]))
        #expect(try codec.decompress(framed, limit: input.count) == input)
        #expect(throws: CompressionError.outputLimitExceeded(.snappy, limit: input.count - 1)) {
            try codec.decompress(framed, limit: input.count - 1)
        }
    }

    @Test func compressionType_rawValuesAndNames_matchKafka() {
        #expect(CompressionType.allCases.map(\.rawValue) == [0, 1, 2, 3, 4])
        #expect(CompressionType.allCases.map(\.name) == ["none", "gzip", "snappy", "lz4", "zstd"])
        for type in CompressionType.allCases {
            #expect(CompressionType(name: type.name) == type)
        }
        #expect(CompressionType(name: "ZSTD") == nil)
        #expect(CompressionType(name: "producer") == nil)
    }

    @Test(arguments: CompressionType.allCases)
    func codecs_lookup_returnsCodecForThatType(type: CompressionType) {
        #expect(testCodecs.codec(for: type).id == type)
    }
}
