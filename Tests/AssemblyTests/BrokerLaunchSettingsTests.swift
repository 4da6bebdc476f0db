// Goal: the broker's configuration reads like Kafka's and fails loudly on bad values.
// Method: load settings from property text, environment maps and flags; check precedence and
// the messages of rejected values.

import Foundation
import Testing
import TernZooKeeperClient
import TernAssembly
import TernTransport

@Suite struct BrokerSettingsTests {
    @Test func load_nothingGiven_usesTheDefaults() throws {
        let settings = try BrokerLaunchSettings.load(configFile: nil, environment: [:], properties: [], flags: [:])
        #expect(settings.listen == Endpoint(host: "127.0.0.1", port: 9092))
        #expect(settings.advertisedEndpoint == settings.listen)
        #expect(settings.nodeId == 1 && settings.store == .file && settings.coordination == .embedded)
    }

    @Test func load_fileEnvironmentFlags_laterSourcesWin() throws {
        let path = NSTemporaryDirectory() + "tern-settings-\(UUID().uuidString).properties"
        try """
        # a Kafka server.properties
        node.id=3
        listeners=PLAINTEXT://0.0.0.0:9093
        advertised.listeners=PLAINTEXT://broker.example:9093
        log.dirs=/var/lib/tern,/ignored
        num.partitions = 6
        """.write(toFile: path, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: path) }
        let fromFile = try BrokerLaunchSettings.load(configFile: path, environment: [:], properties: [], flags: [:])
        #expect(fromFile.nodeId == 3 && fromFile.listen == Endpoint(host: "0.0.0.0", port: 9093))
        #expect(fromFile.advertisedEndpoint == Endpoint(host: "broker.example", port: 9093))
        #expect(fromFile.dataDirectory == "/var/lib/tern" && fromFile.properties["num.partitions"] == "6")

        let layered = try BrokerLaunchSettings.load(
            configFile: path, environment: ["TERN_NODE_ID": "4", "TERN_STORE": "memory"], properties: ["num.partitions=2"],
            flags: [.nodeId: "5", .dataDirectory: "/tmp/x"])
        #expect(layered.nodeId == 5 && layered.store == .memory && layered.dataDirectory == "/tmp/x")
        #expect(layered.properties["num.partitions"] == "2")
    }

    @Test(arguments: [
        (BrokerOption.listen, "nohost", "--listen"),
        (.advertise, "host:0", "--advertise"),
        (.nodeId, "-1", "--node-id"),
        (.nodeId, "seven", "--node-id"),
        (.store, "s3://bucket", "--store"),
        (.coordination, "zookeeper://h:2181", "--coordination"),
        (.coordination, "zk://", "--coordination"),
        (.coordination, "zk://h:notaport/tern", "--coordination"),
        (.coordination, "zk://h:2181,/tern", "--coordination"),
        (.coordination, "zk://h:2181/tern//x", "--coordination"),
        (.dataDirectory, "", "--data-dir"),
    ])
    func apply_badValue_failsNamingTheFlag(option: BrokerOption, value: String, flag: String) {
        var settings = BrokerLaunchSettings()
        #expect {
            try settings.apply(option: option, value: value)
        } throws: { error in
            (error as? ConfigError)?.description.hasPrefix(flag) == true
        }
    }

    @Test func applyProperties_malformedLineOrListener_failsWithItsLine() {
        var settings = BrokerLaunchSettings()
        #expect(throws: ConfigError.self) { try settings.apply(propertiesText: "a=b\njust words\n", source: "f") }
        #expect(throws: ConfigError.self) { try settings.apply(propertiesText: "listeners=SSL://h:1", source: "f") }
    }

    @Test func load_knownPropertyWithABadValue_failsNamingItAndTheValue() throws {
        #expect {
            try BrokerLaunchSettings.load(configFile: nil, environment: [:], properties: ["num.partitions=abc"], flags: [:])
        } throws: { error in
            (error as? ConfigError)?.description == "Invalid value abc for configuration num.partitions: Not a number of type INT"
        }
        #expect {
            try BrokerLaunchSettings.load(configFile: nil, environment: [:],
                                          properties: ["num.network.threads=0", "socket.request.max.bytes=big"], flags: [:])
        } throws: { error in
            let description = (error as? ConfigError)?.description ?? ""
            return description.contains("num.network.threads") && description.contains("socket.request.max.bytes")
        }
        // Properties Tern does not know are kept as Kafka keeps them, whatever their value.
        let custom = try BrokerLaunchSettings.load(configFile: nil, environment: [:], properties: ["my.plugin.level=high"], flags: [:])
        #expect(custom.properties["my.plugin.level"] == "high")
    }

    @Test func coordination_zkURL_namesEveryServerAndTheChroot() throws {
        var settings = BrokerLaunchSettings()
        try settings.apply(option: .coordination, value: "zk://10.0.0.1:2181,zk2,[::1]:2182/kafka/prod")
        guard case .zooKeeper(let connect) = settings.coordination else {
            Issue.record("not the zk backend: \(settings.coordination)")
            return
        }
        #expect(connect.servers == [Endpoint(host: "10.0.0.1", port: 2181), Endpoint(host: "zk2", port: 2181), Endpoint(host: "::1", port: 2182)])
        #expect(connect.chroot == "/kafka/prod")
        var fromFile = BrokerLaunchSettings()
        try fromFile.apply(propertiesText: "zookeeper.connect=127.0.0.1:2181/tern\n", source: "server.properties")
        #expect(fromFile.coordination == .zooKeeper(ZooKeeperConnectString(servers: [Endpoint(host: "127.0.0.1", port: 2181)], chroot: "/tern")))
    }

    @Test func store_fileURL_setsTheDataDirectory() throws {
        var settings = BrokerLaunchSettings()
        try settings.apply(option: .store, value: "file:///srv/tern")
        #expect(settings.store == .file && settings.dataDirectory == "/srv/tern")
    }
}
