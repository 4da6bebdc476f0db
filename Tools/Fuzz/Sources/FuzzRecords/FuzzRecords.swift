// Fuzz target for the record formats: every input is treated as a `records` field and run
// through the batch splitter, the batch view, full record decoding and the legacy decoder.
//
// Any DecodeError is a correct outcome. A trap, an ASan report, or a broken invariant (the
// `fatalError`s below) is a finding. Checksums are checked on one pass and skipped on the
// others, because random bytes almost never carry a valid CRC and the fuzzer would otherwise
// never reach the record decoder.

import NIOCore
import TernPrimitives
import TernProtocol

/// Stands in for a real codec: returns the bytes unchanged, so compressed batches reach the
/// decoder of decompressed records. Fails on one codec so the error path is exercised too.
private func passthroughDecompress(_ codec: CompressionType, _ bytes: UnsafeRawBufferPointer) throws -> [UInt8] {
    struct Refused: Error {}
    if codec == .snappy { throw Refused() }
    return Array(bytes)
}

/// libFuzzer's entry point: runs one input through every record-format decoder.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzRecords(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let input = ByteBuffer(bytes: UnsafeBufferPointer(start: data, count: size))
    for partial in [RecordBatchSplitter.TrailingPartialBatch.allow, .reject] {
        for verifying in [true, false] {
            walk(input, partial: partial, verifying: verifying)
        }
    }
    _ = try? RecordBatchView(buffer: input)
    _ = try? LegacyMessage(decodingEntry: input, verifyingChecksum: false)
    _ = try? LegacyMessageSet.decode(input, verifyingChecksums: false)
    return 0
}

private func walk(_ input: ByteBuffer, partial: RecordBatchSplitter.TrailingPartialBatch, verifying: Bool) {
    var splitter = RecordBatchSplitter(records: input, trailingPartialBatch: partial, verifyingChecksums: verifying)
    while true {
        let before = splitter.bytesRemaining
        let entry: RecordsEntry?
        do {
            entry = try splitter.next()
        } catch {
            return
        }
        guard let entry else { break }
        // Every entry must consume input, or a caller's loop could spin forever.
        if splitter.bytesRemaining >= before { fatalError("splitter made no progress") }
        switch entry {
        case let .batch(view):
            if view.totalSize != before - splitter.bytesRemaining { fatalError("view size differs from bytes consumed") }
            checkBatch(view)
        case let .legacy(message):
            _ = try? message.innerMessages(decompress: passthroughDecompress)
        case let .partial(tail):
            if partial == .reject { fatalError("partial batch yielded in reject mode") }
            if tail.bytesAvailable != before { fatalError("partial batch does not cover the rest of the input") }
        }
    }
}

/// Decodes a batch's records, and for one that decodes, checks that encoding it and
/// decoding again gives the same batch.
private func checkBatch(_ view: RecordBatchView) {
    guard let batch = try? RecordBatch(view: view, decompress: passthroughDecompress) else { return }
    if batch.records.count != Int(view.recordCount) { fatalError("record count differs from header") }
    guard let encoded = try? batch.encoded() else { return }
    guard let again = try? RecordBatch(decoding: encoded) else {
        fatalError("re-encoded batch does not decode")
    }
    var expected = batch
    expected.attributes.compression = CompressionType.none
    if again != expected { fatalError("batch changed in an encode/decode round trip") }
}
