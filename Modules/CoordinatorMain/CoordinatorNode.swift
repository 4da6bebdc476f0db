import Logging
import ServiceLifecycle
import TernCoordination
import TernPrimitives
import TernTransport
import TernTransportNIO
import TernZooKeeper
import TernZooKeeperServer

/// The composition root of one coordinator: a replicated log of the chosen backend, the
/// ZooKeeper replica it applies to, and the client listener, as services in start order.
enum CoordinatorNode {
    static func services(_ settings: CoordinatorSettings, logger: Logger) async throws -> [any Service] {
        let configuration = ZooKeeperServerConfiguration()
        let replica = ZooKeeperReplica(node: settings.id, configuration: configuration, logger: logger)
        let log = try makeLog(settings, stateMachine: replica)
        let server = ZooKeeperServer(replica: replica, log: log, logger: logger)
        let listener = try await NIOTransport().bind(
            settings.clientListen,
            configuration: ZooKeeperServer.listenerConfiguration(configuration) { event in
                logger.debug("\(event)")
            },
            service: server)
        logger.info("node \(settings.id.rawValue) serving ZooKeeper clients on \(listener.localEndpoint), consensus \(settings.consensus.rawValue)")
        // Services stop in reverse order: the listener drains first, then the replica's work.
        return [ReplicaService(server: server), ListenerService(server: listener)]
    }

    /// The one place that names consensus backends.
    static func makeLog(_ settings: CoordinatorSettings, stateMachine: any ReplicatedStateMachine) throws(SettingsError) -> any ReplicatedLog {
        switch settings.consensus {
        case .memory:
            let others = settings.peers.keys.filter { $0 != settings.id }
            guard others.isEmpty else {
                throw SettingsError("--consensus memory runs one node alone, but --peers lists \(others.count) other node(s)")
            }
            return MemoryReplicatedLog(localNode: settings.id, stateMachine: stateMachine)
        case .raft:
            throw SettingsError("--consensus raft is not built into this binary yet; use --consensus memory (not durable)")
        }
    }
}

/// Runs the replica's proposals, barriers and session timing until shutdown.
struct ReplicaService: Service {
    let server: ZooKeeperServer

    func run() async throws {
        await cancelWhenGracefulShutdown {
            await server.run()
        }
    }
}

/// Runs the client listener; a graceful shutdown stops accepting and drains connections.
struct ListenerService: Service {
    let server: any FrameServer

    func run() async throws {
        await withGracefulShutdownHandler {
            await server.run()
        } onGracefulShutdown: {
            server.shutdown()
        }
    }
}
