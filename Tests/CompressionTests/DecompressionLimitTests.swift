// Goal: decompression bombs are refused without the memory they ask for.
// Method: compress 50 MiB of zeros with each codec and decompress with a 1 MiB limit; feed
// a hand-built zstd frame of RLE blocks that expands 128 KiB into 4 GiB and check it is
// refused quickly and without the process's peak memory rising anywhere near 4 GiB; check
// that sizes declared inside the input (zstd content size, snappy length headers) are
// checked against the limit and against what the input could possibly hold.

import Glibc
import Testing
import TernCompression
import TernPrimitives

/// The limit the bomb tests decompress with.
private let bombLimit = 1024 * 1024

@Suite(.serialized) struct DecompressionLimitTests {
    @Test(arguments: CompressionType.allCases)
    func decompress_fiftyMiBOfZeros_withOneMiBLimit_throwsLimitExceeded(type: CompressionType) throws {
        let codec = testCodecs.codec(for: type)
        let compressed = try codec.compress([UInt8](repeating: 0, count: 50 * 1024 * 1024), level: nil)
        #expect(throws: CompressionError.outputLimitExceeded(type, limit: bombLimit)) {
            try codec.decompress(compressed, limit: bombLimit)
        }
    }

    @Test(.timeLimit(.minutes(1)))
    func decompress_zstdFrameExpandingToFourGiB_isRefusedWithBoundedMemory() throws {
        let bomb = zstdRLEBomb(blocks: 32 * 1024)  // 32 Ki blocks x 128 KiB = 4 GiB
        #expect(bomb.count < 200 * 1024)
        let peakBefore = peakResidentBytes()
        #expect(throws: CompressionError.outputLimitExceeded(.zstd, limit: bombLimit)) {
            try ZstdCodec().decompress(bomb, limit: bombLimit)
        }
        // An unbounded decoder would need 4 GiB for the output alone. The margin covers
        // other tests running at the same time.
        #expect(peakResidentBytes() - peakBefore < 1024 * 1024 * 1024)
    }

    @Test func decompress_zstdRLEBombWithinLimit_decodesExactly() throws {
        // The same hand-built frame, small enough to accept, proves the bomb is well formed
        // and that the refusal above is the limit, not a parse error.
        let output = try ZstdCodec().decompress(zstdRLEBomb(blocks: 3), limit: 3 * 128 * 1024)
        #expect(output == [UInt8](repeating: 0x41, count: 3 * 128 * 1024))
    }

    @Test func decompress_zstdDeclaredSizeOverLimit_throwsBeforeDecoding() throws {
        let codec = ZstdCodec()
        let compressed = try codec.compress(Payload.repetitive3MiB.bytes)
        #expect(throws: CompressionError.outputLimitExceeded(.zstd, limit: bombLimit)) {
            try codec.decompress(compressed, limit: bombLimit)
        }
    }

    @Test func decompress_snappyLengthHeaderImpossibleForInputSize_throwsCorrupt() {
        // Varint 0x40000000 (1 GiB) followed by one literal byte: no 6-byte block can expand
        // that far, so it is corrupt even though the limit would allow it.
        let block: [UInt8] = [0x80, 0x80, 0x80, 0x80, 0x04, 0x00, 0x41]
        let error = #expect(throws: CompressionError.self) {
            try SnappyCodec().decompress(block, limit: 2 * 1024 * 1024 * 1024)
        }
        guard case .corruptInput(.snappy, _)? = error else {
            Issue.record("expected corruptInput, got \(String(describing: error))")
            return
        }
    }

    @Test func decompress_xerialBlocksSummingPastLimit_throwsBeforeAllocating() throws {
        let codec = SnappyCodec()
        let input = [UInt8](repeating: 0x61, count: 3 * bombLimit)
        let framed = try codec.compressXerial(input, blockBytes: 64 * 1024)
        #expect(throws: CompressionError.outputLimitExceeded(.snappy, limit: bombLimit)) {
            try codec.decompress(framed, limit: bombLimit)
        }
    }
}

/// A zstd frame of `blocks` RLE blocks of 128 KiB each, built by hand from the format
/// (RFC 8878): magic, a frame header with no content size and a 128 KiB window, then
/// 4 bytes per block (3-byte header + the byte to repeat). This is the densest zstd there
/// is, and needs no compressor to make.
func zstdRLEBomb(blocks: Int) -> [UInt8] {
    var frame: [UInt8] = [0x28, 0xB5, 0x2F, 0xFD]
    frame.append(0x00)  // FHD: no content size, not single-segment, no checksum, no dictionary
    frame.append(0x38)  // window descriptor: exponent 7, mantissa 0 -> 2^17 = 128 KiB
    let blockSize: UInt32 = 128 * 1024
    for index in 0..<blocks {
        let last: UInt32 = index == blocks - 1 ? 1 : 0
        let header = blockSize << 3 | 1 << 1 | last  // Block_Type 1 = RLE
        frame += [UInt8(header & 0xFF), UInt8((header >> 8) & 0xFF), UInt8((header >> 16) & 0xFF), 0x41]
    }
    return frame
}

/// The process's peak resident set so far, in bytes.
private func peakResidentBytes() -> Int {
    var usage = rusage()
    getrusage(RUSAGE_SELF.rawValue, &usage)
    return usage.ru_maxrss * 1024  // Linux reports kilobytes
}
