import TernZooKeeper

/// The requests of one client connection between arrival and reply, sans-IO. Replies leave in
/// arrival order: the head goes out as soon as it is ready, and nothing behind it may pass it.
/// Reads are answered only on reaching the head, so they see every earlier write of the same
/// connection; writes are proposed in batches, one batch at a time and never ahead of an
/// earlier unanswered read, so a client's requests take effect in the order it sent them while
/// consecutive writes are still pipelined.
struct ClientPipeline: Sendable {
    /// What an entry waits for.
    enum Step: Sendable {
        /// Nothing: answered on arrival (a rejection, an undecodable body).
        case reply(ZooKeeperReply)
        /// Its transaction's apply result, nil until applied.
        case write(ZooKeeperApplyResult?)
        /// Reaching the head and, when set, the read barrier of that generation.
        case read(ZooKeeperLocalRequest, barrier: UInt64?)
    }

    /// One request.
    struct Entry: Sendable {
        var xid: Int32
        var step: Step
    }

    /// A write not yet handed to the log.
    struct PendingWrite: Sendable {
        var sequence: UInt64
        var xid: Int32
        var transaction: ZooKeeperTransaction
        var byteCount: Int
    }

    // Entries live in `entries[head...]`; the dead prefix is dropped once it dominates, so
    // removing the head is O(1) amortised. Bounded by the server's per-connection request limit.
    private var entries: [Entry] = []
    private var head = 0
    /// The sequence number of `entries[head]`.
    private var headSequence: UInt64 = 0
    private var unproposed: [PendingWrite] = []
    /// The batch handed to the log and not yet finished.
    var batchInFlight: UInt64?

    /// Requests waiting for their reply.
    var count: Int { entries.count - head }

    /// The oldest request.
    var first: Entry? { head < entries.count ? entries[head] : nil }

    /// Whether writes wait to be proposed.
    var hasUnproposedWrites: Bool { !unproposed.isEmpty }

    /// Adds a request and returns its sequence number.
    @discardableResult
    mutating func append(xid: Int32, step: Step) -> UInt64 {
        entries.append(Entry(xid: xid, step: step))
        return headSequence + UInt64(count - 1)
    }

    /// Adds a write: an entry waiting for its result, and the transaction queued for the log.
    mutating func appendWrite(xid: Int32, transaction: ZooKeeperTransaction, byteCount: Int) {
        let sequence = append(xid: xid, step: .write(nil))
        unproposed.append(PendingWrite(sequence: sequence, xid: xid, transaction: transaction, byteCount: byteCount))
    }

    /// Drops the oldest request, whose reply has gone out.
    mutating func removeFirst() {
        precondition(head < entries.count, "removeFirst on an empty pipeline")
        head += 1
        headSequence += 1
        if head == entries.count {
            entries.removeAll(keepingCapacity: true)
            head = 0
        } else if head >= 64 && head * 2 >= entries.count {
            entries.removeFirst(head)
            head = 0
        }
    }

    /// Records the result of the write with `sequence`; false when there is no such waiting write.
    mutating func fill(_ sequence: UInt64, with result: ZooKeeperApplyResult) -> Bool {
        guard sequence >= headSequence, sequence - headSequence < UInt64(count) else { return false }
        let index = head + Int(sequence - headSequence)
        guard case .write(nil) = entries[index].step else { return false }
        entries[index].step = .write(result)
        return true
    }

    /// Whether the write with `sequence` is still waiting for its result.
    func isUnfilledWrite(_ sequence: UInt64) -> Bool {
        guard sequence >= headSequence, sequence - headSequence < UInt64(count) else { return false }
        if case .write(nil) = entries[head + Int(sequence - headSequence)].step { return true }
        return false
    }

    /// Takes queued writes for one batch, oldest first: at least one, then more while the batch
    /// stays within `bytesMax`. Writes queued behind a read that is not answered yet stay: the
    /// read must not see them, as ZooKeeper executes a client's requests in the order sent.
    mutating func takeBatch(bytesMax: Int) -> [PendingWrite] {
        let firstRead = firstReadSequence
        var taken = 0
        var bytes = 0
        while taken < unproposed.count, unproposed[taken].sequence < firstRead,
              taken == 0 || bytes + unproposed[taken].byteCount <= bytesMax {
            bytes += unproposed[taken].byteCount
            taken += 1
        }
        defer { unproposed.removeFirst(taken) }
        return Array(unproposed[..<taken])
    }

    /// The sequence number of the oldest unanswered read, or `UInt64.max` when there is none.
    private var firstReadSequence: UInt64 {
        guard let offset = entries[head...].firstIndex(where: { if case .read = $0.step { true } else { false } }) else {
            return .max
        }
        return headSequence + UInt64(offset - head)
    }

    /// Whether any read waits for a barrier of `generation` or older.
    func waitsForBarrier(upTo generation: UInt64) -> Bool {
        entries[head...].contains { entry in
            if case .read(_, let barrier?) = entry.step { return barrier <= generation }
            return false
        }
    }
}
