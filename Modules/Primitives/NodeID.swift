/// The identity of a broker or coordination node, as configured by `--node-id` or `--id`.
public struct NodeID: Hashable, Comparable, Sendable, CustomStringConvertible {
    /// The numeric id Kafka puts on the wire.
    public var rawValue: Int32

    /// Creates a node id.
    public init(_ rawValue: Int32) {
        self.rawValue = rawValue
    }

    public static func < (lhs: NodeID, rhs: NodeID) -> Bool { lhs.rawValue < rhs.rawValue }

    public var description: String { "node \(rawValue)" }
}
