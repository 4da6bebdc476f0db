public import Logging
import TernCompression
import TernCoordination
import TernLogStore
import TernPrimitives
import TernTransportNIO

extension BrokerParts {
    /// The parts `settings` names: the NIO TCP transport, the file or memory log store, the
    /// embedded or in-memory coordination service, the system clock.
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
        let service: EmbeddedCoordinationService
        do {
            switch settings.coordination {
            case .embedded:
                service = try EmbeddedCoordinationService(store: ClusterMetadataFile(dataDirectory: settings.dataDirectory),
                                                          newClusterId: ClusterState.newClusterId(using: &random))
            case .memory:
                service = try EmbeddedCoordinationService(store: MemoryClusterMetadataStore(),
                                                          newClusterId: ClusterState.newClusterId(using: &random))
            }
        } catch {
            throw ConfigError("cannot open the cluster metadata in \(settings.dataDirectory): \(error)")
        }
        return BrokerParts(clock: clock, transport: NIOTransport(), logStore: logStore,
                           coordination: service.client(), codecs: codecs, logger: logger)
    }
}
