// Goal: magic 0 and 1 messages, as old clients send them, decode field for field, including
// compressed wrappers and their inner message sets. Method: build each entry byte by byte
// from the legacy layout with a bitwise reference CRC-32, then decode and compare.

import NIOCore
import TernPrimitives
import TernProtocol
import Testing

@Suite struct LegacyMessageTests {
    /// offset int64, size int32, crc uint32, magic, attributes, [timestamp], key, value.
    static func entry(
        offset: Int64, magic: Int8, attributes: Int8, timestamp: Int64? = nil, key: [UInt8]?, value: [UInt8]?
    ) -> [UInt8] {
        var wire = WireBytes()
        wire.int64(offset)
        wire.int32(0)                   // size, patched below
        wire.uint32(0)                  // crc, patched below
        wire.int8(magic)
        wire.int8(attributes)
        if let timestamp { wire.int64(timestamp) }
        for field in [key, value] {
            if let field {
                wire.int32(Int32(field.count))
                wire.raw(field)
            } else {
                wire.int32(-1)
            }
        }
        wire.patch(uint32: UInt32(wire.bytes.count - 12), at: 8)
        wire.patch(uint32: referenceCRC32(wire.bytes[16...]), at: 12)
        return wire.bytes
    }

    @Test func decode_v0Message_exposesFields() throws {
        let bytes = Self.entry(offset: 3, magic: 0, attributes: 0, key: Array("abc".utf8), value: nil)
        #expect(bytes.count == 12 + 17)
        let message = try LegacyMessage(decodingEntry: ByteBuffer(bytes: bytes))
        #expect(message.offset == 3)
        #expect(message.magic == 0)
        #expect(message.crc == referenceCRC32(bytes[16...]))
        #expect(message.timestamp == nil)
        #expect(message.timestampType == nil)
        #expect(message.key == ByteBuffer(string: "abc"))
        #expect(message.value == nil)
        #expect(!message.isCompressedWrapper)
        #expect(try message.innerMessages(decompress: ReversingCodec.decompress) == [message])
    }

    @Test func decode_v1Message_exposesTimestampAndType() throws {
        let bytes = Self.entry(
            offset: 8, magic: 1, attributes: 0x08, timestamp: 1_600_000_000_000, key: nil, value: Array("xyz".utf8)
        )
        #expect(bytes.count == 12 + 25)
        let message = try LegacyMessage(decodingEntry: ByteBuffer(bytes: bytes))
        #expect(message.offset == 8 && message.magic == 1)
        #expect(message.timestamp == 1_600_000_000_000)
        #expect(message.timestampType == .logAppendTime)
        #expect(message.key == nil)
        #expect(message.value == ByteBuffer(string: "xyz"))
        #expect(message.compression == CompressionType.none)
    }

