// Goal: multi is all-or-nothing with ZooKeeper's per-op results. Method: run multis that
// succeed, that fail at the first, middle and last op, and that depend on their own earlier
// ops, then compare whole trees (Equatable) with and without the failed multi.

import Testing
import TernZooKeeper

@Suite struct TreeMultiTests {
    func harness() -> TreeHarness {
        var harness = TreeHarness()
        harness.openSession(1)
        harness.create("/base", data: [1])
        return harness
    }

    func multi(_ h: inout TreeHarness, _ writes: [ZooKeeperWrite]) -> [ZooKeeperMultiResult] {
        guard case let .multi(results) = h.apply(.multi(writes), session: 1).result.outcome else { return [] }
        return results
    }

    @Test func success_appliesAllOps_atOneZxid() throws {
        var h = harness()
        let results = multi(&h, [
            .create(ZooKeeperCreate(path: "/m")),
            .create(ZooKeeperCreate(path: "/m/child", data: [7])),
            .create(ZooKeeperCreate(opCode: .create2, path: "/m/seq-", flags: 2)),
            .setData(path: "/base", data: [2], version: 0),
            .check(path: "/base", version: 1),
            .delete(path: "/m/child", version: 0),
        ])
        let base = try #require(h.tree.stat(at: "/base"))
        #expect(results == [
            .create(path: "/m"), .create(path: "/m/child"), .create(path: "/m/seq-0000000001"),
            .setData(stat: base), .check, .delete,
        ])
        #expect(h.tree.sortedChildren(of: "/m") == ["seq-0000000001"])
        #expect(h.tree.stat(at: "/m")?.czxid == h.zxid)
        #expect(base.mzxid == h.zxid)
    }

    @Test(arguments: [0, 2, 4])
    func failure_rollsBackEverything(failingAt index: Int) {
        var h = harness()
        var writes: [ZooKeeperWrite] = [
            .create(ZooKeeperCreate(path: "/m")),
            .setData(path: "/base", data: [9], version: 0),
            .create(ZooKeeperCreate(path: "/m/c", flags: 1)),
            .delete(path: "/base", version: -1),
            .check(path: "/base", version: 1),
        ]
        // Poison one op so it fails; everything before it must be undone.
        writes[index] = .check(path: "/", version: 77)
        let before = h.tree
        let results = multi(&h, writes)
        #expect(results == (0..<writes.count).map { position in
            position < index ? .error(.ok) : position == index ? .error(.badVersion) : .error(.runtimeInconsistency)
        })
        #expect(h.tree.node(at: "/m") == nil)
        #expect(h.tree.node(at: "/base")?.data == [1])
        #expect(h.tree.ephemeralPaths(of: 1).isEmpty)
        #expect(h.tree.snapshot() == expectedSnapshot(before, lastZxid: h.zxid))
    }

    /// The snapshot `tree` would have if only its zxid had moved.
    func expectedSnapshot(_ tree: ZooKeeperTree, lastZxid: Int64) -> [UInt8] {
        var bytes = tree.snapshot()
        let zxid = withUnsafeBytes(of: lastZxid.bigEndian) { Array($0) }
        bytes.replaceSubrange(5..<13, with: zxid)
        return bytes
    }

    @Test func failure_producesNoWatchEvents() {
        var h = harness()
        h.openSession(2)
        _ = h.read(.getData(path: "/base", watch: true), session: 2)
        _ = h.read(.getChildren(path: "/", watch: true), session: 2)
        let applied = h.apply(.multi([
            .setData(path: "/base", data: [5], version: -1),
            .create(ZooKeeperCreate(path: "/base")),
        ]), session: 1)
        #expect(applied.notifications.isEmpty)
        // The watches were not consumed and still fire on a real change.
        let later = h.apply(.write(.setData(path: "/base", data: [6], version: -1)), session: 1)
        #expect(later.notifications.map(\.event) == [ZooKeeperWatcherEvent(type: .nodeDataChanged, path: "/base")])
    }

    @Test func sequentialNumbers_areRestoredAfterFailure() {
        var h = harness()
        h.create("/q")
        _ = multi(&h, [
            .create(ZooKeeperCreate(path: "/q/n-", flags: 2)),
            .check(path: "/q", version: 99),
        ])
        #expect(h.tree.stat(at: "/q")?.cversion == 0)
        #expect(TreeHarness.createdPath(h.create("/q/n-", flags: 2)) == "/q/n-0000000000")
    }

    @Test func deleteThenRecreate_inOneMulti_rollsBackToOriginalNode() throws {
        var h = harness()
        let original = try #require(h.tree.node(at: "/base"))
        _ = multi(&h, [
            .delete(path: "/base", version: -1),
            .create(ZooKeeperCreate(path: "/base", data: [42])),
            .create(ZooKeeperCreate(path: "/nope/x")),
        ])
        #expect(h.tree.node(at: "/base") == original)
    }

    @Test func containerAndTTLCreates_answerWithStat() throws {
        var h = harness()
        let results = multi(&h, [
            .create(ZooKeeperCreate(opCode: .createContainer, path: "/c", flags: 4)),
            .create(ZooKeeperCreate(opCode: .createTTL, path: "/t", flags: 5, ttl: 1_000)),
        ])
        let container = try #require(h.tree.stat(at: "/c"))
        let ttl = try #require(h.tree.stat(at: "/t"))
        #expect(results == [.create2(path: "/c", stat: container), .create2(path: "/t", stat: ttl)])
    }

    @Test func expiredSession_failsFirstOp() {
        var h = harness()
        let results = { () -> [ZooKeeperMultiResult] in
            guard case let .multi(results) = h.apply(.multi([.check(path: "/base", version: -1), .check(path: "/", version: -1)]), session: 5)
                .result.outcome else { return [] }
            return results
        }()
        #expect(results == [.error(.sessionExpired), .error(.runtimeInconsistency)])
    }

    @Test func emptyMulti_succeedsWithNoResults() {
        var h = harness()
        #expect(multi(&h, []).isEmpty)
        let reply = h.apply(.multi([]), session: 1).result.reply(xid: 2)
        #expect(reply?.header.err == .ok)
        #expect(reply?.body == .multi([]))
    }
}
