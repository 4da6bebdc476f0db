public import NIOCore

/// The bounds of a log.
public struct LogOffsets: Hashable, Sendable {
    /// The first offset still kept.
    public var logStartOffset: Int64
    /// The offset the next appended record will get.
    public var logEndOffset: Int64

    /// Creates bounds.
    public init(logStartOffset: Int64, logEndOffset: Int64) {
        self.logStartOffset = logStartOffset
        self.logEndOffset = logEndOffset
    }
}

/// Batches to append and how their offsets are set.
public struct LogAppend: Sendable {
    /// One or more whole v2 batches, back to back, as the producer (or leader) sent them.
    public var batches: ByteBuffer
    /// How offsets, epochs and timestamps are stamped.
    public var origin: Origin
    /// What the log checks of the batches before writing them.
    public var validation: Validation

    /// Who is appending.
    public enum Origin: Hashable, Sendable {
        /// The partition leader: offsets are assigned from the log end, the leader epoch is
        /// stamped into each batch, and with `logAppendTime` (LogAppendTime topics) every
        /// batch's timestamp becomes that time.
        case leader(epoch: Int32, logAppendTime: Int64?)
        /// A follower copying the leader, or a restore: offsets are kept. The first batch
        /// must start at or after the log end (a compacted leader log has gaps, so a
        /// follower's next batch may start later), and offsets must increase.
        case replica
    }

    /// How much of each batch the log verifies. The framing (lengths, offset deltas,
    /// replica offsets) is always checked, as it costs a few header reads per batch and a
    /// wrong length would misplace every later batch; the CRC pass over every byte is the
    /// part a caller that already ran it can waive.
    public enum Validation: Hashable, Sendable {
        /// Framing and each batch's CRC32C: the default, for callers that checked nothing.
        case full
        /// Framing only. The caller has verified every batch's CRC over exactly these bytes
        /// (a produce handler validating the request, a follower checking what it fetched),
        /// so the log does not compute it again; the log then serves those bytes as
        /// verified, so a false claim stores and serves a corrupt batch.
        case crcVerifiedByCaller
    }

    /// Creates an append; `validation` defaults to checking every batch's CRC.
    public init(batches: ByteBuffer, origin: Origin, validation: Validation = .full) {
        self.batches = batches
        self.origin = origin
        self.validation = validation
    }
}

/// What an append did.
public struct LogAppendInfo: Hashable, Sendable {
    /// The first offset assigned (or kept).
    public var firstOffset: Int64
    /// The last offset assigned (or kept).
    public var lastOffset: Int64
    /// The largest timestamp among the appended batches.
    public var maxTimestamp: Int64
    /// The log append time stamped into the batches, or -1 when CreateTime is kept.
    public var logAppendTime: Int64
    /// The log start offset after the append.
    public var logStartOffset: Int64
    /// How many records were appended.
    public var recordCount: Int

    /// Creates a result.
    public init(firstOffset: Int64, lastOffset: Int64, maxTimestamp: Int64, logAppendTime: Int64, logStartOffset: Int64, recordCount: Int) {
        self.firstOffset = firstOffset
        self.lastOffset = lastOffset
        self.maxTimestamp = maxTimestamp
        self.logAppendTime = logAppendTime
        self.logStartOffset = logStartOffset
        self.recordCount = recordCount
    }
}

/// A read of whole batches.
public struct LogReadRequest: Hashable, Sendable {
    /// The offset to read from; the batch containing it is the first returned.
    public var fetchOffset: Int64
    /// Stop before the batch that would take the result past this many bytes.
    public var maxBytes: Int
    /// Only batches whose base offset is below this (the high watermark or last stable
    /// offset for consumers); nil = up to the log end.
    public var maxOffset: Int64?
    /// Return the first batch even when it alone exceeds `maxBytes` (KIP-74), so a consumer
    /// can always make progress.
    public var minOneBatch: Bool

