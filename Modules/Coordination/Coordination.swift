// Coordination: the metadata service behind the cluster, a small replicated state machine that
// brokers reach the way they would reach ZooKeeper. This file is the module's design note; the
// code lives in `Raft/` (the consensus core) and, later, beside it the metadata tree applied from
// committed entries.
//
// # Shape
//
// `RaftNode` is a sans-IO state machine (STYLE.md §2). Events go in: `start`, `tick`,
// `receive(_:from:)`, `persisted(upTo:)`, `propose`, `readIndex`, `compact`. Actions come out:
// `send`, `persist`, `apply`, `restoreSnapshot`, `readReady`/`readFailed`, `leaderChanged`,
// `armTimer`. Every event takes `now`; randomness comes from an injected `SeededRandom`. A
// production actor and the test simulator drive the same struct. The role is an enum whose
// payload holds what only that role tracks (`LeaderState` exists only while leading), and every
// event switches on it exhaustively.
//
// # What we take from the Raft paper unchanged
//
// Figure 2's rules for terms, votes, AppendEntries and commit; the election restriction
// (§5.4.1: vote only for a log at least as up to date); committing only entries of the current
// term by counting replicas (§5.4.2), older entries becoming committed with them; a leader's
// no-op entry at the start of its term (§8) so it learns the commit index promptly; log
// compaction by application snapshots with InstallSnapshot for followers that need compacted
// entries (§7), keeping the log's tail when it agrees with the snapshot.
//
// # Where we depart or extend, and why
//
// - Pre-vote (Ongaro's thesis §9.6). A node whose timer fires first asks for trial votes for
//   term + 1 without raising its term; only a majority of trial votes lets it stand. A node cut
//   off by a partition therefore cannot inflate terms and depose a healthy leader on return.
// - Leader stickiness and check-quorum (thesis §4.2.3, §6.2). A node that heard from its leader
//   within the minimum election timeout refuses votes and trial votes; in exchange a leader that
//   has not heard from a majority within an election timeout steps down, so a partitioned
//   leader stops accepting proposals and serving reads, and nobody defers to a dead leader.
// - Durability is explicit. The paper says "respond after updating stable storage"; here every
//   event that changes the hard state, the log or the snapshot ends with one `persist` action
//   carrying a ticket, and the node tracks what is durable apart from what is in memory
//   (`durableIndex`, the durable hard state, the outstanding writes). Messages that promise
//   durability (a granted vote, an append success, an installed snapshot) are held until their
//   write is done, and dropped if the term changed meanwhile: after a term change a newer leader
//   may have truncated what the old acknowledgement promised. A candidate counts its own vote
//   only once it is durable. The leader writes its own entries in parallel with sending them
//   (thesis §10.2.1) and counts itself toward a commit only up to its durable index. Entries are
//   applied only once durable locally, so an application snapshot never covers entries a
//   restart could not read back. `persisted(upTo:)` takes a ticket rather than a log index,
//   because a hard-state-only write has no index and a truncation makes an index ambiguous.
// - One write per event, with a fixed order of parts: truncate the tail, store the snapshot,
//   store the hard state, append entries. A crash may keep any prefix of that order (a torn
//   write). Truncating before the snapshot means a torn snapshot install never leaves a stale
//   tail hanging off the new snapshot; hard state before entries means a recovered term is never
//   older than the last entry's (recovery still takes the larger of the two, defensively).
// - Fast backtracking. A rejected append carries the follower's term at the rejected index and
//   the first index of that term (or its log's end), so the leader skips a whole term per round
//   trip instead of one index (the optimization sketched at the end of §5.3).
// - Flow control. Each follower is probed one append at a time until its position is known,
//   then pipelined up to `appendsInFlightMax` appends, or sent the snapshot. A lost append or
//   chunk is noticed by age and resent; the paper's "retry indefinitely" becomes bounded queues.
//   Every queue a peer can grow has a limit in `RaftLimits`.
// - Heartbeats are empty appends at the follower's known match index. A follower adopts the
//   leader's commit index only up to the prefix a message verified, so a heartbeat can never
//   make it commit an old leader's leftovers. When the commit index advances, the leader sends
//   each follower such an empty append at once: otherwise a follower learns of a commit only
//   with the next entries or heartbeat, and a write proposed through it waits that long. A
//   follower whose acknowledgement arrives after the commit it was part of gets one too.
// - Chunked InstallSnapshot: each chunk names the snapshot, its offset and the total size
//   (instead of a `done` flag), one chunk is in flight per follower, and the follower answers
//   with the offset it wants next. A snapshot larger than `snapshotBytesMax` is refused.
// - Linearizable reads by read-index (thesis §6.4), not by lease: the leader records its commit
//   index, confirms with a heartbeat round that a majority still follows it, and serves the read
//   once applied up to that index. It first waits for its term's no-op to commit. Reads never
//   depend on clocks agreeing; only liveness does.
// - One timer. The node announces its next deadline (`armTimer`); the driver calls `tick` then.
// - Recovery. The commit index is not persisted: a restarted node starts at its snapshot and
//   relearns the commit index from the leader, restoring its state machine from the snapshot.
// - Messages use our own compact binary codec with a version byte, not the Kafka protocol, so
//   Raft's messages stay free of Kafka's versioning rules (ANCHOR-STYLES, "Questions").
// - Names: Raft's `term` is never Kafka's `leaderEpoch`; this module is `Coordination`, and
//   Kafka's coordinators are always `GroupCoordinator` and `TransactionCoordinator`.
//
// The runtime that drives the core on real clocks, disks and sockets, and offers it to the
// ZooKeeper server as a `ReplicatedLog`, is `RaftRuntime/RaftReplicatedLog.swift`, with its own
// design note.
//
// Not yet here: leadership transfer, non-voting learners, and client sessions. Without sessions
// a retried proposal can commit twice; the metadata layer must deduplicate by session and
// sequence number, as ZooKeeper does.
//
// # Membership changes: what joint consensus would take
//
// Membership is static today: every node is configured with the same voters. Joint consensus
// (§6) would add a configuration entry kind to the log. A server uses the latest configuration
// in its log, committed or not, so the leader first appends C(old,new); from then on elections,
// commitment and read-index confirmation need separate majorities of both C(old) and C(new)
// (`advanceCommit`, vote counting and `isRoundConfirmed` would each take a pair of quorums).
// Once C(old,new) commits, the leader appends C(new); when that commits, servers outside C(new)
// stop, and a leader outside C(new) steps down after committing it. Truncating a configuration
// entry must restore the previous configuration, so the node would keep the configuration of
// each uncommitted configuration entry. Snapshots and `DurableState` would carry the
// configuration as of their index, `LeaderState.progress` would gain and lose followers as
// configurations change, and new servers would first join as non-voting learners until they
// catch up, so that adding them does not stall commits (thesis §4.2.1). Removed servers that
// keep timing out are already kept harmless by pre-vote and leader stickiness. The simpler
// one-server-at-a-time changes (thesis §4.1) need the leader to commit an entry of its own term
// before each change, the fix for the bug found in the thesis's original rule.
