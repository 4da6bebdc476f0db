public import NIOCore

// What the runtime's nodes say to each other: the core's Raft messages, plus the few the runtime
// adds so that any node can serve a client (a proposal forwarded to the leader, a follower asking
// the leader for a read index, a best-effort note for the leader). Layout, big-endian:
//
//   version u8 (= 1) | kind u8 | body
//   1 raft:               a `RaftMessage` in its own codec (the rest of the frame)
//   2 forward proposal:   proposalID u64, length u32, command
//   3 proposal refused:   proposalID u64, reason u8
//   4 read index request: requestID u64
//   5 read index:         requestID u64, index u64
//   6 read refused:       requestID u64, reason u8
//   7 leader message:     length u32, bytes
//
// Every length is checked against the bytes left and the limits before anything is allocated,
// and a frame with bytes left over is refused, so garbage costs at most one frame.

/// Why the leader (or the node asked) did not take a forwarded proposal or read.
public enum PeerRefusal: UInt8, Hashable, Sendable {
    /// The node asked does not lead.
    case notLeader = 1
    /// Too much is outstanding there.
    case overloaded = 2
    /// The command exceeds the entry size limit.
    case tooLarge = 3

    /// The error the origin reports to its caller. Nothing was appended, so the caller may retry.
    var replicationError: ReplicationError {
        switch self {
        case .notLeader: .noLeader
        case .overloaded: .overloaded
        case .tooLarge: .tooLarge
        }
    }
}

/// One message between runtime nodes.
public enum PeerEnvelope: Hashable, Sendable {
    /// A message of the Raft protocol.
    case raft(RaftMessage)
    /// A follower hands a client's command to the leader; `proposalID` is the origin's.
    case forwardProposal(proposalID: UInt64, command: [UInt8])
    /// The leader did not append a forwarded command.
    case proposalRefused(proposalID: UInt64, PeerRefusal)
    /// A follower asks the leader for a read index.
    case readIndexRequest(requestID: UInt64)
    /// The leader confirmed its leadership: reads are linearizable once applied through `index`.
    case readIndex(requestID: UInt64, index: LogIndex)
    /// The leader could not confirm a read.
    case readRefused(requestID: UInt64, PeerRefusal)
    /// A small best-effort message for the leader's inbox.
    case leaderMessage([UInt8])
}

/// Why bytes are not a `PeerEnvelope`.
public enum PeerEnvelopeDecodeError: Error, Hashable, Sendable {
    /// The envelope's own layout is broken (truncated, unknown kind or version, bad value).
    case malformed(String)
    /// The embedded Raft message did not decode.
    case raft(RaftDecodeError)
}

extension PeerEnvelope {
    /// The format version this build writes and reads.
    public static let codecVersion: UInt8 = 1
    /// Largest `leaderMessage` body; larger ones are not sent.
    public static let leaderMessageBytesMax = 64 * 1024

    private enum Kind: UInt8 {
        case raft = 1, forwardProposal, proposalRefused, readIndexRequest, readIndex, readRefused, leaderMessage
    }

    /// Appends the envelope's bytes to `buffer`.
    public func encode(into buffer: inout ByteBuffer) {
        buffer.writeInteger(Self.codecVersion)
        switch self {
        case let .raft(message):
            buffer.writeInteger(Kind.raft.rawValue)
            message.encode(into: &buffer)
        case let .forwardProposal(proposalID, command):
            buffer.writeInteger(Kind.forwardProposal.rawValue)
            buffer.writeInteger(proposalID)
            buffer.writeInteger(UInt32(command.count))
            buffer.writeBytes(command)
        case let .proposalRefused(proposalID, reason):
            buffer.writeInteger(Kind.proposalRefused.rawValue)
            buffer.writeInteger(proposalID)
            buffer.writeInteger(reason.rawValue)
        case let .readIndexRequest(requestID):
            buffer.writeInteger(Kind.readIndexRequest.rawValue)
            buffer.writeInteger(requestID)
        case let .readIndex(requestID, index):
            buffer.writeInteger(Kind.readIndex.rawValue)
            buffer.writeInteger(requestID)
            buffer.writeInteger(index.rawValue)
        case let .readRefused(requestID, reason):
            buffer.writeInteger(Kind.readRefused.rawValue)
            buffer.writeInteger(requestID)
            buffer.writeInteger(reason.rawValue)
        case let .leaderMessage(bytes):
            buffer.writeInteger(Kind.leaderMessage.rawValue)
            buffer.writeInteger(UInt32(bytes.count))
            buffer.writeBytes(bytes)
        }
    }

    /// Decodes exactly one envelope from the whole of `buffer`.
    public init(decoding buffer: ByteBuffer, limits: RaftLimits = RaftLimits()) throws(PeerEnvelopeDecodeError) {
        var reader = buffer
        guard let version = reader.readInteger(as: UInt8.self) else { throw .malformed("empty") }
        guard version == Self.codecVersion else { throw .malformed("version \(version)") }
        guard let kindByte = reader.readInteger(as: UInt8.self), let kind = Kind(rawValue: kindByte) else {
            throw .malformed("unknown kind")
        }
        switch kind {
        case .raft:
            do {
                self = .raft(try RaftMessage(decoding: reader, limits: limits))
            } catch {
                throw .raft(error)
            }
            return
        case .forwardProposal:
            let id = try reader.readEnvelopeInteger(as: UInt64.self)
            self = .forwardProposal(proposalID: id, command: try reader.readEnvelopeBytes(limit: limits.entryBytesMax))
        case .proposalRefused:
            let id = try reader.readEnvelopeInteger(as: UInt64.self)
            self = .proposalRefused(proposalID: id, try reader.readRefusal())
        case .readIndexRequest:
            self = .readIndexRequest(requestID: try reader.readEnvelopeInteger(as: UInt64.self))
        case .readIndex:
            let id = try reader.readEnvelopeInteger(as: UInt64.self)
            self = .readIndex(requestID: id, index: LogIndex(try reader.readEnvelopeInteger(as: UInt64.self)))
        case .readRefused:
            let id = try reader.readEnvelopeInteger(as: UInt64.self)
            self = .readRefused(requestID: id, try reader.readRefusal())
        case .leaderMessage:
            self = .leaderMessage(try reader.readEnvelopeBytes(limit: Self.leaderMessageBytesMax))
        }
        guard reader.readableBytes == 0 else { throw .malformed("\(reader.readableBytes) trailing bytes") }
    }
}

extension ByteBuffer {
    fileprivate mutating func readEnvelopeInteger<T: FixedWidthInteger>(as type: T.Type) throws(PeerEnvelopeDecodeError) -> T {
        guard let value = readInteger(as: T.self) else { throw .malformed("truncated") }
        return value
    }

    fileprivate mutating func readEnvelopeBytes(limit: Int) throws(PeerEnvelopeDecodeError) -> [UInt8] {
        let length = Int(try readEnvelopeInteger(as: UInt32.self))
        guard length <= limit, length <= readableBytes, let bytes = readBytes(length: length) else {
            throw .malformed("length \(length) exceeds the limit or the frame")
        }
        return bytes
    }

    fileprivate mutating func readRefusal() throws(PeerEnvelopeDecodeError) -> PeerRefusal {
        let byte = try readEnvelopeInteger(as: UInt8.self)
        guard let reason = PeerRefusal(rawValue: byte) else { throw .malformed("refusal \(byte)") }
        return reason
    }
}
