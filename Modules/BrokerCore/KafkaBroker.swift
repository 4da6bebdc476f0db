public import Logging
public import TernCoordination
public import TernPrimitives

/// The broker's life outside request handling: it registers with the coordination service,
/// follows the cluster metadata (the cache handlers read and the replicas it hosts), runs log
/// maintenance, and shuts the logs down cleanly.
public actor KafkaBroker {
    private let configuration: BrokerConfiguration
    private let coordination: any CoordinationClient
    /// The partitions hosted here.
    public nonisolated let replicas: ReplicaManager
    /// The metadata handlers read.
    public nonisolated let metadata: MetadataCache
    private let clock: any BrokerClock
    private let logger: Logger
    private let maintenanceInterval: Duration

    /// A broker; `start()` makes it live.
    public init(configuration: BrokerConfiguration, coordination: any CoordinationClient, replicas: ReplicaManager,
                metadata: MetadataCache, clock: any BrokerClock, logger: Logger, maintenanceInterval: Duration = .seconds(300)) {
        self.configuration = configuration
        self.coordination = coordination
        self.replicas = replicas
        self.metadata = metadata
        self.clock = clock
        self.logger = logger
        self.maintenanceInterval = maintenanceInterval
    }

    /// Registers the broker, claims the controller if it is free, and hosts the partitions the
    /// current metadata assigns here, so the listener can open with everything in place.
    public func start() async throws(CoordinationError) {
        try await coordination.registerBroker(BrokerRegistration(
            id: configuration.nodeId, host: configuration.advertisedHost, port: configuration.advertisedPort, rack: configuration.rack))
        let controller = try await coordination.claimController(brokerId: configuration.nodeId)
        logger.info("broker registered", metadata: ["node": "\(configuration.nodeId)", "controller": "\(controller)"])
        let current = await coordination.metadata()
        metadata.update(current)
        await replicas.apply(current)
    }

    /// Follows metadata changes and runs maintenance until the task is cancelled.
    public func run() async {
        await withDiscardingTaskGroup { group in
            group.addTask { await self.followMetadata() }
            group.addTask { await self.maintainLogs() }
        }
    }

    private func followMetadata() async {
        for await snapshot in await coordination.updates() {
            if Task.isCancelled { return }
            metadata.update(snapshot)
            await replicas.apply(snapshot)
        }
    }

    private func maintainLogs() async {
        while !Task.isCancelled {
            do {
                try await Task.sleep(for: maintenanceInterval)
            } catch {
                return
            }
            await replicas.maintain(wallClockMilliseconds: clock.wallClockMilliseconds)
        }
    }

    /// Ends the coordination session and closes every log cleanly.
    public func shutdown() async {
        await coordination.close()
        await replicas.shutdown()
        logger.info("broker stopped", metadata: ["node": "\(configuration.nodeId)"])
    }
}
