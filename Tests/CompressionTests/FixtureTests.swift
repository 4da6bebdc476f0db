// Goal: we decode what other tools write, not only what we write ourselves.
// Method: small fixtures made once with the system CLIs (command in a comment beside each)
// and embedded as bytes; a xerial stream laid out by hand from snappy-java's format.

import Testing
import TernCompression
import TernPrimitives

@Suite struct FixtureTests {
    /// `printf 'tern gzip fixture\n' | gzip -9n | xxd -i`
    @Test func gzip_fromGzipCLI_decodes() throws {
        let fixture = hexBytes("""
            1f8b0800000000000203 2b492dca5348afca2c5048cbac28292d4ae50200 656de1ea12000000
            """)
        #expect(try GzipCodec().decompress(fixture, limit: 100) == Array("tern gzip fixture\n".utf8))
    }

    /// `(printf 'first member\n' | gzip -n; printf 'second member\n' | gzip -n) | xxd -i`
    @Test func gzip_twoMembersFromGzipCLI_decodeAsOneStream() throws {
        let fixture = hexBytes("""
            1f8b0800000000000003 4bcb2c2a2e51c84dcd4d4a2de20200 a7f4850a0d000000
            1f8b0800000000000003 2b4e4dcecf4b51c84dcd4d4a2de20200 36184b0e0e000000
            """)
        #expect(try GzipCodec().decompress(fixture, limit: 100) == Array("first member\nsecond member\n".utf8))
    }

    /// `python3 -c "import zlib,sys; sys.stdout.buffer.write(zlib.compress(b'tern zlib fixture\n'))" | xxd -i`
    @Test func gzipCodec_zlibWrappedInput_decodes() throws {
        let fixture = hexBytes("789c 2b492dca53a8cac94c5248cbac28292d4ae50200 421b06bc")
        #expect(try GzipCodec().decompress(fixture, limit: 100) == Array("tern zlib fixture\n".utf8))
    }

    /// `printf 'tern lz4 fixture\n' | lz4 -c | xxd -i` (FLG 0x64: content checksum on)
    @Test func lz4_fromLz4CLI_decodes() throws {
        let fixture = hexBytes("""
            04224d18 6440a7 11000080 7465726e206c7a342066697874757265 0a 00000000 fa29a2fb
            """)
        #expect(try LZ4FrameCodec().decompress(fixture, limit: 100) == Array("tern lz4 fixture\n".utf8))
    }

    /// `(printf 'frame one\n' | lz4 -c; printf 'frame two\n' | lz4 -c) | xxd -i`
    @Test func lz4_twoFramesFromLz4CLI_decodeAsOneStream() throws {
        let fixture = hexBytes("""
            04224d186440a70a000080 6672616d65206f6e650a 00000000 c48290ad
            04224d186440a70a000080 6672616d652074776f0a 00000000 18b5e3cc
            """)
        #expect(try LZ4FrameCodec().decompress(fixture, limit: 100) == Array("frame one\nframe two\n".utf8))
    }

    @Test func lz4_contentChecksumMismatch_throws() throws {
        var fixture = hexBytes("""
            04224d18 6440a7 11000080 7465726e206c7a342066697874757265 0a 00000000 fa29a2fb
            """)
        fixture[fixture.count - 1] ^= 0xFF
        #expect(throws: CompressionError.self) {
            try LZ4FrameCodec().decompress(fixture, limit: 100)
        }
    }

    /// `printf 'tern zstd fixture\n' | zstd -c | xxd -i`. Read from a pipe, the CLI cannot
    /// know the size, so like librdkafka's frames this one has no content size (FHD 0x04).
    @Test func zstd_fromZstdCLIWithoutContentSize_decodes() throws {
        let fixture = hexBytes("""
            28b52ffd 04 58 910000 7465726e207a7374642066697874757265 0a 1fd2a6d6
            """)
        #expect(try ZstdCodec().decompress(fixture, limit: 100) == Array("tern zstd fixture\n".utf8))
    }

    /// `printf 'tern zstd fixture\n' > f; zstd -c f | xxd -i`: the same data with the
    /// content size in the header (FHD 0x24).
    @Test func zstd_fromZstdCLIWithContentSize_decodes() throws {
        let fixture = hexBytes("""
            28b52ffd 24 12 910000 7465726e207a7374642066697874757265 0a 1fd2a6d6
            """)
        #expect(try ZstdCodec().decompress(fixture, limit: 100) == Array("tern zstd fixture\n".utf8))
        #expect(throws: CompressionError.outputLimitExceeded(.zstd, limit: 17)) {
            try ZstdCodec().decompress(fixture, limit: 17)
        }
    }

    /// Two xerial blocks laid out by hand: magic, version 1, compat 1, then
    /// [length, raw block] twice. The raw blocks are `snappy.compress(b'hello xerial')` and
    /// `snappy.compress(b'!')` from python-snappy.
    @Test func snappy_xerialFramedBlocks_decode() throws {
        let fixture = hexBytes("""
            82534e4150505900 00000001 00000001
            0000000e 0c2c68656c6c6f2078657269616c
            00000003 010021
            """)
        #expect(try SnappyCodec().decompress(fixture, limit: 100) == Array("hello xerial!".utf8))
    }

    @Test func snappy_rawBlockFromPythonSnappy_decodes() throws {
        let fixture = hexBytes("0c2c68656c6c6f2078657269616c")
        #expect(try SnappyCodec().decompress(fixture, limit: 100) == Array("hello xerial".utf8))
    }
}