    @Test func batchView_givenLegacyMessage_reportsWrongMagic() {
        let bytes = Self.entry(offset: 3, magic: 0, attributes: 0, key: nil, value: [1])
        #expect(throws: DecodeError.invalidValue("record batch magic 0, expected 2")) {
            try RecordBatchView(buffer: ByteBuffer(bytes: bytes))
        }
    }

    @Test func decode_corruptedByte_failsChecksum() {
        var bytes = Self.entry(offset: 0, magic: 1, attributes: 0, timestamp: 5, key: nil, value: Array("payload".utf8))
        bytes[bytes.count - 1] ^= 0x01
        #expect(throws: DecodeError.self) { try LegacyMessage(decodingEntry: ByteBuffer(bytes: bytes)) }
        #expect(throws: DecodeError.self) { try LegacyMessageSet.decode(ByteBuffer(bytes: bytes)) }
        #expect((try? LegacyMessage(decodingEntry: ByteBuffer(bytes: bytes), verifyingChecksum: false)) != nil)
    }

    @Test func decode_keyLengthPastMessageEnd_isRejected() {
        var bytes = Self.entry(offset: 0, magic: 0, attributes: 0, key: Array("ab".utf8), value: nil)
        bytes[18] = 0x7F   // key length's high byte (bytes 18–21): far past the end
        var wire = WireBytes()
        wire.raw(bytes)
        wire.patch(uint32: referenceCRC32(bytes[16...]), at: 12)
        #expect(throws: DecodeError.self) { try LegacyMessage(decodingEntry: wire.buffer) }
    }

    @Test func innerMessages_v1GzipWrapper_yieldsAbsoluteOffsets() throws {
        let inner = Self.entry(offset: 0, magic: 1, attributes: 0, timestamp: 100, key: nil, value: Array("a".utf8))
            + Self.entry(offset: 1, magic: 1, attributes: 0, timestamp: 101, key: Array("k".utf8), value: Array("b".utf8))
        let wrapper = Self.entry(
            offset: 10, magic: 1, attributes: 0x01, timestamp: 101, key: nil, value: ReversingCodec.compress(inner)
        )
        let message = try LegacyMessage(decodingEntry: ByteBuffer(bytes: wrapper))
        #expect(message.isCompressedWrapper)
        #expect(message.compression == .gzip)
        var codecSeen: CompressionType?
        let messages = try message.innerMessages { codec, bytes in
            codecSeen = codec
            return try ReversingCodec.decompress(codec, bytes)
        }
        #expect(codecSeen == .gzip)
        #expect(messages.map(\.offset) == [9, 10])
        #expect(messages.map(\.value) == [ByteBuffer(string: "a"), ByteBuffer(string: "b")])
        #expect(messages.map(\.timestamp) == [100, 101])
    }

    @Test func innerMessages_v0Wrapper_keepsAbsoluteOffsets() throws {
        let inner = Self.entry(offset: 20, magic: 0, attributes: 0, key: nil, value: Array("a".utf8))
            + Self.entry(offset: 21, magic: 0, attributes: 0, key: nil, value: Array("b".utf8))
        let wrapper = Self.entry(offset: 21, magic: 0, attributes: 0x02, key: nil, value: ReversingCodec.compress(inner))
        let message = try LegacyMessage(decodingEntry: ByteBuffer(bytes: wrapper))
        #expect(message.compression == .snappy)
        #expect(try message.innerMessages(decompress: ReversingCodec.decompress).map(\.offset) == [20, 21])
    }

    @Test func innerMessages_badWrappers_areRejected() throws {
        let v1Inner = Self.entry(offset: 0, magic: 1, attributes: 0, timestamp: 1, key: nil, value: [1])
        let v0Inner = Self.entry(offset: 0, magic: 0, attributes: 0, key: nil, value: [1])
        let nested = Self.entry(offset: 0, magic: 1, attributes: 0x01, timestamp: 1, key: nil, value: ReversingCodec.compress(v1Inner))
        let cases: [(String, [UInt8])] = [
            ("magic mismatch", Self.entry(offset: 0, magic: 1, attributes: 1, timestamp: 1, key: nil, value: ReversingCodec.compress(v0Inner))),
            ("nested compression", Self.entry(offset: 0, magic: 1, attributes: 1, timestamp: 1, key: nil, value: ReversingCodec.compress(nested))),
            ("null value", Self.entry(offset: 0, magic: 1, attributes: 1, timestamp: 1, key: nil, value: nil)),
            ("zstd in legacy", Self.entry(offset: 0, magic: 1, attributes: 4, timestamp: 1, key: nil, value: ReversingCodec.compress(v1Inner))),
            ("cut inner set", Self.entry(offset: 0, magic: 1, attributes: 1, timestamp: 1, key: nil, value: ReversingCodec.compress(Array(v1Inner.dropLast())))),
            ("decompressor fails", Self.entry(offset: 0, magic: 1, attributes: 1, timestamp: 1, key: nil, value: v1Inner)),
        ]
        for (name, bytes) in cases {
            let message = try LegacyMessage(decodingEntry: ByteBuffer(bytes: bytes))
            #expect(throws: DecodeError.self, "\(name)") { try message.innerMessages(decompress: ReversingCodec.decompress) }
        }
    }

    @Test func splitter_mixedLegacyAndV2_tellsThemApart() throws {
        let v0 = Self.entry(offset: 0, magic: 0, attributes: 0, key: nil, value: [7])
        let v1 = Self.entry(offset: 1, magic: 1, attributes: 0, timestamp: 9, key: nil, value: [8])
        var records = ByteBuffer(bytes: v0 + v1)
        records.writeBytes(RecordBatchGoldenTests.handBuiltBatch())
        let entries = try RecordBatchSplitter.entries(in: records)
        #expect(entries.count == 3)
        if case let .legacy(first) = entries[0], case let .legacy(second) = entries[1], case let .batch(third) = entries[2] {
            #expect(first.magic == 0 && second.magic == 1 && third.baseOffset == 5)
        } else {
            Issue.record("unexpected entries \(entries)")
        }
        #expect(try LegacyMessageSet.decode(ByteBuffer(bytes: v0 + v1)).map(\.value) == [ByteBuffer(bytes: [7]), ByteBuffer(bytes: [8])])
        #expect(throws: DecodeError.self) { try LegacyMessageSet.decode(records) }
    }
}
