#if canImport(Glibc)
import Glibc
#endif
import NIOCore
import TernPrimitives

// The aborted-transaction index on disk: one file per partition, `aborted-transactions.txnindex`,
// in Kafka's `.txnindex` entry layout (see `AbortedTransactionIndex`). Kafka keeps one such
// file per segment so retention deletes entries with their segment; here the whole partition
// shares one, read into memory on first use, and entries whose marker falls below the log start
// are dropped when the log start moves (retention, DeleteRecords) and when the file is read.
// Appends are not fsynced, as Kafka's are not: a
// torn or missing tail is rebuilt by the broker's replay of the log after a crash.
extension SegmentedPartitionLog {
    /// The file name of the partition's aborted-transaction index.
    static let abortedTransactionsFileName = "aborted-transactions.txnindex"

    var abortedTransactionsPath: String { directory + "/" + Self.abortedTransactionsFileName }

    func appendAbortedTransaction(_ transaction: AbortedTransaction) throws(LogStoreError) {
        try requireOpen()
        var index = try loadedAbortedTransactions()
        guard index.append(transaction) else { return }
        var bytes = ByteBuffer()
        AbortedTransactionIndex.encode(transaction, into: &bytes)
        let path = abortedTransactionsPath
        let descriptor = try POSIXFile.open(path, flags: O_WRONLY | O_CREAT)
        defer { _ = Glibc.close(descriptor) }
        // Written at the end of the whole entries, so a torn entry left by a crash is overwritten.
        let position = Int64(index.entries.count - 1) * Int64(AbortedTransactionIndex.entrySize)
        try bytes.readableBytesView.withUnsafeBytes { raw in
            Result { () throws(LogStoreError) in try POSIXFile.writeAll(descriptor, raw, at: position, path: path) }
        }.get()
        abortedTransactionIndex = index
    }

    func abortedTransactions(from startOffset: Int64, upTo upperBound: Int64) throws(LogStoreError) -> [AbortedTransaction] {
        try requireOpen()
        return try loadedAbortedTransactions().overlapping(from: startOffset, upTo: upperBound)
    }

    /// Drops the entries whose marker lies at or after `offset`, and those below the log
    /// start, rewriting the file (temporary file and rename) when anything changed.
    func truncateAbortedTransactions(from offset: Int64) throws(LogStoreError) {
        var index = try loadedAbortedTransactions()
        let before = index.entries.count
        index.truncate(from: offset)
        index.removeBefore(logStartOffset)
        guard index.entries.count != before else { return }
        let path = abortedTransactionsPath
        let temporary = path + ".tmp"
        let descriptor = try POSIXFile.open(temporary, flags: O_WRONLY | O_CREAT | O_TRUNC)
        do throws(LogStoreError) {
            try index.encoded.readableBytesView.withUnsafeBytes { raw in
                Result { () throws(LogStoreError) in try POSIXFile.writeAll(descriptor, raw, at: 0, path: temporary) }
            }.get()
        } catch {
            _ = Glibc.close(descriptor)
            try? POSIXFile.remove(temporary)
            throw error
        }
        _ = Glibc.close(descriptor)
        try POSIXFile.rename(temporary, to: path)
        abortedTransactionIndex = index
    }

    /// Drops the entries whose abort marker lies below the log start, as Kafka's go with
    /// the segment holding their marker; rewrites the file only when one is dropped.
    func dropAbortedTransactionsBelowLogStart() throws(LogStoreError) {
        try truncateAbortedTransactions(from: .max)
    }

    /// The index, read from its file on first use.
    private func loadedAbortedTransactions() throws(LogStoreError) -> AbortedTransactionIndex {
        if let abortedTransactionIndex { return abortedTransactionIndex }
        let path = abortedTransactionsPath
        var index = AbortedTransactionIndex()
        if case let .bytes(bytes) = try POSIXFile.readSmallFile(path: path, sizeMax: Int.max), !bytes.isEmpty {
            index = AbortedTransactionIndex(decoding: ByteBuffer(bytes: bytes))
            // Markers past the log end were lost with their batches in a crash; those below
            // the log start may outlive a crash between moving the start and rewriting.
            index.truncate(from: logEndOffset)
            index.removeBefore(logStartOffset)
        }
        abortedTransactionIndex = index
        return index
    }
}
