// Goal: watches fire as ZooKeeper's do: one-shot data, exists and child watches with the right
// event types and zxids, exists watches on missing paths, setWatches replaying missed changes on
// reconnect, persistent and recursive watches that stay, and the per-session limit. Method: set
// watches through local reads, apply writes, and compare the notifications produced.

import Testing
import TernZooKeeper

@Suite struct WatchTests {
    func harness() -> TreeHarness {
        var harness = TreeHarness()
        harness.openSession(1)
        harness.openSession(2)
        harness.create("/w", data: [1])
        return harness
    }

    func events(_ applied: ZooKeeperDatabase.Applied) -> [ZooKeeperWatcherEvent] {
        applied.notifications.map(\.event)
    }

    @Test func dataWatch_firesOnce_onChange() {
        var h = harness()
        #expect(h.read(.getData(path: "/w", watch: true), session: 2).reply.body
            == .data([1], stat: h.tree.stat(at: "/w") ?? ZooKeeperStat()))
        let first = h.apply(.write(.setData(path: "/w", data: [2], version: -1)), session: 1)
        #expect(first.notifications == [
            ZooKeeperWatchNotification(sessionID: 2, event: ZooKeeperWatcherEvent(type: .nodeDataChanged, path: "/w"), zxid: h.zxid),
        ])
        let second = h.apply(.write(.setData(path: "/w", data: [3], version: -1)), session: 1)
        #expect(second.notifications.isEmpty)
    }

    @Test func existsWatch_onMissingNode_firesOnCreate() {
        var h = harness()
        let answer = h.read(.exists(path: "/later", watch: true), session: 2)
        #expect(answer.reply.header.err == .noNode)
        #expect(events(h.apply(.write(.create(ZooKeeperCreate(path: "/later"))), session: 1))
            == [ZooKeeperWatcherEvent(type: .nodeCreated, path: "/later")])
    }

    @Test func getDataOnMissingNode_setsNoWatch() {
        var h = harness()
        #expect(h.read(.getData(path: "/later", watch: true), session: 2).reply.header.err == .noNode)
        #expect(h.read(.getChildren(path: "/later", watch: true), session: 2).reply.header.err == .noNode)
        #expect(h.apply(.write(.create(ZooKeeperCreate(path: "/later"))), session: 1).notifications.isEmpty)
    }

    @Test func childWatch_firesOnCreateAndDelete_ofChildren_notOnData() {
        var h = harness()
        _ = h.read(.getChildren2(path: "/w", watch: true), session: 2)
        #expect(h.apply(.write(.setData(path: "/w", data: [], version: -1)), session: 1).notifications.isEmpty)
        #expect(events(h.apply(.write(.create(ZooKeeperCreate(path: "/w/c"))), session: 1))
            == [ZooKeeperWatcherEvent(type: .nodeChildrenChanged, path: "/w")])
    }

    @Test func deletingNode_firesDeleted_onceForDataAndChildWatches() {
        var h = harness()
        _ = h.read(.getData(path: "/w", watch: true), session: 2)
        _ = h.read(.getChildren(path: "/w", watch: true), session: 2)
        _ = h.read(.getChildren(path: "/", watch: true), session: 1)
        let applied = h.apply(.write(.delete(path: "/w", version: -1)), session: 1)
        #expect(applied.notifications.map(\.sessionID) == [2, 1])
        #expect(events(applied) == [
            ZooKeeperWatcherEvent(type: .nodeDeleted, path: "/w"),
            ZooKeeperWatcherEvent(type: .nodeChildrenChanged, path: "/"),
        ])
        #expect(h.database.watches.registrationCount(of: 2) == 0)
    }

    @Test func sameEvent_goesToEveryWatchingSession_inIdOrder() {
        var h = harness()
        h.openSession(3)
        for session in [3, 1, 2] as [Int64] {
            _ = h.read(.exists(path: "/w", watch: true), session: session)
        }
        let applied = h.apply(.write(.setData(path: "/w", data: [], version: -1)), session: 1)
        #expect(applied.notifications.map(\.sessionID) == [1, 2, 3])
    }

    @Test func setWatches_firesMissedChanges_andRegistersTheRest() {
        var h = harness()
        h.create("/kept")
        h.create("/gone")
        let seen = h.zxid
        h.write(.setData(path: "/w", data: [9], version: -1))
        h.write(.delete(path: "/gone", version: -1))
        h.create("/born")
        h.create("/kept/child")
        let answer = h.read(.setWatches(ZooKeeperSetWatches(
            relativeZxid: seen, dataWatches: ["/w", "/gone", "/kept"], existWatches: ["/born", "/unborn"],
            childWatches: ["/kept", "/gone", "/"])), session: 2, xid: -8)
        #expect(answer.reply.header == ZooKeeperReplyHeader(xid: -8, zxid: h.zxid, err: .ok))
        #expect(answer.notifications.map(\.event) == [
            ZooKeeperWatcherEvent(type: .nodeDataChanged, path: "/w"),
            ZooKeeperWatcherEvent(type: .nodeDeleted, path: "/gone"),
            ZooKeeperWatcherEvent(type: .nodeCreated, path: "/born"),
            ZooKeeperWatcherEvent(type: .nodeChildrenChanged, path: "/kept"),
            ZooKeeperWatcherEvent(type: .nodeDeleted, path: "/gone"),
            ZooKeeperWatcherEvent(type: .nodeChildrenChanged, path: "/"),
        ])
        #expect(answer.notifications.allSatisfy { $0.zxid == -1 && $0.sessionID == 2 })
        // Registered: data on /kept and exists on /unborn.
        #expect(h.database.watches.registrationCount(of: 2) == 2)
        #expect(events(h.apply(.write(.create(ZooKeeperCreate(path: "/unborn"))), session: 1))
            == [ZooKeeperWatcherEvent(type: .nodeCreated, path: "/unborn")])
    }

    @Test func persistentWatch_staysAndSeesDataAndChildren() {
        var h = harness()
        #expect(h.read(.addWatch(path: "/w", mode: 0), session: 2).reply.header.err == .ok)
        #expect(events(h.apply(.write(.setData(path: "/w", data: [], version: -1)), session: 1))
            == [ZooKeeperWatcherEvent(type: .nodeDataChanged, path: "/w")])
        #expect(events(h.apply(.write(.create(ZooKeeperCreate(path: "/w/c"))), session: 1))
            == [ZooKeeperWatcherEvent(type: .nodeChildrenChanged, path: "/w")])
        // Not recursive: a grandchild's data change is not seen.
        #expect(h.apply(.write(.setData(path: "/w/c", data: [1], version: -1)), session: 1).notifications.isEmpty)
        #expect(h.read(.addWatch(path: "/w", mode: 7), session: 2).reply.header.err == .badArguments)
    }

    @Test func recursiveWatch_seesDescendants_butNotChildListChanges() {
        var h = harness()
        _ = h.read(.addWatch(path: "/w", mode: 1), session: 2)
        #expect(events(h.apply(.write(.create(ZooKeeperCreate(path: "/w/a"))), session: 1))
            == [ZooKeeperWatcherEvent(type: .nodeCreated, path: "/w/a")])
        #expect(events(h.apply(.write(.create(ZooKeeperCreate(path: "/w/a/b"))), session: 1))
            == [ZooKeeperWatcherEvent(type: .nodeCreated, path: "/w/a/b")])
        #expect(events(h.apply(.write(.delete(path: "/w/a/b", version: -1)), session: 1))
            == [ZooKeeperWatcherEvent(type: .nodeDeleted, path: "/w/a/b")])
        #expect(h.apply(.write(.create(ZooKeeperCreate(path: "/other"))), session: 1).notifications.isEmpty)
        // Dropping the connection forgets it.
        h.database.connectionClosed(sessionID: 2)
        #expect(h.apply(.write(.create(ZooKeeperCreate(path: "/w/z"))), session: 1).notifications.isEmpty)
    }

    @Test func watchLimit_refusesFurtherRegistrations() {
        var table = ZooKeeperWatchTable()
        for index in 0..<ZooKeeperLimits.watchesPerSessionMax {
            _ = table.addStandard(.data, path: "/p\(index)", sessionID: 1)
        }
        #expect(table.registrationCount(of: 1) == ZooKeeperLimits.watchesPerSessionMax)
        let overLimit = table.addStandard(.child, path: "/p0", sessionID: 1)
        let repeated = table.addStandard(.data, path: "/p0", sessionID: 1)
        let otherSession = table.addStandard(.data, path: "/p0", sessionID: 2)
        #expect(!overLimit)
        #expect(repeated)
        #expect(otherSession)
        table.removeSession(1)
        #expect(table.registrationCount(of: 1) == 0)
        let afterRemoval = table.addStandard(.child, path: "/p0", sessionID: 1)
        #expect(afterRemoval)
    }

    @Test func localReads_answerLikeZooKeeper() throws {
        var h = harness()
        h.create("/w/e", flags: 1, session: 2)
        h.create("/w/f", flags: 1, session: 2)
        let stat = try #require(h.tree.stat(at: "/w"))
        #expect(h.read(.getChildren(path: "/w", watch: false)).reply.body == .children(["e", "f"]))
        #expect(h.read(.getChildren2(path: "/w", watch: false)).reply.body == .children2(["e", "f"], stat: stat))
        #expect(h.read(.getACL(path: "/w")).reply.body == .acl(ZooKeeperACL.openUnsafe, stat: stat))
        #expect(h.read(.getACL(path: "/x")).reply.header.err == .noNode)
        #expect(h.read(.sync(path: "/w")).reply.body == .sync(path: "/w"))
        #expect(h.read(.ping, xid: -2).reply.header == ZooKeeperReplyHeader(xid: -2, zxid: h.zxid, err: .ok))
        #expect(h.read(.exists(path: "/a\u{0}", watch: false)).reply.header.err == .badArguments)
        #expect(h.read(.getEphemerals(prefixPath: " / "), session: 2).reply.body == .ephemerals(["/w/e", "/w/f"]))
        #expect(h.read(.getEphemerals(prefixPath: "/w/f"), session: 2).reply.body == .ephemerals(["/w/f"]))
        #expect(h.read(.getEphemerals(prefixPath: ""), session: 1).reply.body == .ephemerals([]))
        #expect(h.read(.getAllChildrenNumber(path: "/")).reply.body == .allChildrenNumber(5))
        #expect(h.read(.getAllChildrenNumber(path: "/w")).reply.body == .allChildrenNumber(2))
        #expect(h.read(.getAllChildrenNumber(path: "/nope")).reply.header.err == .noNode)
        #expect(h.read(.auth(ZooKeeperAuthPacket(scheme: "digest", auth: [])), xid: -4).reply.header.err == .ok)
        #expect(h.read(.ping, session: 77).reply.header.err == .sessionExpired)
    }
}
