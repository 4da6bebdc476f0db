public import NIOCore

// A compact binary form of `RaftMessage` for a driver to put on a socket. Layout, all integers
// big-endian and fixed-width:
//
//   version u8 (= 1) | kind u8 | body
//   vote request/pre-vote request: term u64, lastLogIndex u64, lastLogTerm u64
//   vote response/pre-vote response: term u64, granted u8
//   append request: term u64, prevLogIndex u64, prevLogTerm u64, leaderCommit u64, round u64,
//                   count u32, then per entry: term u64, kind u8, length u32, bytes
//   append response: term u64, round u64, tag u8, then matchIndex u64 (tag 0)
//                    or rejectedIndex u64, conflictIndex u64, conflictTerm u64 (tag 1)
//   snapshot chunk: term u64, snapshotIndex u64, snapshotTerm u64, offset u64, totalBytes u64,
//                   round u64, length u32, bytes
//   snapshot response: term u64, snapshotIndex u64, nextOffset u64, installed u8, round u64
//
// Entry indices are implied (prevLogIndex + 1, + 2, …) because they are contiguous by protocol.
// The frame boundary belongs to the transport; a decoder is handed exactly one message and
// rejects trailing bytes. Every count and length is checked against the bytes left and against
// `RaftLimits` before anything is allocated, so hostile input costs at most one frame.

/// Why bytes could not be decoded as a `RaftMessage`. Decoding never traps.
public enum RaftDecodeError: Error, Hashable, Sendable {
    /// The input ended before a field of `needed` bytes.
    case truncated(needed: Int, available: Int)
    /// The version byte is not one this build reads.
    case unsupportedVersion(UInt8)
    /// The kind byte names no message.
    case unknownKind(UInt8)
    /// A field holds a value the format does not allow.
    case invalidValue(String)
    /// A count or length exceeds a bound in `RaftLimits` or the bytes left.
    case tooLarge(field: String, length: UInt64)
    /// Bytes were left after the message.
    case trailingBytes(Int)
}

extension RaftMessage {
    /// The format version this build writes and reads.
    public static let codecVersion: UInt8 = 1

    private enum Kind: UInt8 {
        case preVoteRequest = 1, preVoteResponse, voteRequest, voteResponse
        case appendRequest, appendResponse, snapshotChunk, snapshotResponse
    }

    /// Appends the message's bytes to `buffer`.
    public func encode(into buffer: inout ByteBuffer) {
        buffer.writeInteger(Self.codecVersion)
        switch self {
        case let .preVoteRequest(request): Self.write(request, kind: .preVoteRequest, into: &buffer)
        case let .voteRequest(request): Self.write(request, kind: .voteRequest, into: &buffer)
        case let .preVoteResponse(response): Self.write(response, kind: .preVoteResponse, into: &buffer)
        case let .voteResponse(response): Self.write(response, kind: .voteResponse, into: &buffer)
        case let .appendRequest(request): Self.write(request, into: &buffer)
        case let .appendResponse(response): Self.write(response, into: &buffer)
        case let .snapshotChunk(chunk): Self.write(chunk, into: &buffer)
        case let .snapshotResponse(response): Self.write(response, into: &buffer)
        }
    }

    /// Decodes exactly one message from the whole of `buffer`.
    public init(decoding buffer: ByteBuffer, limits: RaftLimits = RaftLimits()) throws(RaftDecodeError) {
        var reader = buffer
        let version: UInt8 = try reader.readRaftInteger()
        guard version == Self.codecVersion else { throw .unsupportedVersion(version) }
        let kindByte: UInt8 = try reader.readRaftInteger()
        guard let kind = Kind(rawValue: kindByte) else { throw .unknownKind(kindByte) }
        switch kind {
        case .preVoteRequest: self = .preVoteRequest(try Self.readVoteRequest(&reader))
        case .voteRequest: self = .voteRequest(try Self.readVoteRequest(&reader))
        case .preVoteResponse: self = .preVoteResponse(try Self.readVoteResponse(&reader))
        case .voteResponse: self = .voteResponse(try Self.readVoteResponse(&reader))
        case .appendRequest: self = .appendRequest(try Self.readAppendRequest(&reader, limits: limits))
        case .appendResponse: self = .appendResponse(try Self.readAppendResponse(&reader))
        case .snapshotChunk: self = .snapshotChunk(try Self.readSnapshotChunk(&reader, limits: limits))
        case .snapshotResponse: self = .snapshotResponse(try Self.readSnapshotResponse(&reader))
        }
        guard reader.readableBytes == 0 else { throw .trailingBytes(reader.readableBytes) }
    }

    // MARK: Writing

