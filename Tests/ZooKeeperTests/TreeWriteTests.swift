// Goal: each single write behaves as ZooKeeper's does: the success path updates exactly the
// stat fields ZooKeeper updates, and every error path returns ZooKeeper's code and leaves the
// tree untouched. Method: drive a fresh tree through the harness and inspect stats and codes.

import Testing
import TernZooKeeper

@Suite struct TreeWriteTests {
    func harness() -> TreeHarness {
        var harness = TreeHarness()
        harness.openSession(1)
        return harness
    }

    @Test func newTree_hasBuiltInNodes() {
        let tree = ZooKeeperTree()
        #expect(tree.sortedChildren(of: "/") == ["zookeeper"])
        #expect(tree.sortedChildren(of: "/zookeeper") == ["quota"])
        #expect(tree.stat(at: "/") == ZooKeeperStat(numChildren: 1))
        #expect(tree.lastZxid == 0)
    }

    @Test func create_setsStat_andUpdatesParent() throws {
        var h = harness()
        let result = h.create("/a", data: [1, 2, 3])
        let zxid = h.zxid
        let stat = try #require(h.tree.stat(at: "/a"))
        #expect(result == .success(.created(path: "/a", stat: stat, opCode: .create)))
        #expect(stat == ZooKeeperStat(
            czxid: zxid, mzxid: zxid, ctime: h.time, mtime: h.time, version: 0, cversion: 0, aversion: 0,
            ephemeralOwner: 0, dataLength: 3, numChildren: 0, pzxid: zxid))
        let root = try #require(h.tree.stat(at: "/"))
        #expect(root.cversion == 1)
        #expect(root.pzxid == zxid)
        #expect(root.numChildren == 2)
        #expect(root.mzxid == 0)
    }

    @Test func create_errorPaths() {
        var h = harness()
        h.create("/a")
        h.create("/e", flags: 1)
        #expect(TreeHarness.code(h.create("/a")) == .nodeExists)
        #expect(TreeHarness.code(h.create("/missing/child")) == .noNode)
        #expect(TreeHarness.code(h.create("/e/child")) == .noChildrenForEphemerals)
        #expect(TreeHarness.code(h.create("/a", flags: 7)) == .badArguments)
        #expect(TreeHarness.code(h.create("relative")) == .badArguments)
        #expect(TreeHarness.code(h.create("/a/")) == .badArguments)
        #expect(TreeHarness.code(h.create("/a//b")) == .badArguments)
        #expect(TreeHarness.code(h.create("/a/.")) == .badArguments)
        #expect(TreeHarness.code(h.create("/a/..")) == .badArguments)
        #expect(TreeHarness.code(h.create("/a/\u{0}")) == .badArguments)
        #expect(TreeHarness.code(h.create("/a/\u{1F600}")) == .badArguments)
        #expect(TreeHarness.code(h.create("/")) == .nodeExists)
        #expect(TreeHarness.code(h.create("/big", data: Array(repeating: 0, count: ZooKeeperLimits.dataBytesMax + 1))) == .badArguments)
        #expect(TreeHarness.code(h.write(.create(ZooKeeperCreate(path: "/acl", acl: [])))) == .invalidACL)
        let badScheme = [ZooKeeperACL(perms: 31, id: ZooKeeperID(scheme: "world", id: "everyone"))]
        #expect(TreeHarness.code(h.write(.create(ZooKeeperCreate(path: "/acl", acl: badScheme)))) == .invalidACL)
        #expect(TreeHarness.code(h.create("/s", session: 99)) == .sessionExpired)
        // Nothing above changed the tree beyond the two creates.
        #expect(h.tree.sortedChildren(of: "/") == ["a", "e", "zookeeper"])
        #expect(h.tree.stat(at: "/")?.cversion == 2)
    }

    @Test func create_allowedOddButValidNames() {
        var h = harness()
        #expect(TreeHarness.code(h.create("/...")) == .ok)
        #expect(TreeHarness.code(h.create("/a.b")) == .ok)
        #expect(TreeHarness.code(h.create("/ünïcode")) == .ok)
        #expect(TreeHarness.code(h.create("/zookeeper/mine")) == .ok)
    }

    @Test func sequential_usesParentCversion_tenDigits() {
        var h = harness()
        h.create("/q")
        #expect(TreeHarness.createdPath(h.create("/q/job-", flags: 2)) == "/q/job-0000000000")
        #expect(TreeHarness.createdPath(h.create("/q/job-", flags: 3)) == "/q/job-0000000001")
        h.create("/q/plain")
        // Deleting does not bump cversion, so numbers are never reused.
        h.write(.delete(path: "/q/job-0000000000", version: -1))
        #expect(TreeHarness.createdPath(h.create("/q/job-", flags: 2)) == "/q/job-0000000003")
        #expect(TreeHarness.createdPath(h.create("/q/", flags: 2)) == "/q/0000000004")
        #expect(TreeHarness.createdPath(h.create("/", flags: 2)) == "/0000000001")
        #expect(ZooKeeperPath.sequenceSuffix(-5) == "-000000005")
        #expect(ZooKeeperPath.sequenceSuffix(.max) == "2147483647")
    }

    @Test func delete_updatesParentPzxidNotCversion() throws {
        var h = harness()
        h.create("/p")
        h.create("/p/c")
        let cversion = try #require(h.tree.stat(at: "/p")).cversion
        #expect(h.write(.delete(path: "/p/c", version: 0)) == .success(.deleted))
        let parent = try #require(h.tree.stat(at: "/p"))
        #expect(parent.cversion == cversion)
        #expect(parent.pzxid == h.zxid)
        #expect(parent.numChildren == 0)
        #expect(h.tree.node(at: "/p/c") == nil)
    }

    @Test func delete_errorPaths() {
        var h = harness()
        h.create("/p")
        h.create("/p/c")
        #expect(TreeHarness.code(h.write(.delete(path: "/p", version: -1))) == .notEmpty)
        #expect(TreeHarness.code(h.write(.delete(path: "/p/c", version: 3))) == .badVersion)
        #expect(TreeHarness.code(h.write(.delete(path: "/nope", version: -1))) == .noNode)
        #expect(TreeHarness.code(h.write(.delete(path: "/nope/deeper", version: -1))) == .noNode)
        #expect(TreeHarness.code(h.write(.delete(path: "/", version: -1))) == .badArguments)
        #expect(TreeHarness.code(h.write(.delete(path: "/zookeeper", version: -1))) == .badArguments)
        #expect(TreeHarness.code(h.write(.delete(path: "/zookeeper/quota", version: -1))) == .badArguments)
        #expect(TreeHarness.code(h.write(.delete(path: "", version: -1))) == .badArguments)
        #expect(TreeHarness.code(h.write(.delete(path: "/p/c", version: -1), session: 42)) == .sessionExpired)
        #expect(h.tree.node(at: "/p/c") != nil)
    }

    @Test func setData_bumpsVersionAndMtime_notCtime() throws {
        var h = harness()
        h.create("/d", data: [1])
        let created = try #require(h.tree.stat(at: "/d"))
        let result = h.write(.setData(path: "/d", data: [2, 3], version: 0))
        let stat = try #require(h.tree.stat(at: "/d"))
        #expect(result == .success(.dataSet(stat)))
        #expect(stat.version == 1)
        #expect(stat.mzxid == h.zxid)
        #expect(stat.mtime == h.time)
        #expect(stat.czxid == created.czxid)
        #expect(stat.ctime == created.ctime)
        #expect(stat.pzxid == created.pzxid)
        #expect(stat.dataLength == 2)
        #expect(h.tree.node(at: "/d")?.data == [2, 3])
        #expect(h.write(.setData(path: "/d", data: [], version: -1)) != .failure(ZooKeeperWriteError(.badVersion)))
        #expect(h.tree.stat(at: "/d")?.version == 2)
    }

    @Test func setData_errorPaths() {
        var h = harness()
        h.create("/d")
        #expect(TreeHarness.code(h.write(.setData(path: "/d", data: [1], version: 5))) == .badVersion)
        #expect(TreeHarness.code(h.write(.setData(path: "/x", data: [1], version: -1))) == .noNode)
        #expect(TreeHarness.code(h.write(.setData(path: "d", data: [1], version: -1))) == .badArguments)
        let tooBig = Array(repeating: UInt8(1), count: ZooKeeperLimits.dataBytesMax + 1)
        #expect(TreeHarness.code(h.write(.setData(path: "/d", data: tooBig, version: -1))) == .badArguments)
        #expect(h.tree.stat(at: "/d")?.version == 0)
    }

    @Test func versions_skipMinusOne_whenWrapping() {
        #expect(ZooKeeperTree.nextVersion(after: 5) == 6)
        #expect(ZooKeeperTree.nextVersion(after: -2) == 0)
        #expect(ZooKeeperTree.nextVersion(after: .max) == .min)
    }

    @Test func setACL_bumpsAversion_andChecksIt() throws {
        var h = harness()
        h.create("/a")
        let result = h.write(.setACL(path: "/a", acl: ZooKeeperACL.openUnsafe, version: 0))
        let stat = try #require(h.tree.stat(at: "/a"))
        #expect(result == .success(.aclSet(stat)))
        #expect(stat.aversion == 1)
        #expect(stat.version == 0)
        #expect(TreeHarness.code(h.write(.setACL(path: "/a", acl: ZooKeeperACL.openUnsafe, version: 0))) == .badVersion)
        #expect(TreeHarness.code(h.write(.setACL(path: "/a", acl: [], version: -1))) == .invalidACL)
        #expect(TreeHarness.code(h.write(.setACL(path: "/b", acl: ZooKeeperACL.openUnsafe, version: -1))) == .noNode)
    }

    @Test func check_comparesVersion() {
        var h = harness()
        h.create("/c")
        #expect(TreeHarness.code(h.write(.check(path: "/c", version: 0))) == .ok)
        #expect(TreeHarness.code(h.write(.check(path: "/c", version: 1))) == .badVersion)
        #expect(TreeHarness.code(h.write(.check(path: "/none", version: -1))) == .noNode)
    }

    @Test func failedWrites_stillConsumeTheirZxid() {
        var h = harness()
        h.create("/a")
        h.create("/a")
        #expect(h.tree.lastZxid == h.zxid)
        #expect(h.tree.stat(at: "/a")?.czxid == h.zxid - 1)
    }

    @Test func route_rejectsStatelessErrors_andProposesTheRest() {
        let create = ZooKeeperRequest.create(ZooKeeperCreateRequest(path: "/a", flags: 9))
        #expect(create.route(sessionID: 1, time: 5) == .reject(.badArguments))
        #expect(ZooKeeperRequest.unknown(opCode: 99).route(sessionID: 1, time: 5) == .reject(.unimplemented))
        #expect(ZooKeeperRequest.setACL(path: "/a", acl: [], version: -1).route(sessionID: 1, time: 5) == .reject(.invalidACL))
        #expect(ZooKeeperRequest.getData(path: "/a", watch: true).route(sessionID: 1, time: 5) == .local(.getData(path: "/a", watch: true)))
        #expect(ZooKeeperRequest.closeSession.route(sessionID: 3, time: 5)
            == .propose(ZooKeeperTransaction(time: 5, sessionID: 3, kind: .closeSession)))
        #expect(ZooKeeperRequest.delete(path: "/a", version: 2).route(sessionID: 3, time: 5)
            == .propose(ZooKeeperTransaction(time: 5, sessionID: 3, kind: .write(.delete(path: "/a", version: 2)))))
    }

    @Test func replies_followTheRequestShape() throws {
        var h = harness()
        let created = h.apply(.write(.create(ZooKeeperCreate(opCode: .create, path: "/a"))), session: 1).result
        #expect(created.reply(xid: 1)?.body == .create(path: "/a"))
        let created2 = h.apply(.write(.create(ZooKeeperCreate(opCode: .create2, path: "/b"))), session: 1).result
        let stat = try #require(h.tree.stat(at: "/b"))
        #expect(created2.reply(xid: 2)?.body == .create2(path: "/b", stat: stat))
        let failed = h.apply(.write(.delete(path: "/zz", version: -1)), session: 1).result
        #expect(failed.reply(xid: 3) == .failure(xid: 3, zxid: h.zxid, .noNode))
        let closed = h.apply(.closeSession, session: 1).result
        #expect(closed.reply(xid: 4) == ZooKeeperReply(header: ZooKeeperReplyHeader(xid: 4, zxid: h.zxid, err: .ok), body: .empty))
    }
}
