import ArgumentParser
import Logging
import ServiceLifecycle
import UnixSignals

/// `tern-coordinator`: one node of the ZooKeeper-compatible coordination ensemble. Parses the
/// settings, composes the node with `CoordinatorNode`, and runs it until SIGTERM or SIGINT.
@main
struct TernCoordinator: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tern-coordinator",
        abstract: "A ZooKeeper-compatible coordination service replicated by Raft.",
        discussion: "Settings come from --config FILE (key=value lines, keys named like the flags), then flags.")

    @Option(help: "This node's id, 1 to 254 (default 1).") var id: String?
    @Option(help: "Raft addresses of the ensemble, ID=HOST:PORT,... (none: a single node).") var peers: String?
    @Option(name: .customLong("client-listen"), help: "Address for ZooKeeper clients, HOST:PORT (default 127.0.0.1:2181).")
    var clientListen: String?
    @Option(name: .customLong("data-dir"), help: "Data directory (default ./tern-coordinator-data).") var dataDirectory: String?
    @Option(help: "A config file of key=value lines.") var config: String?
    @Option(help: "Consensus backend: raft or memory (default raft).") var consensus: String?
    @Option(name: .customLong("log-level"), help: "trace, debug, info, notice, warning, error or critical (default info).")
    var logLevel: String = "info"

    func run() async throws {
        guard let level = Logger.Level(rawValue: logLevel) else { throw ValidationError("--log-level: '\(logLevel)' is not a level") }
        LoggingSystem.bootstrap { label in
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = level
            return handler
        }
        let logger = Logger(label: "tern.coordinator")
        let settings: CoordinatorSettings
        do {
            let file = try config.map { path throws(SettingsError) in try CoordinatorSettings.readFile(path) } ?? [:]
            settings = try CoordinatorSettings.resolve(file: file, flags: [
                "id": id, "peers": peers, "client-listen": clientListen, "data-dir": dataDirectory, "consensus": consensus,
            ])
        } catch {
            throw ValidationError(error.description)
        }
        let services: [any Service]
        do {
            services = try await CoordinatorNode.services(settings, logger: logger)
        } catch let error as SettingsError {
            throw ValidationError(error.description)
        }
        let group = ServiceGroup(configuration: ServiceGroupConfiguration(
            services: services.map { ServiceGroupConfiguration.ServiceConfiguration(service: $0) },
            gracefulShutdownSignals: [.sigterm, .sigint], logger: logger))
        try await group.run()
    }
}
