// Goal: one place that drives a ZooKeeperDatabase the way the Raft applier will, with rising
// zxids and a controllable leader clock, so the tree tests read as sequences of client actions.

import TernZooKeeper

struct TreeHarness {
    var database = ZooKeeperDatabase()
    var zxid: Int64 = 1 << 32
    var time: Int64 = 1_700_000_000_000

    var tree: ZooKeeperTree { database.tree }

    @discardableResult
    mutating func apply(_ kind: ZooKeeperTransaction.Kind, session: Int64) -> ZooKeeperDatabase.Applied {
        zxid += 1
        time += 10
        return database.apply(ZooKeeperTransaction(time: time, sessionID: session, kind: kind), zxid: zxid)
    }

    @discardableResult
    mutating func openSession(_ id: Int64, timeout: Int32 = 6_000) -> ZooKeeperApplyResult.Outcome {
        apply(.createSession(timeout: timeout, password: Array(repeating: UInt8(id & 0xFF), count: 16)), session: id).result.outcome
    }

    @discardableResult
    mutating func write(_ write: ZooKeeperWrite, session: Int64 = 1) -> Result<ZooKeeperWriteResult, ZooKeeperWriteError> {
        guard case let .write(result) = apply(.write(write), session: session).result.outcome else {
            preconditionFailure("a write transaction produced a non-write outcome")
        }
        return result
    }

    @discardableResult
    mutating func create(
        _ path: String, data: [UInt8] = [], opCode: ZooKeeperOpCode = .create, flags: Int32 = 0,
        ttl: Int64 = -1, session: Int64 = 1
    ) -> Result<ZooKeeperWriteResult, ZooKeeperWriteError> {
        write(.create(ZooKeeperCreate(opCode: opCode, path: path, data: data, flags: flags, ttl: ttl)), session: session)
    }

    /// The code a write failed with, or `ok`.
    static func code(_ result: Result<ZooKeeperWriteResult, ZooKeeperWriteError>) -> ZooKeeperErrorCode {
        switch result {
        case .success: .ok
        case let .failure(error): error.code
        }
    }

    /// The created path, or nil.
    static func createdPath(_ result: Result<ZooKeeperWriteResult, ZooKeeperWriteError>) -> String? {
        if case let .success(.created(path, _, _)) = result { return path }
        return nil
    }

    mutating func read(_ request: ZooKeeperLocalRequest, session: Int64 = 1, xid: Int32 = 7) -> ZooKeeperDatabase.Answered {
        database.handle(request, xid: xid, sessionID: session)
    }
}
