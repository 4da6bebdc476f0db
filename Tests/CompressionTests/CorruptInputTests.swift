// Goal: no input makes a decoder crash, hang or return more than its limit, and damaged
// data is reported as an error rather than decoded as something else.
// Method: seeded garbage, with and without each format's magic in front; every strict
// prefix of valid outputs (each must throw, because every format here marks its end); single
// bit flips across valid outputs (must throw or stay within the limit); trailing bytes.

import Testing
import TernCompression
import TernPrimitives

/// The first bytes of each format, so garbage gets past the magic check and into the decoder.
private let magics: [CompressionType: [UInt8]] = [
    .gzip: [0x1F, 0x8B, 0x08, 0x00],
    .snappy: [0x82, 0x53, 0x4E, 0x41, 0x50, 0x50, 0x59, 0x00, 0, 0, 0, 1, 0, 0, 0, 1],
    .lz4: [0x04, 0x22, 0x4D, 0x18, 0x60, 0x40, 0x82],
    .zstd: [0x28, 0xB5, 0x2F, 0xFD, 0x00, 0x38],
]

/// A limit small enough that a runaway decode would hit it, large enough for real data.
private let garbageLimit = 4 * 1024 * 1024

@Suite struct CorruptInputTests {
    @Test(arguments: [CompressionType.gzip, .lz4, .zstd])
    func decompress_garbageWithoutMagic_throws(type: CompressionType) {
        var generator = SplitMix64(state: UInt64(type.rawValue) * 1_000)
        let codec = testCodecs.codec(for: type)
        for round in 0..<300 {
            var garbage = randomBytes(count: 1 + generator.next(below: 3_000), seed: generator.next())
            // No gzip, zlib, LZ4 or zstd stream starts with a zero byte. Random bytes almost
            // never match a magic anyway, but "almost" is not a test.
            garbage[0] = 0x00
            #expect(throws: CompressionError.self, "round \(round)") {
                try codec.decompress(garbage, limit: garbageLimit)
            }
        }
    }

    @Test(arguments: compressingTypes)
    func decompress_garbageAfterMagic_neverCrashesOrOverruns(type: CompressionType) throws {
        var generator = SplitMix64(state: 77 + UInt64(type.rawValue))
        let codec = testCodecs.codec(for: type)
        let magic = try #require(magics[type])
        var rejected = 0
        for _ in 0..<500 {
            let garbage = magic + randomBytes(count: generator.next(below: 2_000), seed: generator.next())
            do {
                let output = try codec.decompress(garbage, limit: garbageLimit)
                #expect(output.count <= garbageLimit)
            } catch {
                rejected += 1
            }
        }
        // Random bytes after a valid magic are almost never a valid stream.
        #expect(rejected >= 490)
    }

    @Test(arguments: compressingTypes)
    func decompress_everyStrictPrefix_throws(type: CompressionType) throws {
        let codec = testCodecs.codec(for: type)
        let input = recordText(bytes: 3_000) + randomBytes(count: 500, seed: 5)
        let compressed = try codec.compress(input)
        for length in 0..<compressed.count {
            #expect(throws: CompressionError.self, "prefix of \(length) of \(compressed.count) bytes") {
                try codec.decompress(Array(compressed.prefix(length)), limit: input.count)
            }
        }
    }

    @Test(arguments: compressingTypes)
    func decompress_truncatedMultiBlockStream_throws(type: CompressionType) throws {
        let codec = testCodecs.codec(for: type)
        let input = Payload.random100KiB.bytes + Payload.repetitive100KiB.bytes + Payload.random100KiB.bytes
        let compressed = try codec.compress(input)
        var generator = SplitMix64(state: 9)
        for _ in 0..<40 {
            let length = generator.next(below: compressed.count)
            #expect(throws: CompressionError.self, "prefix of \(length) of \(compressed.count) bytes") {
                try codec.decompress(Array(compressed.prefix(length)), limit: input.count)
            }
        }
    }

    @Test(arguments: compressingTypes)
    func decompress_singleBitFlips_throwOrStayBounded(type: CompressionType) throws {
        let codec = testCodecs.codec(for: type)
        let input = recordText(bytes: 20_000)
        let compressed = try codec.compress(input)
        var generator = SplitMix64(state: 31)
        for _ in 0..<400 {
            var damaged = compressed
            let bit = generator.next(below: damaged.count * 8)
            damaged[bit / 8] ^= 1 << UInt8(bit % 8)
            do {
                let output = try codec.decompress(damaged, limit: input.count)
                #expect(output.count <= input.count)
            } catch {
                // Refusing damaged input is the expected outcome.
            }
        }
    }

    @Test func gzip_bitFlipInDeflateData_isCaughtByCRC() throws {
        let codec = GzipCodec()
        let input = recordText(bytes: 20_000)
        let compressed = try codec.compress(input)
        // Bytes 10 ..< count-8 are deflate data; gzip's CRC-32 trailer catches any change
        // there that still inflates.
        for index in stride(from: 10, to: compressed.count - 8, by: 37) {
            var damaged = compressed
            damaged[index] ^= 0x10
            #expect(throws: CompressionError.self, "byte \(index)") {
                try codec.decompress(damaged, limit: input.count)
            }
        }
    }

    @Test(arguments: [CompressionType.gzip, .lz4, .zstd])
    func decompress_validStreamThenTrailingGarbage_throws(type: CompressionType) throws {
        let codec = testCodecs.codec(for: type)
        let compressed = try codec.compress(recordText(bytes: 1_000))
        #expect(throws: CompressionError.self) {
            try codec.decompress(compressed + [0x00, 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07], limit: 10_000)
        }
    }

    @Test func snappyXerial_cutMidBlock_throws_cutAtBlockBoundary_decodesWholeBlocks() throws {
        let codec = SnappyCodec()
        let input = recordText(bytes: 10_000)
        let framed = try codec.compressXerial(input, blockBytes: 4_000)
        // Header only: a valid, empty stream.
        #expect(try codec.decompress(Array(framed.prefix(16)), limit: input.count) == [])
        // Inside the header, inside a length field, inside a block: all corrupt.
        for length in [9, 15, 17, 19, 21, framed.count - 1] {
            #expect(throws: CompressionError.self, "prefix of \(length)") {
                try codec.decompress(Array(framed.prefix(length)), limit: input.count)
            }
        }
        // At a block boundary the framing cannot tell, so whole blocks decode; Kafka's batch
        // CRC and record count are what catch such a cut.
        let firstBlockLength = framed[16..<20].reduce(0) { $0 << 8 | Int($1) }
        let oneBlock = Array(framed.prefix(20 + firstBlockLength))
        #expect(try codec.decompress(oneBlock, limit: input.count) == Array(input.prefix(4_000)))
    }

    @Test func snappyXerial_blockLengthPastEnd_throws() {
        let header: [UInt8] = [0x82, 0x53, 0x4E, 0x41, 0x50, 0x50, 0x59, 0x00, 0, 0, 0, 1, 0, 0, 0, 1]
        let claimsTooMuch = header + [0x7F, 0xFF, 0xFF, 0xFF, 0x01, 0x00, 0x41]
        #expect(throws: CompressionError.self) {
            try SnappyCodec().decompress(claimsTooMuch, limit: garbageLimit)
        }
    }

    @Test(arguments: compressingTypes)
    func decompress_emptyInput_throwsCorrupt(type: CompressionType) {
        // Every real format has at least a header; zero bytes can only be a broken batch.
        #expect(throws: CompressionError.self) {
            try testCodecs.codec(for: type).decompress([], limit: garbageLimit)
        }
    }
}