    /// Creates a read.
    public init(fetchOffset: Int64, maxBytes: Int, maxOffset: Int64? = nil, minOneBatch: Bool = true) {
        self.fetchOffset = fetchOffset
        self.maxBytes = maxBytes
        self.maxOffset = maxOffset
        self.minOneBatch = minOneBatch
    }
}

/// Whole batches, as stored, ready to be sent.
public struct LogReadResult: Sendable {
    /// The batches' bytes, in order: in-memory buffers or ranges of segment files.
    public var slices: [LogSlice]
    /// The log bounds at the time of the read.
    public var offsets: LogOffsets

    /// Creates a result.
    public init(slices: [LogSlice], offsets: LogOffsets) {
        self.slices = slices
        self.offsets = offsets
    }

    /// The total size of the slices.
    public var byteCount: Int { slices.reduce(0) { $0 + $1.byteCount } }

    /// The slices copied into one buffer (tests, tools, TLS connections).
    public func readAllBytes() throws(LogStoreError) -> ByteBuffer {
        var out = ByteBuffer()
        out.reserveCapacity(byteCount)
        for slice in slices {
            var bytes = try slice.readBytes()
            out.writeBuffer(&bytes)
        }
        return out
    }
}

/// A contiguous run of whole batches.
public enum LogSlice: Sendable {
    /// Bytes in memory.
    case bytes(ByteBuffer)
    /// A byte range of a segment file, which a transport can send with `sendfile`.
    case file(FileSlice)

    /// The slice's size in bytes.
    public var byteCount: Int {
        switch self {
        case let .bytes(buffer): buffer.readableBytes
        case let .file(slice): slice.length
        }
    }

    /// The slice's bytes in memory.
    public func readBytes() throws(LogStoreError) -> ByteBuffer {
        switch self {
        case let .bytes(buffer): buffer
        case let .file(slice): try slice.readBytes()
        }
    }
}

/// A record's offset and timestamp, as ListOffsets answers.
public struct TimestampOffset: Hashable, Sendable {
    /// The record's timestamp.
    public var timestamp: Int64
    /// The record's offset.
    public var offset: Int64
    /// The leader epoch of the batch holding it.
    public var leaderEpoch: Int32

    /// Creates a pair.
    public init(timestamp: Int64, offset: Int64, leaderEpoch: Int32) {
        self.timestamp = timestamp
        self.offset = offset
        self.leaderEpoch = leaderEpoch
    }
}

/// One entry of the leader-epoch cache.
public struct LeaderEpochEntry: Hashable, Sendable {
    /// The leader epoch.
    public var epoch: Int32
    /// Where it starts (in the cache) or ends (as an OffsetForLeaderEpoch answer).
    public var offset: Int64

    /// Creates an entry.
    public init(epoch: Int32, offset: Int64) {
        self.epoch = epoch
        self.offset = offset
    }
}

/// What retention removed.
public struct RetentionResult: Hashable, Sendable {
    /// Segments deleted.
    public var segmentsDeleted: Int
    /// Bytes freed.
    public var bytesDeleted: Int64
    /// The log start offset afterwards.
    public var logStartOffset: Int64

    /// Creates a result.
    public init(segmentsDeleted: Int, bytesDeleted: Int64, logStartOffset: Int64) {
        self.segmentsDeleted = segmentsDeleted
        self.bytesDeleted = bytesDeleted
        self.logStartOffset = logStartOffset
    }
}

/// What a compaction pass did.
public struct CompactionResult: Hashable, Sendable {
    /// Records examined.
    public var recordsRead: Int
    /// Records dropped (superseded, or tombstones past `delete.retention.ms`).
    public var recordsRemoved: Int
    /// Bytes before and after.
    public var bytesBefore: Int64
    public var bytesAfter: Int64

    /// Creates a result.
    public init(recordsRead: Int, recordsRemoved: Int, bytesBefore: Int64, bytesAfter: Int64) {
        self.recordsRead = recordsRead
        self.recordsRemoved = recordsRemoved
        self.bytesBefore = bytesBefore
        self.bytesAfter = bytesAfter
    }
}
