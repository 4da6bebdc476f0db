import NIOCore
import TernPrimitives
import TernZooKeeper

/// The state machine's snapshot: the duplicate-detection table, which is replicated state
/// (a replica restored without it could apply a repeat the others skipped), then the tree.
///
///   snapshot := "TZKR" version:u8(1) count:i32 (session:i64 origin:i32 incarnation:i64 sequence:i64)*
///               tree-snapshot (the rest of the bytes)
struct ReplicaSnapshot: Equatable, Sendable {
    static let formatVersion: UInt8 = 1
    private static let magic: [UInt8] = Array("TZKR".utf8)

    var lastProposals: [Int64: ProposalID]
    var tree: ZooKeeperTree

    var encoded: [UInt8] {
        var buffer = ByteBuffer()
        buffer.writeBytes(Self.magic)
        buffer.writeInteger(Self.formatVersion)
        buffer.writeJuteInt32(Int32(clamping: lastProposals.count))
        // Sorted so that equal states give identical bytes on every replica.
        for session in lastProposals.keys.sorted() {
            guard let proposal = lastProposals[session] else { continue }
            buffer.writeJuteInt64(session)
            buffer.writeJuteInt32(proposal.origin.rawValue)
            buffer.writeJuteInt64(Int64(bitPattern: proposal.incarnation))
            buffer.writeJuteInt64(Int64(bitPattern: proposal.sequence))
        }
        tree.writeSnapshot(to: &buffer)
        return Array(buffer.readableBytesView)
    }

    init(lastProposals: [Int64: ProposalID], tree: ZooKeeperTree) {
        self.lastProposals = lastProposals
        self.tree = tree
    }

    init(encoded bytes: [UInt8]) throws(JuteDecodeError) {
        var buffer = ByteBuffer(bytes: bytes)
        guard buffer.readBytes(length: 4) == Self.magic else { throw .invalidValue("replica snapshot magic") }
        guard buffer.readInteger(as: UInt8.self) == Self.formatVersion else { throw .invalidValue("replica snapshot format") }
        let count = try buffer.readJuteInt32()
        guard count >= 0, Int(count) <= buffer.readableBytes / 28 else {
            throw .invalidLength(Int64(count), context: "replica snapshot sessions")
        }
        lastProposals = [:]
        for _ in 0..<count {
            let session = try buffer.readJuteInt64()
            lastProposals[session] = ProposalID(
                origin: NodeID(try buffer.readJuteInt32()),
                incarnation: UInt64(bitPattern: try buffer.readJuteInt64()),
                sequence: UInt64(bitPattern: try buffer.readJuteInt64()))
        }
        tree = try ZooKeeperTree(snapshot: Array(buffer.readableBytesView))
    }
}