    private static func write(_ request: VoteRequest, kind: Kind, into buffer: inout ByteBuffer) {
        buffer.writeInteger(kind.rawValue)
        buffer.writeInteger(request.term.rawValue)
        buffer.writeInteger(request.lastLogIndex.rawValue)
        buffer.writeInteger(request.lastLogTerm.rawValue)
    }

    private static func write(_ response: VoteResponse, kind: Kind, into buffer: inout ByteBuffer) {
        buffer.writeInteger(kind.rawValue)
        buffer.writeInteger(response.term.rawValue)
        buffer.writeInteger(response.granted ? 1 : 0 as UInt8)
    }

    private static func write(_ request: AppendRequest, into buffer: inout ByteBuffer) {
        buffer.writeInteger(Kind.appendRequest.rawValue)
        buffer.writeInteger(request.term.rawValue)
        buffer.writeInteger(request.prevLogIndex.rawValue)
        buffer.writeInteger(request.prevLogTerm.rawValue)
        buffer.writeInteger(request.leaderCommit.rawValue)
        buffer.writeInteger(request.round)
        buffer.writeInteger(UInt32(request.entries.count))
        for (offset, entry) in request.entries.enumerated() {
            // The index is implied on the wire, so a gap would silently renumber entries.
            precondition(entry.index == request.prevLogIndex + (offset + 1), "append entries must be contiguous")
            buffer.writeInteger(entry.term.rawValue)
            buffer.writeInteger(entry.kind.rawValue)
            buffer.writeInteger(UInt32(entry.data.count))
            buffer.writeBytes(entry.data)
        }
    }

    private static func write(_ response: AppendResponse, into buffer: inout ByteBuffer) {
        buffer.writeInteger(Kind.appendResponse.rawValue)
        buffer.writeInteger(response.term.rawValue)
        buffer.writeInteger(response.round)
        switch response.result {
        case let .success(matchIndex):
            buffer.writeInteger(0 as UInt8)
            buffer.writeInteger(matchIndex.rawValue)
        case let .rejected(rejectedIndex, conflictIndex, conflictTerm):
            buffer.writeInteger(1 as UInt8)
            buffer.writeInteger(rejectedIndex.rawValue)
            buffer.writeInteger(conflictIndex.rawValue)
            buffer.writeInteger(conflictTerm.rawValue)
        }
    }

    private static func write(_ chunk: SnapshotChunk, into buffer: inout ByteBuffer) {
        buffer.writeInteger(Kind.snapshotChunk.rawValue)
        buffer.writeInteger(chunk.term.rawValue)
        buffer.writeInteger(chunk.snapshotIndex.rawValue)
        buffer.writeInteger(chunk.snapshotTerm.rawValue)
        buffer.writeInteger(chunk.offset)
        buffer.writeInteger(chunk.totalBytes)
        buffer.writeInteger(chunk.round)
        buffer.writeInteger(UInt32(chunk.data.count))
        buffer.writeBytes(chunk.data)
    }

    private static func write(_ response: SnapshotResponse, into buffer: inout ByteBuffer) {
        buffer.writeInteger(Kind.snapshotResponse.rawValue)
        buffer.writeInteger(response.term.rawValue)
        buffer.writeInteger(response.snapshotIndex.rawValue)
        buffer.writeInteger(response.nextOffset)
        buffer.writeInteger(response.installed ? 1 : 0 as UInt8)
        buffer.writeInteger(response.round)
    }

    // MARK: Reading

    private static func readVoteRequest(_ reader: inout ByteBuffer) throws(RaftDecodeError) -> VoteRequest {
        VoteRequest(
            term: Term(try reader.readRaftInteger()),
            lastLogIndex: LogIndex(try reader.readRaftInteger()),
            lastLogTerm: Term(try reader.readRaftInteger())
        )
    }

    private static func readVoteResponse(_ reader: inout ByteBuffer) throws(RaftDecodeError) -> VoteResponse {
        VoteResponse(term: Term(try reader.readRaftInteger()), granted: try reader.readRaftBool())
    }

