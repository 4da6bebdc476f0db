import Logging
public import ServiceLifecycle
import TernBrokerCore
import TernTransactionCoordinator
import TernCompression
import TernCoordination
import TernLogStore
import TernPrimitives
public import TernTransport

/// Composes a broker from its parts: the components serving each group of APIs, the router, the
/// listener, and the services that run them, in start order.
public struct BrokerAssembly: Sendable {
    /// The services to run, in start order; a `ServiceGroup` stops them in reverse.
    public var services: [any Service]
    /// The address the listener bound (the real port when 0 was asked for).
    public var listenEndpoint: Endpoint

    /// Builds and starts a broker: registers it, hosts its partitions, binds its listener.
    public static func start(settings: BrokerLaunchSettings, parts: BrokerParts) async throws -> BrokerAssembly {
        let logger = parts.logger
        let advertised = settings.advertisedEndpoint
        let configuration = BrokerConfiguration(
            nodeId: settings.nodeId, advertisedHost: advertised.host, advertisedPort: Int32(advertised.port),
            properties: settings.properties)
        let initial = await parts.coordination.metadata()
        let metadata = MetadataCache(initial)
        let resolver = BrokerTopicSettings(configuration: configuration, catalog: TopicConfigCatalog())
        let producerIdExpiration = settings.properties["producer.id.expiration.ms"].flatMap(Int64.init) ?? 86_400_000
        let replicas = ReplicaManager(nodeId: settings.nodeId, logStore: parts.logStore, logger: logger, clock: parts.clock,
                                      producerIdExpiration: .milliseconds(producerIdExpiration)) { metadata, topic in
            resolver.settings(for: topic, in: metadata)
        }
        let broker = KafkaBroker(configuration: configuration, coordination: parts.coordination, replicas: replicas,
                                 metadata: metadata, clock: parts.clock, logger: logger)
        try await broker.start()
        // Admin changes made here are applied here before they are answered.
        let adminCoordination = LocallyAppliedCoordination(parts.coordination) { snapshot in
            metadata.update(snapshot)
            await replicas.apply(snapshot)
        }
        let admin = AdminApis(coordination: adminCoordination, configuration: configuration, random: SystemRandomNumberGenerator())

        let internalTopics = ReplicaInternalTopics(
            replicas: replicas, coordination: parts.coordination, metadata: metadata,
            replicationFactor: settings.properties["offsets.topic.replication.factor"].flatMap(Int.init) ?? 3)
        let groupSettings: GroupCoordinatorSettings
        do {
            groupSettings = try GroupCoordinatorSettings(properties: settings.properties)
        } catch {
            throw ConfigError("\(error)")
        }
        // Member ids must differ across restarts, so the seed comes from the wall clock.
        let groups = GroupCoordinatorService(
            store: internalTopics, clock: parts.clock, settings: groupSettings,
            random: SeededRandom(seed: UInt64(truncatingIfNeeded: parts.clock.wallClockMilliseconds) &* 0x9E37_79B9_7F4A_7C15),
            codecs: parts.codecs, logger: logger)
        try await groups.start()

        let markers = TransactionMarkerWriter(replicas: replicas, metadata: metadata)
        let producerIds = makeProducerIdSource(parts.coordination)
        let transactionSettings = try TransactionSettings(properties: settings.properties,
                                                          offsetsTopicPartitionCount: groupSettings.offsetsTopicPartitionCount)
        let transactions = TransactionCoordinatorService(
            store: internalTopics, clock: parts.clock, configuration: transactionSettings.coordinator,
            partitionCount: transactionSettings.partitionCount, topicConfigs: transactionSettings.topicConfigs,
            producerIds: producerIds, markers: markers,
            coordinatorEpoch: { await replicas.partition($0)?.assignment.leaderEpoch ?? 0 },
            codecs: parts.codecs, logger: logger)
        try await transactions.start()
        markers.observe { partition, producerId, result in
            guard partition.topic == GroupCoordinatorService.offsetsTopic else { return }
            await groups.transactionCompleted(offsetsPartition: partition.partition, producerId: producerId, committed: result == .commit)
        }

        let components = makeComponents(configuration: configuration, parts: parts, metadata: metadata, replicas: replicas, admin: admin)
            + [GroupApis(service: groups, broker: configuration, coordination: parts.coordination,
                         transactionStatePartitionCount: transactionSettings.partitionCount),
               ProducerApis(producerIds: producerIds, logger: logger, transactions: transactions),
               TransactionApis(service: transactions, metadata: metadata),
               TransactionMarkerApis(writer: markers)]
        let router = ApiRouter(components: components)
        let service = KafkaRequestService(router: router, logger: logger)
        let transportLogger = logger
        let serverConfiguration = ServerConfiguration(
            requestFrameBytesMax: settings.requestFrameBytesMax,
            // Kafka handles one request per connection at a time; see BrokerCore's design note.
            inFlightRequestsMax: 1,
            // Produce and Fetch run on the connection's event loop; KafkaRequestService moves
            // the APIs that may block (metadata fsyncs) back to the shared pool.
            runsHandlersOnIOThread: true,
            log: { event in transportLogger.debug("\(event)") })
        let server = try await parts.transport.bind(settings.listen, configuration: serverConfiguration, service: service)
        logger.info("listening", metadata: ["address": "\(server.localEndpoint)", "advertised": "\(advertised)"])
        return BrokerAssembly(services: [BrokerService(broker: broker, groups: groups, transactions: transactions), ListenerService(server: server)],
                              listenEndpoint: server.localEndpoint)
    }
}

extension BrokerAssembly {
    /// Producer ids in blocks granted by the coordination service, so they are unique across
    /// the cluster and across restarts.
    static func makeProducerIdSource(_ coordination: any CoordinationClient) -> any ProducerIdSource {
        ProducerIdBlockAllocator {
            try await coordination.allocateProducerIds(count: Int(ProducerIdBlockAllocator.blockSize))
        }
    }
}

extension BrokerLaunchSettings {
    /// `socket.request.max.bytes` (Kafka's default 100 MiB).
    var requestFrameBytesMax: Int {
        properties["socket.request.max.bytes"].flatMap(Int.init) ?? 104_857_600
    }

    /// `num.network.threads`: the event loops the transport runs (see
    /// `BrokerConfigCatalog.networkThreadsDefault`).
    var networkThreads: Int {
        properties["num.network.threads"].flatMap(Int.init) ?? BrokerConfigCatalog.networkThreadsDefault
    }
}
