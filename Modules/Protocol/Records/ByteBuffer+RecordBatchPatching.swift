public import NIOCore

// In-place header patches for the broker's append path: the leader assigns offsets, stamps
// its leader epoch and, under LogAppendTime, overwrites the max timestamp, all without
// copying or re-encoding the batch.
//
// Only the max-timestamp patch recomputes the CRC. The CRC-32C covers attributes through
// the end of the batch, so baseOffset (bytes 0–7) and partitionLeaderEpoch (bytes 12–15)
// lie outside it and can change freely; maxTimestamp and the attributes lie inside it.
//
// `index` must be the start of a batch that `RecordBatchView` or `RecordBatchSplitter` has
// already validated. Patching anything else is our bug, so these trap instead of throwing.
extension ByteBuffer {
    /// Overwrites the baseOffset of the batch starting at `index`; the CRC stays valid.
    public mutating func setRecordBatchBaseOffset(_ baseOffset: Int64, batchAt index: Int) {
        requireBatchHeader(at: index)
        setInteger(baseOffset, at: index + RecordBatchHeader.Offset.baseOffset)
    }

    /// Overwrites the partitionLeaderEpoch of the batch starting at `index`; the CRC stays
    /// valid.
    public mutating func setRecordBatchPartitionLeaderEpoch(_ epoch: Int32, batchAt index: Int) {
        requireBatchHeader(at: index)
        setInteger(epoch, at: index + RecordBatchHeader.Offset.partitionLeaderEpoch)
    }

    /// Overwrites the maxTimestamp and the timestamp-type attribute of the batch starting at
    /// `index`, then recomputes its CRC, since both fields are covered by it.
    ///
    /// Returns the new CRC so a caller holding a decoded header can update it.
    @discardableResult
    public mutating func setRecordBatchMaxTimestamp(
        _ maxTimestamp: Int64, timestampType: TimestampType, batchAt index: Int
    ) -> UInt32 {
        requireBatchHeader(at: index)
        let attributesIndex = index + RecordBatchHeader.Offset.attributes
        var attributes = RecordBatchAttributes(rawValue: getInteger(at: attributesIndex, as: Int16.self) ?? 0)
        attributes.timestampType = timestampType
        setInteger(attributes.rawValue, at: attributesIndex)
        setInteger(maxTimestamp, at: index + RecordBatchHeader.Offset.maxTimestamp)
        return setRecordBatchCRC(batchAt: index)
    }

    /// Recomputes and stores the CRC-32C of the batch starting at `index`, returning it.
    @discardableResult
    public mutating func setRecordBatchCRC(batchAt index: Int) -> UInt32 {
        let end = requireBatchHeader(at: index)
        let crc = CRC32C.checksum(self, range: (index + RecordBatchHeader.Offset.attributes)..<end)
        setInteger(crc, at: index + RecordBatchHeader.Offset.crc)
        return crc
    }

    /// Checks that a whole batch lies at `index` and returns the index just past it.
    @discardableResult
    private func requireBatchHeader(at index: Int) -> Int {
        let length = getInteger(at: index + RecordBatchHeader.Offset.batchLength, as: Int32.self)
        let end = index + RecordBatchHeader.logOverhead + Int(length ?? 0)
        precondition(
            index >= readerIndex && length.map { $0 >= RecordBatchHeader.batchLengthMin } == true && end <= writerIndex,
            "no validated record batch at index \(index)"
        )
        return end
    }
}
