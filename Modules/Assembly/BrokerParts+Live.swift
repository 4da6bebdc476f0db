public import Logging
import NIOPosix
import TernCompression
import TernCoordination
import TernLogStore
import TernPrimitives
import TernTransportNIO
import TernZooKeeperClient

extension BrokerParts {
    /// The parts `settings` names: the NIO TCP transport on `num.network.threads` event loops,
    /// the file or memory log store, the embedded, in-memory or ZooKeeper (`zk://`)
    /// coordination backend, the system clock.
    public static func live(_ settings: BrokerLaunchSettings, logger: Logger) async throws -> BrokerParts {
        let clock = SystemClock()
        let codecs = CompressionCodecs()
        let logStore: any LogStore
        switch settings.store {
        case .file:
            do {
                logStore = try SegmentedLogStore(directory: settings.dataDirectory + "/logs", codecs: codecs, clock: clock)
            } catch {
                throw ConfigError("cannot open the log store in \(settings.dataDirectory)/logs: \(error)")
            }
        case .memory:
            logStore = MemoryLogStore(clock: clock, codecs: codecs)
        }
        var random = SeededRandom(seed: UInt64(truncatingIfNeeded: clock.wallClockMilliseconds) ^ UInt64(settings.nodeId))
        // The broker's own loops, `num.network.threads` of them; they live as long as the process.
        let transport = NIOTransport(eventLoopGroup: MultiThreadedEventLoopGroup(numberOfThreads: settings.networkThreads))
        if case .zooKeeper(let connectString) = settings.coordination {
            let coordination = try await openZooKeeper(connectString, settings: settings, transport: transport, clock: clock,
                                                       logger: logger, newClusterId: ClusterState.newClusterId(using: &random))
            return BrokerParts(clock: clock, transport: transport, logStore: logStore, coordination: coordination,
                               codecs: codecs, logger: logger)
        }
        let service: EmbeddedCoordinationService
        do {
            switch settings.coordination {
            case .embedded:
                service = try EmbeddedCoordinationService(store: ClusterMetadataFile(dataDirectory: settings.dataDirectory),
                                                          newClusterId: ClusterState.newClusterId(using: &random))
            case .memory, .zooKeeper:
                service = try EmbeddedCoordinationService(store: MemoryClusterMetadataStore(),
                                                          newClusterId: ClusterState.newClusterId(using: &random))
            }
        } catch {
            throw ConfigError("cannot open the cluster metadata in \(settings.dataDirectory): \(error)")
        }
        return BrokerParts(clock: clock, transport: transport, logStore: logStore,
                           coordination: service.client(), codecs: codecs, logger: logger)
    }

    /// The `zk://` backend, with Kafka's `zookeeper.session.timeout.ms` (default 18 s) and
    /// `zookeeper.connection.timeout.ms` (default: the session timeout) when set.
    private static func openZooKeeper(
        _ connectString: ZooKeeperConnectString, settings: BrokerLaunchSettings, transport: NIOTransport,
        clock: SystemClock, logger: Logger, newClusterId: String
    ) async throws -> any CoordinationClient {
        let session = settings.properties["zookeeper.session.timeout.ms"].flatMap(Int64.init) ?? 18_000
        let connection = settings.properties["zookeeper.connection.timeout.ms"].flatMap(Int64.init) ?? session
        let configuration = ZooKeeperClientConfiguration(
            sessionTimeout: .milliseconds(session), connectTimeout: .milliseconds(min(connection, 5_000)),
            requestConnectionWait: .milliseconds(connection))
        do {
            return try await ZooKeeperCoordinationClient.open(
                connectString: connectString, configuration: configuration, transport: transport, clock: clock,
                logger: logger, newClusterId: newClusterId)
        } catch {
            throw ConfigError("cannot open the zk:// coordination backend \(connectString): \(error)")
        }
    }
}
