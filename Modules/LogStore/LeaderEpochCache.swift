/// The leader-epoch cache of one log: which leader epoch began at which offset, oldest first.
///
/// Followers use it to find where their log diverged from a new leader's
/// (OffsetForLeaderEpoch, KIP-101 and KIP-279). The rules follow Kafka's
/// `LeaderEpochFileCache`; ``assign(_:startOffset:)`` additionally ignores an epoch older than
/// the latest, which is what Kafka's append path does before it calls `assign`. Entries
/// always rise strictly in both epoch and start offset.
///
/// A value type with no I/O, so any store can keep one and persist ``entries`` its own way.
struct LeaderEpochCache: Hashable, Sendable {
    /// The entries, oldest first; `offset` is where the epoch starts.
    private(set) var entries: [LeaderEpochEntry] = []

    /// An empty cache.
    init() {}

    /// The latest entry, or nil when the cache is empty.
    var latest: LeaderEpochEntry? { entries.last }

    /// Records that `epoch` starts at `startOffset`, and returns whether anything changed.
    ///
    /// An epoch below the latest is ignored: a stale leader's batch arriving late must not
    /// erase newer epochs. The latest epoch again at a lower offset moves its start down
    /// (its data was truncated and re-fetched). Otherwise entries whose epoch or start offset
    /// is at or above the new one are removed first, so the cache stays monotonic. A negative
    /// epoch or offset (a batch from a producer that never set one) is ignored, as Kafka does.
    @discardableResult
    mutating func assign(_ epoch: Int32, startOffset: Int64) -> Bool {
        guard epoch >= 0, startOffset >= 0 else { return false }
        if let latest {
            if epoch < latest.epoch { return false }
            if epoch == latest.epoch && startOffset >= latest.offset { return false }
        }
        while let last = entries.last, last.epoch >= epoch || last.offset >= startOffset {
            entries.removeLast()
        }
        entries.append(LeaderEpochEntry(epoch: epoch, offset: startOffset))
        return true
    }

    /// Removes entries starting at or after `endOffset`: their data was truncated away.
    mutating func truncate(fromEnd endOffset: Int64) {
        while let last = entries.last, last.offset >= endOffset {
            entries.removeLast()
        }
    }

    /// Drops entries wholly below a new log start offset. The last entry starting at or below
    /// it is kept but moved up to start there, since its epoch still covers the first offset
    /// left (Kafka's `truncateFromStart`).
    mutating func truncate(fromStart startOffset: Int64) {
        guard let keep = entries.lastIndex(where: { $0.offset <= startOffset }) else { return }
        let epoch = entries[keep].epoch
        entries.removeSubrange(...keep)
        entries.insert(LeaderEpochEntry(epoch: epoch, offset: startOffset), at: 0)
    }

    /// Removes every entry.
    mutating func clear() {
        entries.removeAll()
    }

    /// Kafka's `endOffsetFor`: the largest epoch at or below `requested` and the offset where
    /// it ended, i.e. the start of the next epoch, or `logEndOffset` when `requested` is the
    /// latest epoch.
    ///
    /// Returns nil where Kafka answers UNDEFINED_EPOCH/UNDEFINED_EPOCH_OFFSET: for an
    /// undefined (negative) epoch, an empty cache, or an epoch above the latest. An epoch
    /// below the earliest entry answers with the requested epoch itself and the earliest
    /// entry's start: the older epochs' data is gone, and a follower truncating there can
    /// still replicate from the leader's first kept offset.
    func endOffset(for requested: Int32, logEndOffset: Int64) -> LeaderEpochEntry? {
        guard requested >= 0, let latest else { return nil }
        if requested == latest.epoch { return LeaderEpochEntry(epoch: requested, offset: logEndOffset) }
        guard let higher = entries.firstIndex(where: { $0.epoch > requested }) else { return nil }
        let end = entries[higher].offset
        if higher == 0 { return LeaderEpochEntry(epoch: requested, offset: end) }
        return LeaderEpochEntry(epoch: entries[higher - 1].epoch, offset: end)
    }
}
