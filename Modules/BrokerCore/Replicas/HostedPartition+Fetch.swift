import TernLogStore

/// What a Fetch read from one partition, with the offsets it read below.
struct FetchRead: Sendable {
    var highWatermark: Int64
    var lastStableOffset: Int64
    var result: LogReadResult
    /// The aborted transactions the records meet (read_committed only).
    var abortedTransactions: [AbortedTransaction]?
}

extension HostedPartition {
    /// A Fetch's read of this partition in one call on the actor, rather than one call for
    /// each of the leader check, the epoch check, the watch and the offsets: a consumer at
    /// full speed fetches thousands of times a second, and each call is a hop onto the actor.
    ///
    /// `signal` is registered before the read, so an append landing between the read and the
    /// fetch's wait still wakes it.
    func readForFetch(fetchOffset: Int64, currentLeaderEpoch: Int32, maxBytes: Int, minOneBatch: Bool,
                      readCommitted: Bool, signal: AsyncSignal) async throws(PartitionError) -> FetchRead {
        guard isLeader else { throw .notLeaderOrFollower(partition) }
        try validate(currentLeaderEpoch: currentLeaderEpoch)
        watch(signal)
        let highWatermark = highWatermark
        let lastStableOffset = lastStableOffset
        let result = try await read(fetchOffset: fetchOffset, maxBytes: maxBytes,
                                    maxOffset: readCommitted ? lastStableOffset : highWatermark, minOneBatch: minOneBatch)
        var aborted: [AbortedTransaction]?
        if readCommitted {
            aborted = result.slices.isEmpty ? [] : try await abortedTransactions(from: fetchOffset, upTo: lastStableOffset)
        }
        return FetchRead(highWatermark: highWatermark, lastStableOffset: lastStableOffset, result: result, abortedTransactions: aborted)
    }

    /// The topic's settings, for a Produce about to validate batches, once this replica is
    /// known to lead; one call instead of a leader check and a settings read.
    func settingsAsLeader() throws(PartitionError) -> TopicSettings {
        guard isLeader else { throw .notLeaderOrFollower(partition) }
        return settings
    }
}
