// Goal: the CRC-32C and CRC-32 code gives the standard answers, and the SSE4.2 and table
// paths agree for every length and alignment. Method: published check values, a bitwise
// reference implementation, and seeded random buffers at offsets 0–15 of a larger array.

import NIOCore
import TernPrimitives
import TernProtocol
import Testing

@Suite struct CRC32CTests {
    @Test func checksum_standardCheckString_matchesKnownAnswer() {
        let input = Array("123456789".utf8)
        #expect(CRC32C.checksum(input) == 0xE306_9283)
        #expect(input.withUnsafeBytes { CRC32C.softwareChecksum($0) } == 0xE306_9283)
        #expect(referenceCRC32C(input) == 0xE306_9283)
        #expect(CRC32IEEE.checksum(input) == 0xCBF4_3926)
        #expect(referenceCRC32(input) == 0xCBF4_3926)
    }

    @Test func checksum_rfc3720Vectors_matchKnownAnswers() {
        // The iSCSI test vectors for CRC-32C (RFC 3720, appendix B.4).
        #expect(CRC32C.checksum([UInt8](repeating: 0, count: 32)) == 0x8A91_36AA)
        #expect(CRC32C.checksum([UInt8](repeating: 0xFF, count: 32)) == 0x62A8_AB43)
        #expect(CRC32C.checksum((0..<32).map { UInt8($0) }) == 0x46DD_794E)
        #expect(CRC32C.checksum((0..<32).map { UInt8(31 - $0) }) == 0x113F_DB5C)
    }

    @Test func checksum_emptyInput_returnsSeed() {
        #expect(CRC32C.checksum([]) == 0)
        #expect(CRC32C.checksum([], seed: 0x1234) == 0x1234)
        #expect(CRC32IEEE.checksum([]) == 0)
    }

    @Test func hardware_isAvailableOnThisX86Machine() {
        // Everything Tern targets has SSE4.2; if this fails, the fast path silently is not used.
        #if arch(x86_64)
        #expect(CRC32C.isHardwareAccelerated)
        #endif
    }

    @Test func checksum_randomBuffers_hardwareSoftwareAndReferenceAgree() {
        var random = SeededRandom(seed: 0xC0FFEE)
        let pool = (0..<70_000).map { _ in UInt8.random(in: 0...255, using: &random) }
        pool.withUnsafeBytes { whole in
            // Past 3 KiB the hardware path runs three lanes of 1 KiB and joins them: lengths
            // around one and several such blocks, with tails of every size class.
            let lanes = [3071, 3072, 3073, 3079, 3080, 6143, 6144, 6151, 9216, 16_361, 16_384, 65_536 + 7]
            for length in Array(0...80) + [127, 128, 129, 1000, 4095, 4096, 4097, 4900] + lanes {
                for alignment in 0..<16 {
                    let slice = UnsafeRawBufferPointer(rebasing: whole[alignment..<(alignment + length)])
                    let software = CRC32C.softwareChecksum(slice)
                    #expect(CRC32C.checksum(slice) == software, "length \(length) alignment \(alignment)")
                    if let hardware = CRC32C.hardwareChecksum(slice) {
                        #expect(hardware == software, "length \(length) alignment \(alignment)")
                    }
                    if lanes.contains(length), let seeded = CRC32C.hardwareChecksum(slice, seed: 0xDEAD_BEEF) {
                        #expect(seeded == CRC32C.softwareChecksum(slice, seed: 0xDEAD_BEEF), "seeded, length \(length)")
                    }
                    if alignment == 0 && length <= 129 {
                        #expect(software == referenceCRC32C(slice), "length \(length)")
                        #expect(CRC32IEEE.checksum(slice) == referenceCRC32(slice), "length \(length)")
                    }
                }
            }
        }
    }

    @Test func checksum_chainedPieces_equalsWhole() {
        var random = SeededRandom(seed: 99)
        let bytes = (0..<1000).map { _ in UInt8.random(in: 0...255, using: &random) }
        for split in [0, 1, 7, 8, 9, 500, 999, 1000] {
            let first = CRC32C.checksum(Array(bytes[..<split]))
            #expect(CRC32C.checksum(Array(bytes[split...]), seed: first) == CRC32C.checksum(bytes))
            let firstIEEE = CRC32IEEE.checksum(Array(bytes[..<split]))
            #expect(CRC32IEEE.checksum(Array(bytes[split...]), seed: firstIEEE) == CRC32IEEE.checksum(bytes))
        }
    }

    @Test func checksum_byteBufferRange_usesAbsoluteIndices() {
        var buffer = ByteBuffer(bytes: Array("xx123456789yy".utf8))
        #expect(CRC32C.checksum(buffer, range: 2..<11) == 0xE306_9283)
        buffer.moveReaderIndex(forwardBy: 2)
        #expect(CRC32C.checksum(buffer, range: 2..<11) == 0xE306_9283)
        #expect(CRC32IEEE.checksum(buffer, range: 2..<11) == 0xCBF4_3926)
        let slice = buffer.getSlice(at: 2, length: 9) ?? ByteBuffer()
        #expect(CRC32C.checksum(slice) == 0xE306_9283)
    }
}
