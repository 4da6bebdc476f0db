public import TernZooKeeper

/// Something the client tells its user about outside a reply: a watch that fired, or a change
/// of the session's state.
public enum ZooKeeperEvent: Hashable, Sendable {
    /// A one-shot watch fired for `path` (relative to the chroot).
    case watch(ZooKeeperWatchEventType, path: String)
    /// A connection is up and the session `sessionID` is valid on it: after the first
    /// connect, after a reconnect that kept the session, and for the new session after an
    /// expiry.
    case connected(sessionID: Int64)
    /// The connection was lost; the session lives on if the client reconnects within its
    /// timeout. Watches are re-armed on reconnect.
    case disconnected
    /// The session expired: its ephemeral nodes and watches are gone. The client opens a
    /// new session next, so a `connected` follows.
    case expired
    /// The client was closed; no more events follow.
    case closed
}
