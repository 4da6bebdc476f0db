// Goal: the tree is a deterministic replicated state machine. Method: a seeded random workload
// (sessions, every kind of create, deletes, setData, multis, expiry, container sweeps) is fed
// to several trees: directly, through the transaction codec, and from a snapshot taken midway.
// All must end equal, with byte-identical snapshots and identical apply results. Also checks
// that snapshots and transactions round-trip and that corrupt snapshots are refused.

import NIOCore
import Testing
import TernPrimitives
import TernZooKeeper

@Suite struct SnapshotTests {
    static let sampleTransactions: [ZooKeeperTransaction] = [
        ZooKeeperTransaction(time: 1, sessionID: 5, kind: .createSession(timeout: 6_000, password: Array(0..<16))),
        ZooKeeperTransaction(time: 2, sessionID: 5, kind: .closeSession),
        ZooKeeperTransaction(time: 3, sessionID: 5, kind: .write(.create(ZooKeeperCreate(
            opCode: .createTTL, path: "/t", data: [1, 2], acl: [ZooKeeperACL(perms: 1, id: ZooKeeperID(scheme: "ip", id: "10.0.0.1"))],
            flags: 5, ttl: 99)))),
        ZooKeeperTransaction(time: 4, sessionID: 5, kind: .write(.delete(path: "/t", version: 3))),
        ZooKeeperTransaction(time: 5, sessionID: 5, kind: .write(.setData(path: "/t", data: [], version: -1))),
        ZooKeeperTransaction(time: 6, sessionID: 5, kind: .write(.setACL(path: "/t", acl: ZooKeeperACL.openUnsafe, version: 0))),
        ZooKeeperTransaction(time: 7, sessionID: 5, kind: .write(.check(path: "/t", version: 1))),
        ZooKeeperTransaction(time: 8, sessionID: -5, kind: .multi([
            .create(ZooKeeperCreate(path: "/m", flags: 3)), .check(path: "/m", version: 0),
            .setData(path: "/m", data: [7], version: 0), .delete(path: "/m", version: -1),
        ])),
        ZooKeeperTransaction(time: .max, sessionID: 0, kind: .deleteContainer(path: "/c")),
    ]

    @Test(arguments: sampleTransactions)
    func transaction_roundTrips(_ transaction: ZooKeeperTransaction) throws {
        #expect(try ZooKeeperTransaction(encoded: transaction.encoded) == transaction)
        #expect(transaction.encoded.first == ZooKeeperTransaction.formatVersion)
    }

    @Test func transaction_refusesUnknownVersionAndKind() {
        var bytes = Self.sampleTransactions[1].encoded
        bytes[0] = 2
        #expect(throws: JuteDecodeError.invalidValue("transaction format 2")) { try ZooKeeperTransaction(encoded: bytes) }
        bytes[0] = 1
        bytes[1] = 9
        #expect(throws: JuteDecodeError.invalidValue("transaction kind 9")) { try ZooKeeperTransaction(encoded: bytes) }
        #expect(throws: JuteDecodeError.trailingBytes(1)) { try ZooKeeperTransaction(encoded: Self.sampleTransactions[1].encoded + [0]) }
    }

    /// A random but repeatable workload over a small namespace, so ops collide often.
    static func workload(seed: UInt64, count: Int) -> [ZooKeeperTransaction] {
        var random = SeededRandom(seed: seed)
        let paths = ["/a", "/a/b", "/a/b/c", "/q", "/q/x", "/c", "/c/k", "/t"]
        let sessions: [Int64] = [0x101, 0x102, 0x103]
        var time: Int64 = 1_700_000_000_000
        func pick<T>(_ values: [T]) -> T { values[Int.random(in: 0..<values.count, using: &random)] }
        func randomWrite() -> ZooKeeperWrite {
            switch Int.random(in: 0..<6, using: &random) {
            case 0: .create(ZooKeeperCreate(path: pick(paths), data: [UInt8.random(in: 0...9, using: &random)], flags: pick([0, 1, 2, 3])))
            case 1: .create(ZooKeeperCreate(opCode: .createContainer, path: pick(paths), flags: 4))
            case 2: .create(ZooKeeperCreate(opCode: .createTTL, path: pick(paths), flags: pick([5, 6]), ttl: pick([1, 50, 5_000])))
            case 3: .delete(path: pick(paths), version: pick([-1, 0, 1]))
            case 4: .setData(path: pick(paths), data: [UInt8.random(in: 0...9, using: &random)], version: pick([-1, 0, 1]))
            default: .check(path: pick(paths), version: pick([-1, 0]))
            }
        }
        return (0..<count).map { _ in
            time += Int64.random(in: 0...100, using: &random)
            let session = pick(sessions)
            let kind: ZooKeeperTransaction.Kind
            switch Int.random(in: 0..<20, using: &random) {
            case 0: kind = .createSession(timeout: 6_000, password: Array(repeating: UInt8(session & 0xFF), count: 16))
            case 1: kind = .closeSession
            case 2, 3: kind = .multi((0..<Int.random(in: 0...4, using: &random)).map { _ in randomWrite() })
            case 4: kind = .deleteContainer(path: pick(paths))
            default: kind = .write(randomWrite())
            }
            return ZooKeeperTransaction(time: time, sessionID: session, kind: kind)
        }
    }

