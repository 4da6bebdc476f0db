// TernZooKeeper: the ZooKeeper wire protocol (jute) and the znode tree as a deterministic state
// machine, for the coordinator ensemble that replicates it with Raft. Pure code: no sockets, no
// clocks, no Raft. The composition root wires Raft, this module and a TCP transport together.
//
// Design note
// ===========
//
// Flow. A connection decodes its first frame as `ZooKeeperConnectRequest` and asks
// `ZooKeeperDatabase.decideConnect`; a new session becomes a `createSession` transaction with an
// id from `ZooKeeperSessionIDGenerator` and a password from an injected generator. Every later
// frame decodes as `ZooKeeperRequestFrame`; `ZooKeeperRequest.route(sessionID:time:)` says
// whether to answer it locally (`ZooKeeperDatabase.handle`), propose a `ZooKeeperTransaction`,
// or reject it at once. Committed transactions are applied on every replica in log order with
// `ZooKeeperDatabase.apply(_:zxid:)`; the server that holds the client's connection sends
// `result.reply(xid:)`, and every server pushes the watch notifications for its own sessions.
//
// Where we depart from ZooKeeper, and why:
//
// - Validation happens when a transaction is applied, not when the leader prepares it.
//   ZooKeeper's PrepRequestProcessor checks requests against the tree plus a list of
//   outstanding, uncommitted changes, and logs either the resulting transaction or an error
//   transaction. We log the request's intent instead (path, data, version, flags, the leader's
//   time and the session) and let `ZooKeeperTree.apply` decide against the committed tree: the
//   sequence suffix from the parent's cversion, nodeExists, badVersion, notEmpty, and so on.
//   Every replica reaches the same verdict, no outstanding-change bookkeeping is needed, and, as
//   in ZooKeeper, a failed write still consumes its zxid. `route` rejects only what needs no
//   tree (flags, TTL, path syntax, ACL shape, data size) so the log is not spent on it.
// - Time enters only as `ZooKeeperTransaction.time` (the leader's wall clock, ZooKeeper's
//   TxnHeader.time), and zxids only as the applier's argument (epoch << 32 | counter).
// - Sessions: the tree holds id, timeout and password; liveness is the leader's business
//   (`ZooKeeperSessionTracker`), and expiry is a `closeSession` transaction the leader proposes.
//   Pings are not replicated, as in ZooKeeper.
// - Multi atomicity uses a fine-grained undo log (ZooKeeperTree+Apply.swift) instead of
//   ZooKeeper's change-record rollback; results follow DataTree.processTxn: `ok` error results
//   before the failing op, its code at it, `runtimeInconsistency` after it, and header `ok`.
// - ACLs are validated like PrepRequestProcessor.fixupACL (non-empty, known schemes) but not
//   stored or enforced; getACL always answers `world:anyone` with all permissions, setACL bumps
//   aversion. Auth packets are accepted and ignored. Quotas are not implemented.
// - Null and empty are the same: a null buffer or string (kazoo writes "" and b"" as -1) is
//   read as empty, and we always write empty as length 0. Java clients see an empty array
//   where ZooKeeper would have returned null data.
// - Children are returned sorted (ZooKeeper returns hash order) and every internal iteration
//   that reaches an output is sorted, because Swift seeds hash order per process.
// - Containers and TTL nodes (`containerSweepCandidates`) follow ContainerManager: a container
//   with cversion > 0 and no children, a childless TTL node unmodified for longer than its TTL.
//   The leader proposes `deleteContainer`, and apply re-checks the conditions, since the tree
//   may have changed between the sweep and the commit. TTL nodes are always enabled (ZooKeeper
//   needs `zookeeper.extendedTypesEnabled`).
// - Watches live per server in `ZooKeeperWatchTable`, as ZooKeeper's live per connection, and
//   are not in snapshots; clients re-send them with setWatches. Installing a snapshot drops
//   them, and the server should then close its client connections.
// - Paths are Swift `String` keys, so two paths that differ only in Unicode normalization are
//   one node here and two in ZooKeeper. Deterministic either way; noted as a known difference.
//
// ZooKeeper sources consulted (apache/zookeeper, read to learn the format, nothing copied):
// zookeeper-jute/.../zookeeper.jute (records), ZooDefs.java (opcodes, perms),
// KeeperException.java (codes), MultiOperationRecord.java and MultiResponse.java (multi
// framing), OpResult.java (result types), CreateMode.java (flags), EphemeralType.java
// (ephemeralOwner markers), PathUtils.java (path rules), DataTree.java (createNode, deleteNode,
// setData, setWatches, processTxn, killSession), PrepRequestProcessor.java (check order,
// checkAndIncVersion, sequence suffix), FinalRequestProcessor.java (reply shapes, exists and
// multi replies, ping xid -2, getEphemerals prefix rule), ContainerManager.java (sweep),
// ZooKeeperServer.finishSessionInit (ConnectResponse and its read-only byte).
//
// Kazoo compatibility notes (python-zk/kazoo, kazoo/protocol/serialization.py and
// connection.py):
// - Connect always appends the read-only byte (False), so the ConnectResponse must carry one;
//   kazoo treats a timeout <= 0 in it as an expired session. The initial password is 16 zero
//   bytes and the session id 0.
// - After connecting, kazoo sends one AuthPacket (opcode 100, xid -4) per configured credential
//   and reads a bare ReplyHeader back; a non-zero err is fatal to the connection.
// - Pings are opcode 11 with xid -2 and no body; kazoo matches the reply by xid -2.
// - Watch events are read when xid is -1: type, state, path. Kazoo pops data watchers on
//   created/changed, both data and child watchers on deleted, child watchers on children-changed.
// - Ordinary requests use xids from 1 upward and replies must come back in request order; an
//   exists that fails with noNode is mapped to None, not an error.
// - Empty strings and buffers are written as length -1.
// - Transactions (multi) send create as opcode 1 and parse results of types 1, 2, 5, 13 and -1
//   only, which is why create results inside a multi are answered as type 1 (path only).
