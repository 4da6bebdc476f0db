import Foundation
import TernBrokerCore
import TernTransport

extension BrokerLaunchSettings {
    /// Settings from defaults, then `configFile`, then `environment`'s TERN_* variables, then
    /// `--set` properties, then flags.
    public static func load(configFile: String?, environment: [String: String], properties: [String],
                            flags: [BrokerOption: String?]) throws(ConfigError) -> BrokerLaunchSettings {
        var settings = BrokerLaunchSettings()
        if let path = configFile ?? environment["TERN_CONFIG"] {
            let text: String
            do {
                text = try String(contentsOfFile: path, encoding: .utf8)
            } catch {
                throw ConfigError("--config: cannot read '\(path)': \(error.localizedDescription)")
            }
            try settings.apply(propertiesText: text, source: path)
        }
        for option in BrokerOption.allCases {
            if let value = environment[option.environmentVariable] { try settings.apply(option: option, value: value) }
        }
        for property in properties {
            guard property.contains("=") else { throw ConfigError("--set: '\(property)' is not KEY=VALUE") }
            try settings.apply(propertiesText: property, source: "--set")
        }
        for option in BrokerOption.allCases {
            if let value = flags[option] ?? nil { try settings.apply(option: option, value: value) }
        }
        // Kafka refuses to start on a known config with a value it cannot take; so do we.
        let problems = BrokerConfigCatalog().validateStatic(settings.properties)
        guard problems.isEmpty else { throw ConfigError(problems.map(\.description).joined(separator: "; ")) }
        return settings
    }

    /// The process's environment.
    public static func processEnvironment() -> [String: String] {
        ProcessInfo.processInfo.environment
    }
}