    @Test(arguments: [1, 2, 3, 0xC0FFEE] as [UInt64])
    func replay_isDeterministic_directly_viaCodec_andFromSnapshot(seed: UInt64) throws {
        let transactions = Self.workload(seed: seed, count: 600)
        let midway = 250
        var direct = ZooKeeperDatabase()
        var viaCodec = ZooKeeperDatabase()
        var fromSnapshot = ZooKeeperDatabase()
        var snapshot: [UInt8] = []
        for (index, transaction) in transactions.enumerated() {
            let zxid = (Int64(1) << 32) + Int64(index) + 1
            let first = direct.apply(transaction, zxid: zxid)
            let second = viaCodec.apply(try ZooKeeperTransaction(encoded: transaction.encoded), zxid: zxid)
            #expect(first == second)
            if index == midway - 1 {
                snapshot = direct.tree.snapshot()
                fromSnapshot.install(try ZooKeeperTree(snapshot: snapshot))
            } else if index >= midway {
                #expect(fromSnapshot.apply(transaction, zxid: zxid).result == first.result)
            }
        }
        #expect(direct.tree == viaCodec.tree)
        #expect(direct.tree == fromSnapshot.tree)
        #expect(direct.tree.snapshot() == viaCodec.tree.snapshot())
        #expect(direct.tree.snapshot() == fromSnapshot.tree.snapshot())
        // The workload must actually have built something for the comparison to mean much.
        #expect(direct.tree.nodeCount > 3)
        #expect(try ZooKeeperTree(snapshot: snapshot).lastZxid == (Int64(1) << 32) + Int64(midway))
    }

    @Test func snapshot_roundTrips_everyField() throws {
        var h = TreeHarness()
        h.openSession(1)
        h.openSession(0x77)
        h.create("/a", data: Array(repeating: 5, count: 1_000))
        h.create("/a/e", flags: 3, session: 0x77)
        h.create("/c", opCode: .createContainer, flags: 4)
        h.create("/t", opCode: .createTTL, flags: 5, ttl: 12)
        h.write(.setData(path: "/a", data: [1], version: 0))
        h.write(.setACL(path: "/a", acl: ZooKeeperACL.openUnsafe, version: -1))
        let restored = try ZooKeeperTree(snapshot: h.tree.snapshot())
        #expect(restored == h.tree)
        #expect(restored.ephemeralPaths(of: 0x77) == ["/a/e0000000000"])
        #expect(restored.session(0x77) == h.tree.session(0x77))
        #expect(restored.stat(at: "/a") == h.tree.stat(at: "/a"))
        #expect(restored.node(at: "/c")?.kind == .container)
        #expect(restored.node(at: "/t")?.kind == .ttl(milliseconds: 12))
    }

    @Test func snapshot_refusesInconsistentInput() throws {
        var buffer = ByteBuffer()
        buffer.writeBytes(Array("TZKS".utf8))
        buffer.writeInteger(ZooKeeperTree.snapshotFormatVersion)
        buffer.writeJuteInt64(9)
        buffer.writeJuteInt32(0)
        // An orphan: /x/y without /x.
        buffer.writeJuteInt32(4)
        for path in ["/", "/zookeeper", "/zookeeper/quota", "/x/y"] {
            buffer.writeJuteUString(path)
            buffer.writeJuteBuffer([])
            for _ in 0..<4 { buffer.writeJuteInt64(0) }
            for _ in 0..<3 { buffer.writeJuteInt32(0) }
            buffer.writeJuteInt64(0)
            buffer.writeJuteInt64(0)
        }
        #expect(throws: JuteDecodeError.invalidValue("snapshot node /x/y has no parent")) {
            try ZooKeeperTree(snapshot: Array(buffer.readableBytesView))
        }
        var badMagic = ZooKeeperTree().snapshot()
        badMagic[0] = 0
        #expect(throws: JuteDecodeError.invalidValue("snapshot magic")) { try ZooKeeperTree(snapshot: badMagic) }
        #expect(try ZooKeeperTree(snapshot: ZooKeeperTree().snapshot()) == ZooKeeperTree())
    }
}
