// snappy-java's stream framing ("xerial"), which the Kafka Java client uses for snappy.
//
// Layout, all integers big-endian:
//   magic   8 bytes  82 53 4E 41 50 50 59 00   ("\x82SNAPPY\0")
//   version 4 bytes  (snappy-java writes 1)
//   compat  4 bytes  (snappy-java writes 1)
//   then, until the input ends: length 4 bytes, followed by `length` bytes of one raw block.
// Version and compat are not checked: readers in the wild ignore them too, and a batch that
// differs only there still decodes correctly.

extension SnappyCodec {
    /// The first 8 bytes of a xerial-framed stream.
    static let xerialMagic: [UInt8] = [0x82, 0x53, 0x4E, 0x41, 0x50, 0x50, 0x59, 0x00]
    /// Magic, version and compat fields.
    static let xerialHeaderBytes = 16
    /// snappy-java's default block size, used when framing for tests and tools.
    public static let xerialBlockBytesDefault = 32 * 1024

    /// Wraps `input` in xerial framing, as the Kafka Java client would, cutting it into raw
    /// blocks of `blockBytes` uncompressed bytes.
    ///
    /// The broker never needs this (it writes raw snappy); it exists so tests and tools can
    /// produce what Java producers send.
    public func compressXerial(
        _ input: [UInt8], blockBytes: Int = SnappyCodec.xerialBlockBytesDefault
    ) throws(CompressionError) -> [UInt8] {
        precondition(blockBytes > 0, "xerial block size must be positive")
        var output = Self.xerialMagic
        output += [0, 0, 0, 1, 0, 0, 0, 1]  // version 1, compat 1
        var start = 0
        while start < input.count {
            let end = min(input.count, start + blockBytes)
            let result = input[start..<end].withUnsafeBytes { raw in
                Result { () throws(CompressionError) in try compressBlock(raw) }
            }
            let block = try result.get()
            guard block.count <= Int(Int32.max) else {
                throw .inputTooLarge(id, bytes: end - start, max: Int(Int32.max))
            }
            let length = UInt32(block.count)
            output += [24, 16, 8, 0].map { UInt8(truncatingIfNeeded: length >> $0) }  // big-endian
            output += block
            start = end
        }
        return output
    }

    /// True if `input` starts with the xerial magic.
    static func hasXerialMagic(_ input: UnsafeRawBufferPointer) -> Bool {
        input.count >= xerialMagic.count && input.prefix(xerialMagic.count).elementsEqual(xerialMagic)
    }

    /// Decodes a xerial stream in two passes: the first reads every block's declared length
    /// and checks the total against `limit`, the second allocates once and decodes into it.
    func decompressXerial(_ input: UnsafeRawBufferPointer, limit: Int) throws(CompressionError) -> [UInt8] {
        guard input.count >= Self.xerialHeaderBytes else {
            throw .corruptInput(id, reason: "truncated xerial header")
        }
        var total = 0
        try forEachXerialBlock(input) { (block) throws(CompressionError) in
            total += try uncompressedLength(of: block)
            guard total <= limit else { throw .outputLimitExceeded(id, limit: limit) }
        }
        var failure: CompressionError?
        let output = [UInt8](unsafeUninitializedCapacity: total) { buffer, initialized in
            let destination = UnsafeMutableRawBufferPointer(buffer)
            var offset = 0
            do throws(CompressionError) {
                try forEachXerialBlock(input) { (block) throws(CompressionError) in
                    let length = try uncompressedLength(of: block)
                    let slot = UnsafeMutableRawBufferPointer(rebasing: destination[offset..<offset + length])
                    try uncompressBlock(block, into: slot)
                    offset += length
                }
                initialized = total
            } catch {
                failure = error
                initialized = 0
            }
        }
        if let failure { throw failure }
        return output
    }

    /// Calls `body` with each block of a xerial stream, checking every length prefix against
    /// the bytes that remain.
    private func forEachXerialBlock(
        _ input: UnsafeRawBufferPointer, _ body: (UnsafeRawBufferPointer) throws(CompressionError) -> Void
    ) throws(CompressionError) {
        var offset = Self.xerialHeaderBytes
        while offset < input.count {
            guard input.count - offset >= 4 else {
                throw .corruptInput(id, reason: "truncated xerial block length at offset \(offset)")
            }
            let length = input[offset..<offset + 4].reduce(0) { $0 << 8 | Int($1) }
            offset += 4
            guard length <= input.count - offset else {
                throw .corruptInput(id, reason: "xerial block of \(length) bytes overruns the input at \(offset)")
            }
            try body(UnsafeRawBufferPointer(rebasing: input[offset..<offset + length]))
            offset += length
        }
    }
}
