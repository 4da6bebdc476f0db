import NIOCore
import TernPrimitives
import TernProtocol

// The records of a node's log file. The file is append-only between compactions, and every part
// of a `PersistRequest` lands in it as its own record in the request's order (truncate, hard
// state, entries), so the order the core requires across parts is simply the file's order. Each
// record carries a CRC-32C of its body: a crash mid-write leaves a final record that is short or
// fails its checksum, and recovery cuts the file there, keeping a prefix of what was written,
// which is exactly the torn write the core is built to survive.
//
//   record: length u32 (of body) | crc32c u32 (of body) | body
//   body:   kind u8 = 1 hard state: term u64, voted u8 (0/1), votedFor i32
//           kind u8 = 2 entry:      index u64, term u64, entry kind u8, data (rest of body)
//           kind u8 = 3 truncate:   from u64

/// One record of the log file.
enum RaftLogRecord: Hashable, Sendable {
    case hardState(HardState)
    case entry(LogEntry)
    case truncate(from: LogIndex)

    /// Bytes before the body: its length and checksum.
    static let headerBytes = 8
    /// The largest body, for an entry of `entryBytesMax` bytes.
    static func bodyBytesMax(limits: RaftLimits) -> Int { limits.entryBytesMax + 32 }

    private enum Kind: UInt8 {
        case hardState = 1, entry, truncate
    }

    /// Appends the framed record to `buffer`.
    func encode(into buffer: inout ByteBuffer) {
        let lengthAt = buffer.writerIndex
        buffer.writeInteger(UInt32(0))
        buffer.writeInteger(UInt32(0))
        let bodyAt = buffer.writerIndex
        switch self {
        case let .hardState(state):
            buffer.writeInteger(Kind.hardState.rawValue)
            buffer.writeInteger(state.term.rawValue)
            buffer.writeInteger(state.votedFor == nil ? 0 : 1 as UInt8)
            buffer.writeInteger(state.votedFor?.rawValue ?? 0)
        case let .entry(entry):
            buffer.writeInteger(Kind.entry.rawValue)
            buffer.writeInteger(entry.index.rawValue)
            buffer.writeInteger(entry.term.rawValue)
            buffer.writeInteger(entry.kind.rawValue)
            buffer.writeBytes(entry.data)
        case let .truncate(from):
            buffer.writeInteger(Kind.truncate.rawValue)
            buffer.writeInteger(from.rawValue)
        }
        let bodyLength = buffer.writerIndex - bodyAt
        let crc = CRC32C.checksum(buffer, range: bodyAt..<buffer.writerIndex)
        buffer.setInteger(UInt32(bodyLength), at: lengthAt)
        buffer.setInteger(crc, at: lengthAt + 4)
    }

    /// Reads records from the start of `bytes` until the end or the first record that is
    /// short, oversized, fails its checksum or does not parse. Returns the records and how many
    /// bytes they span; anything after is a torn write to cut.
    static func scan(_ bytes: ByteBuffer, limits: RaftLimits) -> (records: [RaftLogRecord], validBytes: Int) {
        var reader = bytes
        var records: [RaftLogRecord] = []
        var valid = 0
        let bodyMax = bodyBytesMax(limits: limits)
        while let length = reader.getInteger(at: reader.readerIndex, as: UInt32.self),
              let crc = reader.getInteger(at: reader.readerIndex + 4, as: UInt32.self),
              Int(length) <= bodyMax, reader.readableBytes - headerBytes >= Int(length) {
            let bodyAt = reader.readerIndex + headerBytes
            guard CRC32C.checksum(reader, range: bodyAt..<(bodyAt + Int(length))) == crc,
                  var body = reader.getSlice(at: bodyAt, length: Int(length)),
                  let record = decodeBody(&body)
            else { break }
            records.append(record)
            reader.moveReaderIndex(forwardBy: headerBytes + Int(length))
            valid += headerBytes + Int(length)
        }
        return (records, valid)
    }

    private static func decodeBody(_ body: inout ByteBuffer) -> RaftLogRecord? {
        guard let kindByte = body.readInteger(as: UInt8.self), let kind = Kind(rawValue: kindByte) else { return nil }
        switch kind {
        case .hardState:
            guard let term = body.readInteger(as: UInt64.self), let voted = body.readInteger(as: UInt8.self),
                  let votedFor = body.readInteger(as: Int32.self), voted <= 1, body.readableBytes == 0
            else { return nil }
            return .hardState(HardState(term: Term(term), votedFor: voted == 1 ? NodeID(votedFor) : nil))
        case .entry:
            guard let index = body.readInteger(as: UInt64.self), let term = body.readInteger(as: UInt64.self),
                  let entryKindByte = body.readInteger(as: UInt8.self),
                  let entryKind = LogEntry.Kind(rawValue: entryKindByte), index > 0
            else { return nil }
            let data = body.readBytes(length: body.readableBytes) ?? []
            return .entry(LogEntry(index: LogIndex(index), term: Term(term), kind: entryKind, data: data))
        case .truncate:
            guard let from = body.readInteger(as: UInt64.self), from > 0, body.readableBytes == 0 else { return nil }
            return .truncate(from: LogIndex(from))
        }
    }
}

extension DurableState {
    /// Replays the log file's records over a state that holds only the snapshot. Entries the
    /// snapshot covers are skipped: the file may still hold them when a crash came between
    /// storing a snapshot and rewriting the log without them.
    mutating func replay(_ records: [RaftLogRecord], path: String) throws(RaftStorageError) {
        let snapshotIndex = snapshot?.index ?? .zero
        for record in records {
            switch record {
            case let .hardState(state):
                hardState = state
            case let .truncate(from):
                dropEntries(from: from)
            case let .entry(entry):
                dropEntries(from: entry.index)
                guard entry.index > snapshotIndex else { continue }
                guard entry.index == storedLastIndex.successor else {
                    throw .corrupt(path: path, detail: "entry \(entry.index) does not follow \(storedLastIndex)")
                }
                entries.append(entry)
            }
        }
    }
}
