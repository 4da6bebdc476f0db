// Goal: every opcode the server serves, sent as real jute frames through the transport, with
// the reply shapes kazoo and the Java client expect; plus the error paths a client can cause
// (BadVersion, NoNode, NodeExists, unknown opcode, oversized data).

import Testing
import TernZooKeeper
@testable import TernZooKeeperServer

@Suite struct ServerOpcodeTests {
    @Test func writesAndReads_everyOpcode_answerLikeZooKeeper() async throws {
        try await ServerHarness.run { server in
            try await server.withClient { client in
                try await client.handshake()
                let created = try await client.call(.create("/a", [1, 2]))
                #expect(created.body == .create(path: "/a"))
                let created2 = try await client.call(.create("/a/b", [3], opCode: .create2))
                guard case .create2("/a/b", let stat) = created2.body else { Issue.record("create2: \(created2.body)"); return }
                #expect(stat.dataLength == 1)
                #expect(try await client.call(.create("/a")).header.err == .nodeExists)
                let sequential = try await client.call(.create("/a/s-", flags: 2))
                #expect(sequential.body == .create(path: "/a/s-0000000001"))

                let data = try await client.call(.getData(path: "/a", watch: false))
                guard case .data([1, 2], let aStat) = data.body else { Issue.record("getData: \(data.body)"); return }
                #expect(aStat.numChildren == 2)
                #expect(data.header.zxid == aStat.pzxid)
                let set = try await client.call(.setData(path: "/a", data: [9], version: 0))
                guard case .stat(let setStat) = set.body else { Issue.record("setData: \(set.body)"); return }
                #expect(setStat.version == 1)
                #expect(try await client.call(.setData(path: "/a", data: [9], version: 0)).header.err == .badVersion)
                #expect(try await client.call(.exists(path: "/nope", watch: false)).header.err == .noNode)
                #expect(try await client.call(.getChildren(path: "/a", watch: false)).body == .children(["b", "s-0000000001"]))
                let children2 = try await client.call(.getChildren2(path: "/", watch: false))
                guard case .children2(let names, _) = children2.body else { Issue.record("getChildren2"); return }
                #expect(names == ["a", "zookeeper"])
                let acl = try await client.call(.getACL(path: "/a"))
                guard case .acl(let entries, _) = acl.body else { Issue.record("getACL"); return }
                #expect(entries == ZooKeeperACL.openUnsafe)
                let setACL = try await client.call(.setACL(path: "/a", acl: ZooKeeperACL.openUnsafe, version: 0))
                guard case .stat(let aclStat) = setACL.body else { Issue.record("setACL"); return }
                #expect(aclStat.aversion == 1)
                #expect(try await client.call(.check(path: "/a", version: 1)).header.err == .ok)
                #expect(try await client.call(.sync(path: "/a")).body == .sync(path: "/a"))
                #expect(try await client.call(.auth(ZooKeeperAuthPacket(scheme: "digest", auth: Array("u:p".utf8)))).header.err == .ok)
                #expect(try await client.call(.delete(path: "/a", version: -1)).header.err == .notEmpty)
                #expect(try await client.call(.delete(path: "/a/b", version: 5)).header.err == .badVersion)
                #expect(try await client.call(.delete(path: "/a/b", version: 0)).header.err == .ok)
                #expect(try await client.call(.getAllChildrenNumber(path: "/a")).body == .allChildrenNumber(1))
            }
        }
    }

    @Test func multi_failingOp_appliesNothingAndReportsPerOpResults() async throws {
        try await ServerHarness.run { server in
            try await server.withClient { client in
                try await client.handshake()
                let failed = try await client.call(.multi([
                    .create(ZooKeeperCreateRequest(path: "/m1")), .check(path: "/missing", version: -1),
                    .create(ZooKeeperCreateRequest(path: "/m2")),
                ]))
                #expect(failed.header.err == .ok)
                #expect(failed.body == .multi([.error(.ok), .error(.noNode), .error(.runtimeInconsistency)]))
                #expect(try await client.call(.exists(path: "/m1", watch: false)).header.err == .noNode)
                let passed = try await client.call(.multi([
                    .create(ZooKeeperCreateRequest(path: "/m1", data: [1])), .setData(path: "/m1", data: [2], version: 0),
                    .check(path: "/m1", version: 1), .delete(path: "/m1", version: 1),
                ]))
                guard case .multi(let results) = passed.body, results.count == 4 else { Issue.record("multi: \(passed.body)"); return }
                #expect(results[0] == .create(path: "/m1"))
                #expect(results[2] == .check)
                #expect(results[3] == .delete)
            }
        }
    }

    @Test func unknownOpcode_getsUnimplementedAndConnectionStays() async throws {
        try await ServerHarness.run { server in
            try await server.withClient { client in
                try await client.handshake()
                #expect(try await client.call(.unknown(opCode: 77)).header.err == .unimplemented)
                #expect(try await client.call(.ping).header.err == .ok)
            }
        }
    }

    @Test func setData_overDataLimit_isBadArguments() async throws {
        try await ServerHarness.run { server in
            try await server.withClient { client in
                try await client.handshake()
                #expect(try await client.call(.create("/big")).header.err == .ok)
                let tooBig = [UInt8](repeating: 7, count: ZooKeeperLimits.dataBytesMax + 1)
                #expect(try await client.call(.setData(path: "/big", data: tooBig, version: -1)).header.err == .badArguments)
                let fits = [UInt8](repeating: 7, count: ZooKeeperLimits.dataBytesMax)
                #expect(try await client.call(.setData(path: "/big", data: fits, version: -1)).header.err == .ok)
            }
        }
    }
}
