// TernZooKeeperServer: serves the ZooKeeper client protocol from a znode tree replicated through
// a `ReplicatedLog` (TernCoordination). It owns connections, sessions and watches; the tree and
// the jute codec live in TernZooKeeper, consensus in TernCoordination, sockets in TernTransport.
//
// Design note
// ===========
//
// Pieces. `ZooKeeperReplica` is one actor per node: the `ReplicatedStateMachine` that applies
// committed commands to a `ZooKeeperDatabase`, and also the home of this node's client
// connections, their request pipelines, watches, read barriers and (on the leader) the session
// tracker. Keeping all of it in one actor means applying a transaction, pushing the watch
// events it fires and answering the reads that come after it happen in one order, with no
// suspension between them. Anything that waits on the log (propose, readBarrier, sendToLeader)
// runs as a job in `ZooKeeperServer.run()`'s task group and reports back to the actor.
//
// Request pipeline. The transport hands a ZooKeeper listener one frame at a time
// (`inFlightRequestsMax` 1), so frames reach the replica in arrival order, and the handler
// returns as soon as the frame is queued: pipelining is ours, bounded by
// `requestsPerConnectionMax` (past it the handler waits, and the transport stops reading). The
// first frame is the ConnectRequest, answered through the transport's response path. After
// that every reply and every watch event goes out with `ServerConnection.push`, in the order
// the replica pushes them. Per connection (`ClientPipeline`):
// - a request is routed with `ZooKeeperRequest.route`: rejected at once, a write, or a read;
// - writes are proposed in batches: all writes queued while the previous batch is in flight go
//   into the next log entry, one entry in flight per connection. A client's writes therefore
//   commit in the order it sent them (ZooKeeper's FIFO client order) whatever the log does with
//   concurrent proposals, and a pipelining client still gets group commit. A write is not
//   proposed while an earlier read of its connection is unanswered, so that read cannot see it;
// - replies leave strictly in request order: the head is answered when ready, nothing passes
//   it. A write's reply is ready when its transaction has been applied on this node. A read is
//   answered only on reaching the head, so it sees every earlier write of the connection;
// - watch events are pushed while the transaction that fires them is applied, so they go out in
//   zxid order and before the reply to any later read that could show the change.
//
// Transport fit. ZooKeeper frames are 4-byte length-prefixed like Kafka's, so the transport
// frames them as is; `listenerConfiguration` caps a frame at `ZooKeeperLimits.frameBytesMax`
// (rejected before buffering, connection closed). The transport orders *responses*, but its
// `respond` calls run in separate tasks, so with more than one in flight a handler cannot tell
// arrival order; hence one at a time, plus our own pipeline. The cost is a connection-loop
// round trip per frame (a transport hook handing over frames in order would remove it).
//
// Linearizable reads. Every read of the tree (exists, getData, getChildren(2), getACL, sync,
// getEphemerals, getAllChildrenNumber) waits for a `readBarrier` that *began after the read
// arrived*: the barrier is Raft's read-index, returning once this node has applied everything
// committed when it started, so the read reflects every write acknowledged before it was sent,
// on any node. Barriers are coalesced (`ReadBarrierCoalescer`): at most one is in flight per
// node; reads arriving while it runs join the next one, which starts when it ends. Under load
// that is one leader round trip for a whole crowd of reads. `sync` is a read that returns its
// path. Pings, auth, setWatches and addWatch read nothing a barrier would change and skip it.
// The handshake runs a barrier first too, so a node that lags does not refuse a client that has
// seen a newer zxid, nor miss a session created elsewhere a moment ago.
//
// Commands and zxids. A log entry is a `ReplicaCommand`: the proposer (node, a random
// incarnation per process start, a sequence number), the session, and the transactions with
// their xids. The proposer routes results to the waiting client by sequence number; the
// session's last applied proposal is replicated state (and in snapshots), and a command whose
// proposal is not newer than it, from the same incarnation, is skipped on every node: a log that
// delivers a forwarded proposal twice does not apply it twice. zxid = term << 32 | counter, the
// counter restarting at 1 in each term, as ZooKeeper's epoch and counter do; terms never fall
// along the log, so zxids rise, and every replica computes the same ones.
//
// Sessions. Connect proposes createSession with an id from `ZooKeeperSessionIDGenerator` (this
// node's id in the top byte) and a password from the injected generator; reconnect checks id and
// password against the tree and renegotiates the timeout. Only the leader times sessions
// (`ZooKeeperSessionTracker`); every request counts as life; followers batch the sessions they
// saw and send them with `sendToLeader` once per `sessionCheckInterval`. A node that becomes
// leader times every session afresh from that moment. An expired session gets a closeSession
// proposed by the leader: its ephemerals go, watches fire, and the node holding its connection
// closes it. A propose or barrier that fails (`outcomeUnknown`, `noLeader`, ...) closes the
// client connection: the client sees connection loss, exactly what ZooKeeper gives when a
// write's fate is unknown, and re-reads after reconnecting.
//
// Where we depart from ZooKeeper, and why:
// - Reads are linearizable by default (ZooKeeper serves them from the local replica, stale
//   until `sync`). Costs a leader round trip per read batch; buys the guarantee.
// - Transactions are stamped with the proposer's wall clock (ctime, mtime), not the leader's.
//   Any node may propose; clocks are assumed roughly in sync, as ZooKeeper assumes for expiry.
// - A session moving between nodes is not fenced: the old node's connection lives until it
//   fails or the session expires, and writes sent there still apply (ZooKeeper answers them
//   `sessionMoved`). On one node a session has one connection: a resume closes the older one.
// - After a client's own closeSession, or a refused reconnect, we answer and leave the hang-up
//   to the client (kazoo and the Java client close at once); anything else it sends closes the
//   connection. The transport has no "close after this write", and ZooKeeper's clients do not
//   need one.
// - Undecodable request bodies get a `marshallingError` reply for their xid; a frame whose
//   header cannot be read, or an undecodable ConnectRequest, closes the connection (logged).
//   ZooKeeper closes in both cases.
// - Installing a snapshot (a lagging follower catching up) closes every client connection of
//   that node: the watch table went with the old tree and replies in flight may never come.
// - Per-connection bounds: a client that lets more than twice `requestsPerConnectionMax`
//   pushed frames pile up unread is disconnected (`pushedFramesMax`).

