// Goal: containers and TTL nodes are swept as ZooKeeper's ContainerManager sweeps them, and
// the leader's deleteContainer re-checks its conditions when applied. Method: build the nodes,
// advance the leader clock through the harness, list candidates, apply deleteContainer.

import Testing
import TernZooKeeper

@Suite struct ContainerTests {
    func harness() -> TreeHarness {
        var harness = TreeHarness()
        harness.openSession(1)
        return harness
    }

    func deleteContainer(_ h: inout TreeHarness, _ path: String) -> ZooKeeperErrorCode {
        guard case let .write(result) = h.apply(.deleteContainer(path: path), session: 0).result.outcome else { return .systemError }
        return TreeHarness.code(result)
    }

    @Test func container_isCandidateOnlyAfterItsLastChildGoes() throws {
        var h = harness()
        let created = h.create("/lock", opCode: .createContainer, flags: 4)
        let stat = try #require(h.tree.stat(at: "/lock"))
        #expect(created == .success(.created(path: "/lock", stat: stat, opCode: .createContainer)))
        #expect(stat.ephemeralOwner == Int64.min)
        // Never had children: not a candidate, so a fresh container is not swept at once.
        #expect(h.tree.containerSweepCandidates(now: h.time).isEmpty)
        h.create("/lock/holder-", flags: 3)
        #expect(h.tree.containerSweepCandidates(now: h.time).isEmpty)
        #expect(deleteContainer(&h, "/lock") == .notEmpty)
        h.write(.delete(path: "/lock/holder-0000000000", version: -1))
        #expect(h.tree.containerSweepCandidates(now: h.time) == ["/lock"])

        _ = h.read(.exists(path: "/lock", watch: true), session: 1)
        let applied = h.apply(.deleteContainer(path: "/lock"), session: 0)
        #expect(applied.result.outcome == .write(.success(.deleted)))
        #expect(applied.notifications.map(\.event) == [ZooKeeperWatcherEvent(type: .nodeDeleted, path: "/lock")])
        #expect(h.tree.node(at: "/lock") == nil)
    }

    @Test func ttlNode_expiresAfterItsTTL_sinceLastDataChange() throws {
        var h = harness()
        h.create("/ttl", opCode: .createTTL, flags: 5, ttl: 100)
        #expect(h.tree.node(at: "/ttl")?.kind == .ttl(milliseconds: 100))
        #expect(h.tree.stat(at: "/ttl")?.ephemeralOwner == Int64(bitPattern: 0xFF00_0000_0000_0064))
        let mtime = try #require(h.tree.stat(at: "/ttl")).mtime
        #expect(h.tree.containerSweepCandidates(now: mtime + 100).isEmpty)
        #expect(h.tree.containerSweepCandidates(now: mtime + 101) == ["/ttl"])
        // Applied too early (the harness clock moves only 10 ms per transaction): refused.
        #expect(deleteContainer(&h, "/ttl") == .badVersion)
        h.time = mtime + 200
        #expect(deleteContainer(&h, "/ttl") == .ok)
    }

    @Test func ttlNode_touchedBeforeCommit_isKept() throws {
        var h = harness()
        h.create("/ttl", opCode: .createTTL, flags: 6, ttl: 50)
        let path = "/ttl0000000000"
        #expect(h.tree.node(at: path) != nil)
        h.time += 1_000
        #expect(h.tree.containerSweepCandidates(now: h.time) == [path])
        // A setData lands between the sweep and the commit.
        h.write(.setData(path: path, data: [1], version: -1))
        #expect(deleteContainer(&h, path) == .badVersion)
        #expect(h.tree.node(at: path) != nil)
    }

    @Test func deleteContainer_refusesOrdinaryNodes() {
        var h = harness()
        h.create("/p")
        h.create("/e", flags: 1)
        #expect(deleteContainer(&h, "/p") == .badVersion)
        #expect(deleteContainer(&h, "/e") == .badVersion)
        #expect(deleteContainer(&h, "/missing") == .noNode)
        #expect(deleteContainer(&h, "/zookeeper") == .badArguments)
    }

    @Test func createModes_validateTTLAndContainerFlags() {
        var h = harness()
        // A TTL mode needs createTTL and a TTL in 1...2^40-1, and only TTL modes take a TTL.
        #expect(TreeHarness.code(h.create("/a", flags: 5)) == .badArguments)
        #expect(TreeHarness.code(h.create("/a", opCode: .createTTL, flags: 5, ttl: 0)) == .badArguments)
        #expect(TreeHarness.code(h.create("/a", opCode: .createTTL, flags: 5, ttl: ZNodeKind.ttlMax + 1)) == .badArguments)
        #expect(TreeHarness.code(h.create("/a", opCode: .createTTL, flags: 0, ttl: 10)) == .badArguments)
        #expect(TreeHarness.code(h.create("/a", opCode: .createContainer, flags: 1)) == .badArguments)
        #expect(TreeHarness.code(h.create("/a", opCode: .createTTL, flags: 5, ttl: ZNodeKind.ttlMax)) == .ok)
        #expect(h.tree.node(at: "/a")?.kind == .ttl(milliseconds: ZNodeKind.ttlMax))
        // Children of containers and TTL nodes are fine; only ephemeral parents refuse them.
        #expect(TreeHarness.code(h.create("/a/child")) == .ok)
    }

    @Test func ephemeralOwner_kindsRoundTrip() {
        for kind in [ZNodeKind.persistent, .ephemeral(sessionID: 0x0100_0000_0000_0001), .container, .ttl(milliseconds: 12_345)] {
            #expect(ZNodeKind(ephemeralOwner: kind.ephemeralOwner) == kind)
        }
    }
}
