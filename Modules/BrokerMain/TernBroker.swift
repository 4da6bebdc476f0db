import ArgumentParser
import Logging
import ServiceLifecycle
import UnixSignals
import TernAssembly

/// `tern-broker`: parse the configuration, build the broker through `BrokerAssembly`, and run
/// its services until SIGTERM or SIGINT.
@main
struct TernBroker: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tern-broker",
        abstract: "A Kafka-compatible broker.",
        discussion: """
            Settings come from defaults, then --config FILE (server.properties format), then TERN_* \
            environment variables, then flags. Any Kafka property can be given in the file or with --set KEY=VALUE.
            """)

    @Option(help: "Address the Kafka listener binds, HOST:PORT (default 127.0.0.1:9092).") var listen: String?
    @Option(help: "Address clients are told to connect to (default: the listen address).") var advertise: String?
    @Option(name: .customLong("data-dir"), help: "Data directory (default ./tern-data).") var dataDirectory: String?
    @Option(name: .customLong("node-id"), help: "The broker's node.id (default 1).") var nodeId: String?
    @Option(help: "Log store: file, file://PATH or memory (default file).") var store: String?
    @Option(help: "Coordination backend: embedded, memory or zk://HOST:PORT[,HOST:PORT…][/CHROOT] (default embedded).")
    var coordination: String?
    @Option(help: "A server.properties file.") var config: String?
    @Option(name: .customLong("set"), help: "A Kafka property, KEY=VALUE (repeatable).") var properties: [String] = []
    @Option(name: .customLong("log-level"), help: "trace, debug, info, notice, warning, error or critical (default info).")
    var logLevel: String = "info"

    func run() async throws {
        guard let level = Logger.Level(rawValue: logLevel) else { throw ValidationError("--log-level: '\(logLevel)' is not a level") }
        LoggingSystem.bootstrap { label in
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = level
            return handler
        }
        let logger = Logger(label: "tern.broker")
        let settings: BrokerLaunchSettings
        do {
            settings = try BrokerLaunchSettings.load(
                configFile: config, environment: BrokerLaunchSettings.processEnvironment(), properties: properties,
                flags: [.listen: listen, .advertise: advertise, .dataDirectory: dataDirectory, .nodeId: nodeId,
                        .store: store, .coordination: coordination])
        } catch {
            throw ValidationError(error.description)
        }
        let parts = try await BrokerParts.live(settings, logger: logger)
        let assembly = try await BrokerAssembly.start(settings: settings, parts: parts)
        let group = ServiceGroup(configuration: ServiceGroupConfiguration(
            services: assembly.services.map { ServiceGroupConfiguration.ServiceConfiguration(service: $0) },
            gracefulShutdownSignals: [.sigterm, .sigint], logger: logger))
        try await group.run()
    }
}
