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
        let transport = NIOTransport()
        let (log, logService) = try await makeLog(settings, stateMachine: replica, transport: transport, logger: logger)
        let server = ZooKeeperServer(replica: replica, log: log, logger: logger)
        let words = FourLetterWords(ensembleSize: max(1, settings.peers.count))
        var listenerConfiguration = ZooKeeperServer.listenerConfiguration(configuration) { event in
            logger.debug("\(event)")
        }
        listenerConfiguration.fourLetterWords = { words.answer($0) }
        listenerConfiguration.runsHandlersOnIOThread = true
        let listener: any FrameServer
        do {
            listener = try await transport.bind(settings.clientListen, configuration: listenerConfiguration, service: server)
        } catch {
            await logService?.log.shutdown()
            throw error
        }
        logger.info("node \(settings.id.rawValue) serving ZooKeeper clients on \(listener.localEndpoint), consensus \(settings.consensus.rawValue)")
        // Services stop in reverse order: the listener drains first, then the replica's work,
        // then the log (which must outlive every proposal the replica still has in flight).
        let status = StatusService(words: words, log: log)
        return (logService.map { [$0] } ?? []) + [ReplicaService(server: server), status, ListenerService(server: listener)]
    }

    /// The one place that names consensus backends. A Raft log is started here, before the
    /// listener binds, and comes with the service that shuts it down.
    static func makeLog(
        _ settings: CoordinatorSettings, stateMachine: any ReplicatedStateMachine, transport: any Transport, logger: Logger
    ) async throws -> (any ReplicatedLog, RaftService?) {
        switch settings.consensus {
        case .memory:
            let others = settings.peers.keys.filter { $0 != settings.id }
            guard others.isEmpty else {
                throw SettingsError("--consensus memory runs one node alone, but --peers lists \(others.count) other node(s)")
            }
            return (MemoryReplicatedLog(localNode: settings.id, stateMachine: stateMachine), nil)
        case .raft:
            let voters = settings.peers.isEmpty ? [settings.id] : Set(settings.peers.keys)
            let configuration = RaftConfiguration(nodeID: settings.id, voters: voters, limits: raftLimits)
            let network: any PeerNetwork =
                settings.peers.isEmpty
                ? InProcessPeerHub(limits: raftLimits).network(for: settings.id)
                : TCPPeerNetwork(
                    localNode: settings.id, peers: settings.peers, transport: transport, limits: raftLimits,
                    log: { logger.notice("\($0)") })
            let log = RaftReplicatedLog(
                configuration: configuration,
                storage: FileRaftStorage(directory: settings.dataDirectory + "/raft", limits: raftLimits),
                network: network, stateMachine: stateMachine,
                options: RaftRuntimeOptions(log: { logger.info("\($0)") }))
            try await log.start()
            return (log, RaftService(log: log))
        }
    }

    /// Room in one log entry for a full 1 MB znode write with its path and the command's header,
    /// and for a multi of several smaller ones, up to the client frame limit.
    static var raftLimits: RaftLimits {
        var limits = RaftLimits()
        limits.entryBytesMax = 2 * ZooKeeperLimits.frameBytesMax
        limits.appendBytesMax = 2 * ZooKeeperLimits.frameBytesMax
        limits.snapshotChunkBytesMax = 2 * ZooKeeperLimits.frameBytesMax
        return limits
    }
}

/// Keeps the Raft log running until shutdown, then stops it: last of all, after the listener
/// and the replica.
struct RaftService: Service {
    let log: RaftReplicatedLog

    func run() async throws {
        // Returns on graceful shutdown, or throws on cancellation: either way the log stops.
        try? await gracefulShutdown()
        await log.shutdown()
    }
}

/// Keeps the four-letter words' view of this node's role current.
struct StatusService: Service {
    let words: FourLetterWords
    let log: any ReplicatedLog

    func run() async throws {
        await cancelWhenGracefulShutdown {
            await words.follow(log)
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
