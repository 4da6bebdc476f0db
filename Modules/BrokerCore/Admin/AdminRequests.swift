import TernProtocol

/// Checks the config-altering requests share.
enum AdminRequests {
    static let repeatedResource = AdminOutcome(.invalidRequest, "Each resource must appear at most once.")

    static func key(_ type: Int8, _ name: String) -> String { "\(type)/\(name)" }

    /// The resources listed more than once.
    static func repeatedResources(_ resources: [(Int8, String)]) -> Set<String> {
        var seen: Set<String> = []
        return Set(resources.map { key($0.0, $0.1) }.filter { !seen.insert($0).inserted })
    }

    /// A config named twice, or configs without the value their operation needs.
    static func problem(names: [String], unset: [String]) -> AdminOutcome? {
        if Set(names).count != names.count { return AdminOutcome(.invalidRequest, "Error due to duplicate config keys") }
        if !unset.isEmpty { return AdminOutcome(.invalidRequest, "Null value not supported for : \(unset.joined(separator: ", "))") }
        return nil
    }
}
