public import Logging
public import TernCoordination
public import TernPrimitives
public import TernTransport
import TernZooKeeper

/// The `zk://` coordination backend: cluster metadata in Kafka's ZooKeeper-mode znode layout,
/// on Apache ZooKeeper or Tern's coordinator ensemble. See the design note in
/// ZooKeeperClient.swift.
///
/// The snapshot is a cache of the nodes, each read with a watch; a watch event reloads the
/// node it names (`KafkaSnapshotKey`), and every write reloads what it changed before it
/// returns, so this client's `metadata()` reflects its own writes at once and other brokers'
/// writes as soon as their watches fire.
public actor ZooKeeperCoordinationClient: CoordinationClient {
    let zooKeeper: ZooKeeperClient
    let clock: any BrokerClock
    let logger: Logger
    var cache: KafkaMetadataCache
    private var published: ClusterMetadata
    private var subscribers: [UInt64: AsyncStream<ClusterMetadata>.Continuation] = [:]
    private var subscriberCount: UInt64 = 0
    var isClosed = false
    /// What this client registered and claimed, to restore after a session expiry.
    var registration: BrokerRegistration?
    var claimedController: Int32?
    /// The controller epoch this client last won or read, stamped into partition states.
    var controllerEpoch: Int32 = 0

    private var dirty: Set<KafkaSnapshotKey> = []
    private var fullReloadPending = false
    private var refreshing = false
    private var nextBatchWaiters: [CheckedContinuation<Bool, Never>] = []
    private var sessionExpired = false
    private var eventTask: Task<Void, Never>?

    private init(zooKeeper: ZooKeeperClient, clock: any BrokerClock, logger: Logger, clusterId: String) {
        self.zooKeeper = zooKeeper
        self.clock = clock
        self.logger = logger
        cache = KafkaMetadataCache(clusterId: clusterId)
        published = cache.snapshot(version: 0)
    }

    /// Connects to the ensemble, creates the chroot and Kafka's top-level nodes if missing,
    /// creates `/cluster/id` with `newClusterId` on a new cluster, and loads the metadata.
    public static func open(
        connectString: ZooKeeperConnectString, configuration: ZooKeeperClientConfiguration = ZooKeeperClientConfiguration(),
        transport: any Transport, clock: any BrokerClock, logger: Logger, newClusterId: String
    ) async throws(CoordinationError) -> ZooKeeperCoordinationClient {
        let zooKeeper = ZooKeeperClient(connectString: connectString, configuration: configuration, transport: transport, logger: logger)
        do throws(ZooKeeperError) {
            try await zooKeeper.start()
            try await zooKeeper.createChrootIfMissing()
            for path in KafkaZNodePath.persistent { try await createIfMissing(path, zooKeeper) }
            let clusterId = try await readOrCreateClusterId(newClusterId, zooKeeper)
            let client = ZooKeeperCoordinationClient(zooKeeper: zooKeeper, clock: clock, logger: logger, clusterId: clusterId)
            try await client.start()
            return client
        } catch .connectionLoss {
            await zooKeeper.close()
            throw .unavailable("no ZooKeeper server of \(connectString) answered within \(configuration.requestConnectionWait)")
        } catch {
            await zooKeeper.close()
            throw .unavailable("ZooKeeper at \(connectString): \(error)")
        }
    }

    private static func createIfMissing(_ path: String, _ zooKeeper: ZooKeeperClient) async throws(ZooKeeperError) {
        do throws(ZooKeeperError) {
            _ = try await zooKeeper.create(path)
        } catch .nodeExists {
            return
        }
    }

    private static func readOrCreateClusterId(_ newClusterId: String, _ zooKeeper: ZooKeeperClient) async throws(ZooKeeperError) -> String {
        for _ in 0..<3 {
            do throws(ZooKeeperError) {
                let (data, _) = try await zooKeeper.getData(KafkaZNodePath.clusterId)
                do {
                    return try KafkaZNodeData.decode(KafkaZNodeData.ClusterId.self, from: data, path: KafkaZNodePath.clusterId).id
                } catch {
                    throw ZooKeeperError.malformedReply(error.description)
                }
            } catch .noNode {
                do throws(ZooKeeperError) {
                    _ = try await zooKeeper.create(KafkaZNodePath.clusterId, data: KafkaZNodeData.encode(KafkaZNodeData.ClusterId(id: newClusterId)))
                    return newClusterId
                } catch .nodeExists {
                    continue
                }
            }
        }
        throw .connectionLoss
    }

    private func start() async throws(ZooKeeperError) {
        try await load(KafkaSnapshotKey.roots, fullReload: true)
        published = cache.snapshot(version: 1)
        eventTask = Task { await self.followEvents() }
    }

    /// The ZooKeeper session this client holds.
    public var sessionID: Int64 {
        get async { await zooKeeper.sessionID }
    }

    /// The session's id and password (for tools and tests that need to end it elsewhere).
    public var credentials: ZooKeeperSessionCredentials? {
        get async { await zooKeeper.credentials }
    }

    public func metadata() -> ClusterMetadata {
        published
    }

    public func updates() -> AsyncStream<ClusterMetadata> {
        let (stream, continuation) = AsyncStream.makeStream(of: ClusterMetadata.self, bufferingPolicy: .bufferingNewest(1))
        guard !isClosed else {
            continuation.finish()
            return stream
        }
        continuation.yield(published)
        subscriberCount += 1
        subscribers[subscriberCount] = continuation
        return stream
    }

    public func close() async {
        guard !isClosed else { return }
        isClosed = true
        for subscriber in subscribers.values { subscriber.finish() }
        subscribers = [:]
        await zooKeeper.close()
        await eventTask?.value
    }

    /// Reacts to the session: reloads what watches name, and after an expiry restores this
    /// broker's registration (and its controller claim, if it still can) and reloads everything.
    private func followEvents() async {
        for await event in zooKeeper.events {
            switch event {
            case .watch(_, let path):
                if let key = KafkaSnapshotKey(watchedPath: path) { await refresh([key]) }
            case .expired:
                sessionExpired = true
            case .connected:
                if sessionExpired {
                    sessionExpired = false
                    await restoreAfterExpiry()
                    await refresh(KafkaSnapshotKey.roots, fullReload: true)
                } else if !dirty.isEmpty {
                    await refresh([])
                }
            case .disconnected, .closed:
                break
            }
        }
    }

    private func restoreAfterExpiry() async {
        if let registration {
            do throws(CoordinationError) {
                try await registerBroker(registration)
                logger.info("broker registration restored after session expiry", metadata: ["broker": "\(registration.id)"])
            } catch {
                logger.error("broker registration not restored after session expiry", metadata: ["error": "\(error)"])
            }
        }
        if let claimed = claimedController {
            claimedController = nil
            _ = try? await claimController(brokerId: claimed)
        }
    }

    /// Reloads `keys` (and everything after a session expiry with `fullReload`), then
    /// publishes the snapshot if it changed. One batch runs at a time; a caller whose keys
    /// arrive during a batch waits for the next one, so when this returns its keys were read
    /// after the call began.
    func refresh(_ keys: Set<KafkaSnapshotKey>, fullReload: Bool = false) async {
        dirty.formUnion(keys)
        if fullReload { fullReloadPending = true }
        // Whether a batch is running is checked where the caller queues for the next one:
        // `await` may suspend before the body runs, and the batches could end meanwhile,
        // with nobody left to run this caller's keys. Then it runs them itself.
        while refreshing {
            let queued = await withCheckedContinuation { continuation in
                if refreshing { nextBatchWaiters.append(continuation) } else { continuation.resume(returning: false) }
            }
            if queued { return }
        }
        refreshing = true
        while !isClosed, !dirty.isEmpty || fullReloadPending {
            let batch = dirty
            let full = fullReloadPending
            let waiters = nextBatchWaiters
            (dirty, fullReloadPending, nextBatchWaiters) = ([], false, [])
            var failed = false
            do throws(ZooKeeperError) {
                try await load(batch, fullReload: full)
            } catch {
                // Retried on the next event or reconnect.
                logger.debug("metadata reload failed", metadata: ["error": "\(error)"])
                dirty.formUnion(batch)
                fullReloadPending = fullReloadPending || full
                failed = true
            }
            publishIfChanged()
            for waiter in waiters { waiter.resume(returning: true) }
            if failed { break }
        }
        let waiters = nextBatchWaiters
        nextBatchWaiters = []
        for waiter in waiters { waiter.resume(returning: true) }
        refreshing = false
    }

    private func publishIfChanged() {
        var next = cache.snapshot(version: published.version)
        guard next != published else { return }
        next.version = published.version + 1
        published = next
        for (key, subscriber) in subscribers {
            if case .terminated = subscriber.yield(next) { subscribers[key] = nil }
        }
    }

    /// Runs a ZooKeeper step of a write, turning session and connection failures into
    /// coordination errors.
    func step<Value>(_ body: () async throws(ZooKeeperError) -> Value) async throws(CoordinationError) -> Value {
        guard !isClosed else { throw .closed }
        do throws(ZooKeeperError) {
            return try await body()
        } catch .closed {
            throw .closed
        } catch {
            throw .unavailable("ZooKeeper: \(error)")
        }
    }
}
