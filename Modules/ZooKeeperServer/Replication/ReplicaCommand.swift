import NIOCore
import TernPrimitives
import TernZooKeeper

/// Who proposed a command: the node, which run of that node's process, and the proposal's
/// number within that run. Replies are routed by it (only the proposer holds the waiting
/// client), and retried copies of one proposal are recognised by it.
struct ProposalID: Hashable, Sendable {
    /// The proposing node.
    var origin: NodeID
    /// Picked at random when the node's server starts, so numbers from an earlier run of the
    /// same node are never taken for this run's.
    var incarnation: UInt64
    /// Rises with every proposal of this run.
    var sequence: UInt64

    /// Whether a command with this id was already applied for a session whose last applied
    /// proposal was `last`. One connection proposes for a session at a time, in order, so a
    /// lower or equal number from the same run is a duplicate delivery.
    func isRepeat(of last: ProposalID?) -> Bool {
        guard let last, last.origin == origin, last.incarnation == incarnation else { return false }
        return sequence <= last.sequence
    }
}

/// One log entry of the ZooKeeper state machine: the transactions one session asked for, in
/// the order it asked, each with the xid its reply carries.
///
///   command := version:u8(1) origin:i32 incarnation:i64 sequence:i64 session:i64
///              count:i32 (xid:i32 transaction)*
///
/// Transactions use the `ZooKeeperTransaction` log encoding, which is self-delimiting.
struct ReplicaCommand: Equatable, Sendable {
    static let formatVersion: UInt8 = 1

    var proposal: ProposalID
    /// The session the transactions belong to; the key for duplicate detection.
    var sessionID: Int64
    var transactions: [(xid: Int32, transaction: ZooKeeperTransaction)]

    static func == (lhs: ReplicaCommand, rhs: ReplicaCommand) -> Bool {
        lhs.proposal == rhs.proposal && lhs.sessionID == rhs.sessionID
            && lhs.transactions.elementsEqual(rhs.transactions) { $0.xid == $1.xid && $0.transaction == $1.transaction }
    }

    var encoded: [UInt8] {
        var buffer = ByteBuffer()
        buffer.writeInteger(Self.formatVersion)
        buffer.writeJuteInt32(proposal.origin.rawValue)
        buffer.writeJuteInt64(Int64(bitPattern: proposal.incarnation))
        buffer.writeJuteInt64(Int64(bitPattern: proposal.sequence))
        buffer.writeJuteInt64(sessionID)
        buffer.writeJuteInt32(Int32(transactions.count))
        for (xid, transaction) in transactions {
            buffer.writeJuteInt32(xid)
            transaction.write(to: &buffer)
        }
        return Array(buffer.readableBytesView)
    }

    /// Decodes a command; log bytes are ours, but a refusal here is logged and skipped by every
    /// replica alike rather than trusted to be well formed.
    init(encoded bytes: [UInt8]) throws(JuteDecodeError) {
        var buffer = ByteBuffer(bytes: bytes)
        guard let version = buffer.readInteger(as: UInt8.self) else { throw .truncated(needed: 1, available: 0) }
        guard version == Self.formatVersion else { throw .invalidValue("command format \(version)") }
        proposal = ProposalID(
            origin: NodeID(try buffer.readJuteInt32()),
            incarnation: UInt64(bitPattern: try buffer.readJuteInt64()),
            sequence: UInt64(bitPattern: try buffer.readJuteInt64()))
        sessionID = try buffer.readJuteInt64()
        let count = try buffer.readJuteInt32()
        // Each transaction takes at least its 18-byte header, which bounds the count.
        guard count >= 0, Int(count) <= buffer.readableBytes / 18 else { throw .invalidLength(Int64(count), context: "command") }
        transactions = []
        transactions.reserveCapacity(Int(count))
        for _ in 0..<count {
            let xid = try buffer.readJuteInt32()
            transactions.append((xid, try ZooKeeperTransaction(decoding: &buffer)))
        }
        guard buffer.readableBytes == 0 else { throw .trailingBytes(buffer.readableBytes) }
    }

    init(proposal: ProposalID, sessionID: Int64, transactions: [(xid: Int32, transaction: ZooKeeperTransaction)]) {
        self.proposal = proposal
        self.sessionID = sessionID
        self.transactions = transactions
    }
}

/// Session keep-alives a follower sends the leader with `sendToLeader`: the sessions that
/// showed signs of life since the last message, and a renegotiated timeout where a client
/// reconnected (-1 for none).
///
///   keepalive := version:u8(1) count:i32 (session:i64 timeout:i32)*
struct SessionKeepalive: Equatable, Sendable {
    static let formatVersion: UInt8 = 1

    var sessions: [Int64: Int32]

    var encoded: [UInt8] {
        var buffer = ByteBuffer()
        buffer.writeInteger(Self.formatVersion)
        buffer.writeJuteInt32(Int32(clamping: sessions.count))
        for id in sessions.keys.sorted() {
            buffer.writeJuteInt64(id)
            buffer.writeJuteInt32(sessions[id] ?? -1)
        }
        return Array(buffer.readableBytesView)
    }

    init(sessions: [Int64: Int32]) {
        self.sessions = sessions
    }

    /// Decodes a message from a peer; malformed ones are refused, never trusted.
    init(encoded bytes: [UInt8]) throws(JuteDecodeError) {
        var buffer = ByteBuffer(bytes: bytes)
        guard buffer.readInteger(as: UInt8.self) == Self.formatVersion else { throw .invalidValue("keepalive format") }
        let count = try buffer.readJuteInt32()
        guard count >= 0, Int(count) <= buffer.readableBytes / 12 else { throw .invalidLength(Int64(count), context: "keepalive") }
        sessions = [:]
        for _ in 0..<count {
            let id = try buffer.readJuteInt64()
            sessions[id] = try buffer.readJuteInt32()
        }
    }
}