    private static func readAppendRequest(
        _ reader: inout ByteBuffer, limits: RaftLimits
    ) throws(RaftDecodeError) -> AppendRequest {
        let term = Term(try reader.readRaftInteger())
        let prevLogIndex: UInt64 = try reader.readRaftInteger()
        let prevLogTerm = Term(try reader.readRaftInteger())
        let leaderCommit = LogIndex(try reader.readRaftInteger())
        let round: UInt64 = try reader.readRaftInteger()
        let count = Int(try reader.readRaftInteger(as: UInt32.self))
        // Each entry takes at least 13 bytes, so a count the frame cannot hold is refused before
        // reserving room for it.
        guard count <= limits.appendEntriesMax, count <= reader.readableBytes / 13 else {
            throw .tooLarge(field: "entry count", length: UInt64(count))
        }
        guard prevLogIndex <= UInt64.max - UInt64(count) else {
            throw .invalidValue("entry indices overflow")
        }
        var entries: [LogEntry] = []
        entries.reserveCapacity(count)
        for offset in 0..<count {
            let entryTerm = Term(try reader.readRaftInteger())
            let kindByte: UInt8 = try reader.readRaftInteger()
            guard let kind = LogEntry.Kind(rawValue: kindByte) else {
                throw .invalidValue("entry kind \(kindByte)")
            }
            let data = try reader.readRaftBytes(limit: limits.entryBytesMax, field: "entry")
            let index = LogIndex(prevLogIndex + UInt64(offset) + 1)
            entries.append(LogEntry(index: index, term: entryTerm, kind: kind, data: data))
        }
        return AppendRequest(
            term: term, prevLogIndex: LogIndex(prevLogIndex), prevLogTerm: prevLogTerm,
            entries: entries, leaderCommit: leaderCommit, round: round
        )
    }

    private static func readAppendResponse(_ reader: inout ByteBuffer) throws(RaftDecodeError) -> AppendResponse {
        let term = Term(try reader.readRaftInteger())
        let round: UInt64 = try reader.readRaftInteger()
        let tag: UInt8 = try reader.readRaftInteger()
        let result: AppendResponse.Result
        switch tag {
        case 0:
            result = .success(matchIndex: LogIndex(try reader.readRaftInteger()))
        case 1:
            result = .rejected(
                rejectedIndex: LogIndex(try reader.readRaftInteger()),
                conflictIndex: LogIndex(try reader.readRaftInteger()),
                conflictTerm: Term(try reader.readRaftInteger())
            )
        default:
            throw .invalidValue("append result \(tag)")
        }
        return AppendResponse(term: term, result: result, round: round)
    }

    private static func readSnapshotChunk(
        _ reader: inout ByteBuffer, limits: RaftLimits
    ) throws(RaftDecodeError) -> SnapshotChunk {
        let term = Term(try reader.readRaftInteger())
        let snapshotIndex = LogIndex(try reader.readRaftInteger())
        let snapshotTerm = Term(try reader.readRaftInteger())
        let offset: UInt64 = try reader.readRaftInteger()
        let totalBytes: UInt64 = try reader.readRaftInteger()
        let round: UInt64 = try reader.readRaftInteger()
        guard totalBytes <= UInt64(limits.snapshotBytesMax) else {
            throw .tooLarge(field: "snapshot", length: totalBytes)
        }
        let data = try reader.readRaftBytes(limit: limits.snapshotChunkBytesMax, field: "snapshot chunk")
        guard offset <= totalBytes, UInt64(data.count) <= totalBytes - offset else {
            throw .invalidValue("snapshot chunk runs past the snapshot's end")
        }
        return SnapshotChunk(
            term: term, snapshotIndex: snapshotIndex, snapshotTerm: snapshotTerm,
            offset: offset, totalBytes: totalBytes, data: data, round: round
        )
    }

    private static func readSnapshotResponse(_ reader: inout ByteBuffer) throws(RaftDecodeError) -> SnapshotResponse {
        SnapshotResponse(
            term: Term(try reader.readRaftInteger()),
            snapshotIndex: LogIndex(try reader.readRaftInteger()),
            nextOffset: try reader.readRaftInteger(),
            installed: try reader.readRaftBool(),
            round: try reader.readRaftInteger()
        )
    }
}

extension ByteBuffer {
    fileprivate mutating func readRaftInteger<T: FixedWidthInteger>(as type: T.Type = T.self) throws(RaftDecodeError) -> T {
        guard let value = readInteger(endianness: .big, as: T.self) else {
            throw .truncated(needed: MemoryLayout<T>.size, available: readableBytes)
        }
        return value
    }

    // Only 0 and 1 are booleans, so that every message has exactly one encoding.
    fileprivate mutating func readRaftBool() throws(RaftDecodeError) -> Bool {
        let byte: UInt8 = try readRaftInteger()
        switch byte {
        case 0: return false
        case 1: return true
        default: throw .invalidValue("boolean \(byte)")
        }
    }

    fileprivate mutating func readRaftBytes(limit: Int, field: String) throws(RaftDecodeError) -> [UInt8] {
        let length = Int(try readRaftInteger(as: UInt32.self))
        guard length <= limit else { throw .tooLarge(field: field, length: UInt64(length)) }
        guard let bytes = readBytes(length: length) else {
            throw .truncated(needed: length, available: readableBytes)
        }
        return bytes
    }
}