public import Logging
public import TernCoordination
public import TernTransport
import NIOCore
import TernZooKeeper

/// A ZooKeeper server on one node: the `FrameService` for its client listener, and the
/// background work (proposals, barriers, session timing) that `run()` performs.
public struct ZooKeeperServer: FrameService {
    /// The node's state.
    public let replica: ZooKeeperReplica
    private let log: any ReplicatedLog
    private let logger: Logger

    /// A server for `replica`, which must be the state machine `log` applies to.
    public init(replica: ZooKeeperReplica, log: any ReplicatedLog, logger: Logger = Logger(label: "tern.zookeeper")) {
        self.replica = replica
        self.log = log
        self.logger = logger
    }

    /// The transport settings a ZooKeeper listener needs: frames up to ZooKeeper's limit, one
    /// request handed over at a time (the replica pipelines and orders them itself), room for
    /// pushed replies and events, and no idle cut-off shorter than a session could last.
    public static func listenerConfiguration(
        _ configuration: ZooKeeperServerConfiguration, log: @escaping @Sendable (TransportEvent) -> Void = { _ in }
    ) -> ServerConfiguration {
        ServerConfiguration(
            requestFrameBytesMax: ZooKeeperLimits.frameBytesMax, inFlightRequestsMax: 1,
            pushedFramesMax: 2 * configuration.requestsPerConnectionMax,
            idleTimeout: .milliseconds(2 * Int64(configuration.sessionTimeouts.maximum)) + .seconds(10),
            log: log)
    }

    public func connectionOpened(_ connection: ServerConnection) async -> any ConnectionHandler {
        await replica.connectionOpened(connection)
        return ZooKeeperConnectionHandler(replica: replica, log: log, connection: connection, logger: logger)
    }

    /// Performs the replica's jobs and timers until the calling task is cancelled: leadership
    /// changes, keep-alives from followers, the session check, proposals and read barriers.
    public func run() async {
        let interval = replica.configuration.sessionCheckInterval
        await withDiscardingTaskGroup { group in
            group.addTask { [log, replica] in
                for await view in log.leadershipChanges() { await replica.leadershipChanged(view) }
            }
            group.addTask { [log, replica] in
                for await (peer, message) in log.leaderInbox() { await replica.receiveKeepalive(message, from: peer) }
            }
            group.addTask { [replica] in
                while (try? await Task.sleep(for: interval)) != nil { await replica.tick() }
            }
            for await job in replica.jobs {
                group.addTask { await perform(job) }
            }
            group.cancelAll()
        }
    }

    private func perform(_ job: ReplicaJob) async {
        switch job {
        case .propose(let batch, let command):
            do {
                try await log.propose(command)
                await replica.proposalEnded(batch, error: nil)
            } catch {
                await replica.proposalEnded(batch, error: error)
            }
        case .readBarrier(let generation):
            do {
                try await log.readBarrier()
                await replica.barrierEnded(generation, error: nil)
            } catch {
                await replica.barrierEnded(generation, error: error)
            }
        case .sendToLeader(let message):
            await log.sendToLeader(message)
        }
    }
}
