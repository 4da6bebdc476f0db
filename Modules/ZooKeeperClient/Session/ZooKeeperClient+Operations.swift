import NIOCore
public import TernZooKeeper

// The public operations: each maps its paths through the chroot, sends one request and turns
// the reply into a value or a `ZooKeeperError`.
extension ZooKeeperClient {
    /// Creates `path` and returns the created path (with its counter for sequential modes).
    public func create(
        _ path: String, data: [UInt8] = [], mode: ZooKeeperCreateMode = .persistent
    ) async throws(ZooKeeperError) -> String {
        let request = ZooKeeperCreateRequest(path: connectString.serverPath(path), data: data, flags: mode.rawValue)
        let body = try await call(.create(request), path: path)
        guard case .create(let created) = body else { throw .malformedReply("create answered \(body)") }
        return connectString.clientPath(created)
    }

    /// Deletes `path` if its version is `version` (-1: any).
    public func delete(_ path: String, version: Int32 = -1) async throws(ZooKeeperError) {
        _ = try await call(.delete(path: connectString.serverPath(path), version: version), path: path)
    }

    /// The node's stat, or nil when it does not exist. With `watch`, the next creation,
    /// change or deletion of `path` fires an event.
    public func exists(_ path: String, watch: Bool = false) async throws(ZooKeeperError) -> ZooKeeperStat? {
        let body: ZooKeeperResponseBody
        do throws(ZooKeeperError) {
            body = try await call(
                .exists(path: connectString.serverPath(path), watch: watch), path: path,
                watch: watch ? (.exist, path) : nil)
        } catch .noNode {
            return nil
        }
        guard case .stat(let stat) = body else { throw .malformedReply("exists answered \(body)") }
        return stat
    }

    /// The node's data and stat. With `watch`, its next change or deletion fires an event.
    public func getData(_ path: String, watch: Bool = false) async throws(ZooKeeperError) -> (data: [UInt8], stat: ZooKeeperStat) {
        let body = try await call(
            .getData(path: connectString.serverPath(path), watch: watch), path: path, watch: watch ? (.data, path) : nil)
        guard case .data(let data, let stat) = body else { throw .malformedReply("getData answered \(body)") }
        return (data, stat)
    }

    /// Replaces the node's data if its version is `version` (-1: any); returns the new stat.
    @discardableResult
    public func setData(_ path: String, data: [UInt8], version: Int32 = -1) async throws(ZooKeeperError) -> ZooKeeperStat {
        let body = try await call(.setData(path: connectString.serverPath(path), data: data, version: version), path: path)
        guard case .stat(let stat) = body else { throw .malformedReply("setData answered \(body)") }
        return stat
    }

    /// The node's children, sorted. With `watch`, the next change of the list or deletion of
    /// the node fires an event.
    public func getChildren(_ path: String, watch: Bool = false) async throws(ZooKeeperError) -> [String] {
        let body = try await call(
            .getChildren(path: connectString.serverPath(path), watch: watch), path: path, watch: watch ? (.child, path) : nil)
        guard case .children(let children) = body else { throw .malformedReply("getChildren answered \(body)") }
        return children.sorted()
    }

    /// The node's children, sorted, and its stat (getChildren2).
    public func getChildrenAndStat(
        _ path: String, watch: Bool = false
    ) async throws(ZooKeeperError) -> (children: [String], stat: ZooKeeperStat) {
        let body = try await call(
            .getChildren2(path: connectString.serverPath(path), watch: watch), path: path, watch: watch ? (.child, path) : nil)
        guard case .children2(let children, let stat) = body else { throw .malformedReply("getChildren2 answered \(body)") }
        return (children.sorted(), stat)
    }

    /// Waits until the server this client is connected to has caught up with the leader, so a
    /// read that follows sees every write committed before the sync.
    public func sync(_ path: String = "/") async throws(ZooKeeperError) {
        _ = try await call(.sync(path: connectString.serverPath(path)), path: path)
    }

    /// Applies `operations` atomically: all of them or none. Fails with `.multiFailed` naming
    /// the first operation that failed and why.
    @discardableResult
    public func multi(_ operations: [ZooKeeperMultiOperation]) async throws(ZooKeeperError) -> [ZooKeeperMultiResult] {
        let mapped = operations.map(serverOperation)
        // A failed multi's header carries the first error, and its body still lists every
        // op's result; `call` hands that body back so the failing op can be named.
        let body = try await call(.multi(mapped), path: "multi")
        guard case .multi(let results) = body else { throw .malformedReply("multi answered \(body)") }
        if let failure = multiFailure(results, operations: operations) { throw failure }
        return results.map(clientResult)
    }

    private func serverOperation(_ operation: ZooKeeperMultiOperation) -> ZooKeeperMultiOperation {
        switch operation {
        case .create(var request):
            request.path = connectString.serverPath(request.path)
            return .create(request)
        case .delete(let path, let version): return .delete(path: connectString.serverPath(path), version: version)
        case .setData(let path, let data, let version):
            return .setData(path: connectString.serverPath(path), data: data, version: version)
        case .check(let path, let version): return .check(path: connectString.serverPath(path), version: version)
        }
    }

    private func clientResult(_ result: ZooKeeperMultiResult) -> ZooKeeperMultiResult {
        switch result {
        case .create(let path): .create(path: connectString.clientPath(path))
        case .create2(let path, let stat): .create2(path: connectString.clientPath(path), stat: stat)
        case .delete, .setData, .check, .error: result
        }
    }

    private func multiFailure(_ results: [ZooKeeperMultiResult], operations: [ZooKeeperMultiOperation]) -> ZooKeeperError? {
        for (index, result) in results.enumerated() {
            guard case .error(let code) = result, code != .ok, code != .runtimeInconsistency else { continue }
            let path = index < operations.count ? operations[index].path : "multi"
            return .multiFailed(index: index, ZooKeeperError(code: code, path: path))
        }
        return nil
    }
}

extension ZooKeeperMultiOperation {
    /// The path the operation is about.
    public var path: String {
        switch self {
        case .create(let request): request.path
        case .delete(let path, _), .setData(let path, _, _), .check(let path, _): path
        }
    }
}
