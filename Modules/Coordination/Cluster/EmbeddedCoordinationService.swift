import Synchronization

/// The in-process coordination service: one `ClusterState` behind an actor, its durable part
/// kept in a `ClusterMetadataStore`. Each broker talks to it through its own session client
/// (`client()`), so several brokers of one process (tests, the simulator) can share a service,
/// and closing one client ends only its session.
///
/// Every command runs in one actor turn: apply to the state, save to the store if the durable
/// part changed, publish. Nothing awaits in between, so commands are linearizable and a change
/// is durable before its caller, or any subscriber, hears of it. A failed save undoes the
/// command and fails it with `.unavailable`.
public actor EmbeddedCoordinationService {
    private struct Subscriber {
        var session: CoordinationSessionID
        var continuation: AsyncStream<ClusterMetadata>.Continuation
    }

    private var state: ClusterState
    private let store: any ClusterMetadataStore
    /// Open `updates()` streams. Streams their reader dropped are pruned at the next publish.
    private var subscribers: [UInt64: Subscriber] = [:]
    private var subscriberCount: UInt64 = 0
    /// The last session id handed out; atomic so that `client()` needs no actor hop.
    private let lastSession = Atomic<UInt64>(0)

    /// Starts the service from `store`. When the store is empty this is a new cluster with id
    /// `newClusterId` (see `ClusterState.newClusterId(using:)`), saved before the service is used.
    ///
    /// Throws when the stored metadata cannot be read or is corrupt, and when the new cluster's
    /// metadata cannot be saved; it never starts empty over metadata it could not read.
    public init(store: any ClusterMetadataStore, newClusterId: String) throws(CoordinationStorageError) {
        self.store = store
        if let durable = try store.load() {
            state = ClusterState(restoring: durable)
        } else {
            state = ClusterState(clusterId: newClusterId)
            try store.save(state.durable)
        }
    }

    /// A new session. Its registrations and controller claim last until its `close()`.
    public nonisolated func client() -> EmbeddedCoordinationClient {
        let id = lastSession.add(1, ordering: .relaxed).newValue
        return EmbeddedCoordinationClient(service: self, session: CoordinationSessionID(id))
    }

    /// The latest metadata.
    public func metadata() -> ClusterMetadata {
        state.metadata
    }

    /// Runs `command` for `client`'s session. Refused with `.closed` once the client is closed;
    /// the flag is read in the same actor turn as the command runs, so no command of a closed
    /// session can land after its `endSession`.
    func perform(_ command: ClusterCommand, for client: EmbeddedCoordinationClient) throws(CoordinationError) -> ClusterReply {
        guard !client.isClosed else { throw .closed }
        return try run(command, session: client.session)
    }

    /// A stream of snapshots for `client`: the current one, then one per change, until the
    /// client closes. Already finished when the client is closed.
    func subscribe(_ client: EmbeddedCoordinationClient) -> AsyncStream<ClusterMetadata> {
        let (stream, continuation) = AsyncStream.makeStream(of: ClusterMetadata.self, bufferingPolicy: .bufferingNewest(1))
        guard !client.isClosed else {
            continuation.finish()
            return stream
        }
        continuation.yield(state.metadata)
        subscriberCount += 1
        subscribers[subscriberCount] = Subscriber(session: client.session, continuation: continuation)
        return stream
    }

    /// Ends `session`: finishes its streams, then drops its registrations and controller claim
    /// and tells the other subscribers.
    func endSession(_ session: CoordinationSessionID) {
        for (key, subscriber) in subscribers where subscriber.session == session {
            subscriber.continuation.finish()
            subscribers[key] = nil
        }
        do throws(CoordinationError) {
            _ = try run(.endSession, session: session)
        } catch {
            // Ending a session only drops ephemeral state: it neither fails nor saves.
            preconditionFailure("ending \(session) failed: \(error)")
        }
    }

    /// Applies a command and carries out its actions; restores the previous state if the save
    /// fails.
    private func run(_ command: ClusterCommand, session: CoordinationSessionID) throws(CoordinationError) -> ClusterReply {
        let before = state
        let outcome = try state.apply(command, from: session)
        for action in outcome.actions {
            switch action {
            case .persist(let durable):
                do throws(CoordinationStorageError) {
                    try store.save(durable)
                } catch {
                    state = before
                    throw .unavailable("cluster metadata not saved: \(error)")
                }
            case .publish(let metadata):
                publish(metadata)
            }
        }
        return outcome.reply
    }

    private func publish(_ metadata: ClusterMetadata) {
        for (key, subscriber) in subscribers {
            if case .terminated = subscriber.continuation.yield(metadata) {
                subscribers[key] = nil
            }
        }
    }

    /// Finishes the streams of a discarded service, so no reader waits forever.
    deinit {
        for subscriber in subscribers.values { subscriber.continuation.finish() }
    }
}
