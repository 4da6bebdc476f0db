import Foundation
import TernPrimitives
import TernTransport

/// Which `ReplicatedLog` a coordinator runs on.
enum ConsensusBackend: String, CaseIterable, Sendable {
    /// Raft across the `--peers` ensemble, persisted under `--data-dir`.
    case raft
    /// One node, in memory, nothing persisted: for tests and experiments.
    case memory
}

/// A coordinator's settings, from `--config FILE` overridden by flags.
struct CoordinatorSettings: Sendable {
    var id: NodeID
    /// Raft addresses of every ensemble member, this node included; empty for one node alone.
    var peers: [NodeID: Endpoint]
    var clientListen: Endpoint
    var dataDirectory: String
    var consensus: ConsensusBackend

    /// The keys a config file may set, one `key=value` per line (`#` starts a comment); the
    /// same names as the flags.
    static let fileKeys: Set<String> = ["id", "peers", "client-listen", "data-dir", "consensus"]

    /// Merges a config file's values and the flags (flags win) and checks them.
    static func resolve(file: [String: String], flags: [String: String?]) throws(SettingsError) -> CoordinatorSettings {
        var values = file
        for case let (key, value?) in flags { values[key] = value }
        let idText = values["id"] ?? "1"
        // Session ids carry the node id in one byte, and 255 would read as a TTL marker.
        guard let id = Int32(idText), (1...254).contains(id) else {
            throw SettingsError("--id: '\(idText)' is not a node id from 1 to 254")
        }
        let peers = try parsePeers(values["peers"] ?? "")
        if !peers.isEmpty && peers[NodeID(id)] == nil {
            throw SettingsError("--peers does not list this node's id \(id)")
        }
        let listenText = values["client-listen"] ?? "127.0.0.1:2181"
        guard let clientListen = Endpoint(listenText) else {
            throw SettingsError("--client-listen: '\(listenText)' is not HOST:PORT")
        }
        let consensusText = values["consensus"] ?? ConsensusBackend.raft.rawValue
        guard let consensus = ConsensusBackend(rawValue: consensusText) else {
            let valid = ConsensusBackend.allCases.map(\.rawValue).joined(separator: ", ")
            throw SettingsError("--consensus: '\(consensusText)' is not one of \(valid)")
        }
        return CoordinatorSettings(
            id: NodeID(id), peers: peers, clientListen: clientListen,
            dataDirectory: values["data-dir"] ?? "./tern-coordinator-data", consensus: consensus)
    }

    /// Parses `1=HOST:PORT,2=HOST:PORT`.
    static func parsePeers(_ text: String) throws(SettingsError) -> [NodeID: Endpoint] {
        var peers: [NodeID: Endpoint] = [:]
        for item in text.split(separator: ",", omittingEmptySubsequences: true) {
            let parts = item.split(separator: "=", maxSplits: 1)
            guard parts.count == 2, let id = Int32(parts[0].trimmingCharacters(in: .whitespaces)), (1...254).contains(id),
                  let endpoint = Endpoint(parts[1].trimmingCharacters(in: .whitespaces))
            else {
                throw SettingsError("--peers: '\(item)' is not ID=HOST:PORT with an id from 1 to 254")
            }
            guard peers.updateValue(endpoint, forKey: NodeID(id)) == nil else {
                throw SettingsError("--peers: node \(id) is listed twice")
            }
        }
        return peers
    }

    /// Reads a `key=value` config file.
    static func readFile(_ path: String) throws(SettingsError) -> [String: String] {
        let text: String
        do {
            text = try String(contentsOfFile: path, encoding: .utf8)
        } catch {
            throw SettingsError("--config: cannot read '\(path)': \(error.localizedDescription)")
        }
        var values: [String: String] = [:]
        for (number, rawLine) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let line = rawLine.trimmingCharacters(in: .whitespaces)
            if line.isEmpty || line.hasPrefix("#") { continue }
            let parts = line.split(separator: "=", maxSplits: 1)
            let key = parts[0].trimmingCharacters(in: .whitespaces)
            guard parts.count == 2, fileKeys.contains(key) else {
                throw SettingsError("\(path):\(number + 1): expected one of \(fileKeys.sorted().joined(separator: ", ")) as key=value")
            }
            values[key] = parts[1].trimmingCharacters(in: .whitespaces)
        }
        return values
    }
}

/// A settings problem, reported to the operator as is.
struct SettingsError: Error, CustomStringConvertible {
    var description: String

    init(_ description: String) {
        self.description = description
    }
}
