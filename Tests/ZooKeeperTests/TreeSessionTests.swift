// Goal: sessions behave as ZooKeeper's: ephemerals belong to their session and vanish with it,
// firing NodeDeleted and the parent's NodeChildrenChanged; ids and passwords are the leader's
// choice; connect requests get ZooKeeper's verdicts; the leader's expiry clock is exact.
// Method: drive the database through the harness; exercise the pure helpers directly.

import Testing
import TernPrimitives
import TernZooKeeper

@Suite struct TreeSessionTests {
    @Test func createSession_recordsSession_andRefusesBadIds() {
        var h = TreeHarness()
        #expect(h.openSession(0x100, timeout: 4_000)
            == .sessionCreated(ZooKeeperSession(id: 0x100, timeout: 4_000, password: Array(repeating: 0, count: 16))))
        #expect(h.openSession(0x100) == .sessionRefused(.runtimeInconsistency))
        #expect(h.openSession(0) == .sessionRefused(.runtimeInconsistency))
        #expect(h.openSession(.min) == .sessionRefused(.runtimeInconsistency))
        #expect(h.openSession(Int64(bitPattern: 0xFF00_0000_0000_0001)) == .sessionRefused(.runtimeInconsistency))
        #expect(h.openSession(0x200, timeout: 0) == .sessionRefused(.badArguments))
        #expect(h.tree.sessions.keys.sorted() == [0x100])
    }

    @Test func closeSession_deletesEphemerals_andFiresWatches() throws {
        var h = TreeHarness()
        h.openSession(1)
        h.openSession(2)
        h.create("/app", session: 2)
        h.create("/app/lock-", flags: 3, session: 1)
        h.create("/app/member", flags: 1, session: 1)
        h.create("/app/keep", flags: 1, session: 2)
        #expect(h.tree.ephemeralPaths(of: 1) == ["/app/lock-0000000000", "/app/member"])
        #expect(h.tree.node(at: "/app/member")?.kind == .ephemeral(sessionID: 1))
        #expect(h.tree.stat(at: "/app/member")?.ephemeralOwner == 1)

        // Session 2 watches the parent's children and one ephemeral's data.
        _ = h.read(.getChildren(path: "/app", watch: true), session: 2)
        _ = h.read(.exists(path: "/app/member", watch: true), session: 2)
        // Session 1's own watch must not be delivered to a closed session.
        _ = h.read(.getData(path: "/app/member", watch: true), session: 1)

        let applied = h.apply(.closeSession, session: 1)
        #expect(applied.result.outcome == .sessionClosed)
        #expect(applied.result.triggers == [
            ZooKeeperWatchTrigger(path: "/app/lock-0000000000", type: .nodeDeleted),
            ZooKeeperWatchTrigger(path: "/app", type: .nodeChildrenChanged),
            ZooKeeperWatchTrigger(path: "/app/member", type: .nodeDeleted),
            ZooKeeperWatchTrigger(path: "/app", type: .nodeChildrenChanged),
        ])
        // The child watch is one-shot: it fires for the first deletion only.
        #expect(applied.notifications == [
            ZooKeeperWatchNotification(sessionID: 2, event: ZooKeeperWatcherEvent(type: .nodeChildrenChanged, path: "/app"), zxid: h.zxid),
            ZooKeeperWatchNotification(sessionID: 2, event: ZooKeeperWatcherEvent(type: .nodeDeleted, path: "/app/member"), zxid: h.zxid),
        ])
        #expect(h.tree.sortedChildren(of: "/app") == ["keep"])
        #expect(h.tree.session(1) == nil)
        #expect(h.tree.ephemeralPaths(of: 1).isEmpty)
        #expect(h.tree.stat(at: "/app")?.pzxid == h.zxid)
        #expect(h.database.watches.registrationCount(of: 1) == 0)
        // Closing again is harmless, and the closed session can no longer write or read.
        #expect(h.apply(.closeSession, session: 1).result.outcome == .sessionClosed)
        #expect(TreeHarness.code(h.create("/late", session: 1)) == .sessionExpired)
        #expect(h.read(.exists(path: "/", watch: false), session: 1).reply.header.err == .sessionExpired)
    }

    @Test func deleteOfEphemeral_removesItFromSessionIndex() {
        var h = TreeHarness()
        h.openSession(1)
        h.create("/e", flags: 1)
        h.write(.delete(path: "/e", version: -1))
        #expect(h.tree.ephemeralPaths(of: 1).isEmpty)
        h.apply(.closeSession, session: 1)
        #expect(h.tree.nodeCount == 3)
    }

    @Test func decideConnect_followsZooKeeper() {
        var h = TreeHarness()
        h.openSession(0x55)
        let policy = ZooKeeperSessionTimeoutPolicy(tickTime: .seconds(2))
        let fresh = ZooKeeperConnectRequest(lastZxidSeen: 0, timeOut: 100, sessionID: 0, password: Array(repeating: 0, count: 16), readOnly: false)
        #expect(h.database.decideConnect(fresh, timeouts: policy) == .createSession(timeout: 4_000))

        var resume = fresh
        resume.sessionID = 0x55
        resume.password = Array(repeating: 0x55, count: 16)
        resume.timeOut = 1_000_000
        #expect(h.database.decideConnect(resume, timeouts: policy)
            == .resume(ZooKeeperConnectResponse(timeOut: 40_000, sessionID: 0x55, password: resume.password, readOnly: false)))

        var wrongPassword = resume
        wrongPassword.password = Array(repeating: 1, count: 16)
        wrongPassword.readOnly = nil
        #expect(h.database.decideConnect(wrongPassword, timeouts: policy)
            == .refuse(ZooKeeperConnectResponse(timeOut: 0, sessionID: 0, password: Array(repeating: 0, count: 16), readOnly: nil)))

        var ahead = fresh
        ahead.lastZxidSeen = h.tree.lastZxid + 1
        #expect(h.database.decideConnect(ahead, timeouts: policy) == .serverBehind)
    }

    @Test func connectResponse_forNewSession_echoesReadOnlyPresence() {
        let session = ZooKeeperSession(id: 9, timeout: 6_000, password: Array(repeating: 4, count: 16))
        let modern = ZooKeeperConnectRequest(lastZxidSeen: 0, timeOut: 6_000, sessionID: 0, password: [], readOnly: false)
        var old = modern
        old.readOnly = nil
        #expect(ZooKeeperConnectResponse(for: session, replyingTo: modern).readOnly == false)
        #expect(ZooKeeperConnectResponse(for: session, replyingTo: old).readOnly == nil)
    }

    @Test func timeoutPolicy_clampsToTwoAndTwentyTicks() {
        let policy = ZooKeeperSessionTimeoutPolicy(tickTime: .milliseconds(500))
        #expect(policy.minimum == 1_000)
        #expect(policy.maximum == 10_000)
        #expect(policy.negotiate(10) == 1_000)
        #expect(policy.negotiate(5_000) == 5_000)
        #expect(policy.negotiate(.max) == 10_000)
        #expect(ZooKeeperSessionTimeoutPolicy(tickTime: .seconds(1_000_000_000)).maximum == .max)
    }

    @Test func sessionIDGenerator_layoutAndValidity() throws {
        var generator = try #require(ZooKeeperSessionIDGenerator(serverID: 3, wallClockMilliseconds: 0x0123_4567_89AB))
        let first = generator.nextID()
        let second = generator.nextID()
        #expect(first >> 56 == 3)
        #expect(second == first + 1)
        #expect((first >> 16) & 0xFF_FFFF_FFFF == 0x0123_4567_89AB & 0xFF_FFFF_FFFF)
        #expect(ZooKeeperSessionIDGenerator(serverID: 0xFF, wallClockMilliseconds: 1) == nil)
        var random = SeededRandom(seed: 1)
        var again = SeededRandom(seed: 1)
        let password = ZooKeeperSessionIDGenerator.password(using: &random)
        #expect(password.count == 16)
        #expect(password == ZooKeeperSessionIDGenerator.password(using: &again))
    }

    @Test func tracker_expiresExactlyAtDeadline_andTouchExtends() {
        var tracker = ZooKeeperSessionTracker()
        let start = Instant(nanoseconds: 1_000_000_000)
        tracker.track(1, timeoutMilliseconds: 4_000, now: start)
        tracker.track(2, timeoutMilliseconds: 10_000, now: start)
        #expect(tracker.nextDeadline == start + .seconds(4))
        #expect(tracker.expired(now: start + .milliseconds(3_999)).isEmpty)
        let touched = tracker.touch(1, now: start + .seconds(3))
        #expect(touched)
        #expect(tracker.expired(now: start + .seconds(4)).isEmpty)
        #expect(tracker.expired(now: start + .seconds(10)) == [1, 2])
        let unknownTouched = tracker.touch(3, now: start)
        #expect(!unknownTouched)
        tracker.touch(2, now: start + .seconds(10), timeoutMilliseconds: 1_000)
        #expect(tracker.expired(now: start + .seconds(11)) == [1, 2])
        tracker.remove(1)
        #expect(tracker.count == 1)

        var h = TreeHarness()
        h.openSession(7, timeout: 2_000)
        h.openSession(8, timeout: 3_000)
        tracker.trackAll(h.tree, now: start)
        #expect(tracker.count == 2)
        #expect(tracker.expired(now: start + .seconds(2)) == [7])
    }
}
