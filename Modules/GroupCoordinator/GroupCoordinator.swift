// GroupCoordinator: Kafka's classic consumer group protocol and offset storage, as sans-IO
// state machines. Design note.
//
// Shape
// -----
// `GroupMetadataManager` holds every group of one coordinator with its committed offsets; each
// group is a `ClassicGroup` (Empty, PreparingRebalance, CompletingRebalance, Stable, Dead). Both
// are structs: requests come in as domain events (`JoinGroupEvent`, `SyncGroupEvent`, …) with a
// driver-chosen `RequestToken`, timers come in as `expire(_:)`, finished writes as `appended(_:)`,
// and everything the driver must do comes out as `GroupAction`s: answer a token, append records
// to `__consumer_offsets`, schedule or cancel a timer. Nothing reads a clock: events carry the
// monotonic `now` for deadlines and the wall clock for the timestamps Kafka stores in records
// (commit times, `currentStateTimestamp`), because those must survive a restart and a monotonic
// instant does not. Member ids take their UUID from the injected `SeededRandom`.
//
// The module does not import TernProtocol: the broker's handlers translate wire messages of
// every version into these events and the results back (`GroupErrorCode` has Kafka's numeric
// values). Timers are named (`GroupTimer`), one per group phase and member, like the keys of
// Kafka's coordinator timer; a timer that fires after being cancelled or moved is ignored, so a
// driver need not race its timer wheel against events.
//
// Semantics follow Kafka's current group coordinator (the Java `GroupMetadataManager` classic
// group paths and `ClassicGroup`), which in turn kept the Scala `GroupCoordinator` behaviour:
// MEMBER_ID_REQUIRED for new dynamic members on JoinGroup v4+; pending members that block the
// join phase until they rejoin or their session lapses; the initial rebalance delay, extended by
// up to the delay again for each wave of arrivals until the rebalance timeout is used up; the
// join phase ending early once every member is back (not during the initial delay); dynamic
// members that miss the join phase dropped, static ones kept; the leader kept if it rejoined;
// protocol chosen by member votes among protocols every member supports; the sync deadline
// (rebalance timeout) after which members that never sent SyncGroup are removed; new members'
// five-minute join timeout; static members that rejoin without an id taking over their old
// place without a rebalance (FENCED_INSTANCE_ID for the old id) when the protocol choice stays;
// offsets that expire `offsets.retention.minutes` after the group becomes empty (KIP-211).
//
// Departures from Kafka, and why
// ------------------------------
// - Determinism. Kafka iterates members in hash order, so leader succession and protocol vote
//   ties are arbitrary; we use join order (the longest-standing member wins), so a simulation
//   replays exactly.
// - No leaked requests. Kafka silently drops a JoinGroup or SyncGroup that a duplicate request
//   replaces, and the SyncGroup of a member removed while waiting. A driver holding tokens must
//   hear about every one, so the replaced request is answered REBALANCE_IN_PROGRESS and the
//   removed member's UNKNOWN_MEMBER_ID.
// - A group over `group.max.size` that refuses a rejoining member also checks whether the join
//   phase can now end (Kafka's Scala coordinator did; the Java one waits for the timeout).
// - The `newMemberAdded` flag is cleared when an initial rebalance starts; Kafka can carry a
//   stale flag from an earlier initial rebalance into the next and extend it once for nobody.
// - Answers that wait for durability: the leader's SyncGroup (and so everyone's), a static
//   member's id change in a Stable group, and OffsetCommit are answered from `appended`, as Kafka
//   answers from the append callback. Group metadata for an empty generation, deletions and
//   expiry tombstones are written without anyone waiting, as in Kafka.
// - Record formats are Kafka's: keys version 1 (offsets) and 2 (group metadata), group metadata
//   value v3, offset value v1 (explicit retention) or v3. Strings too long for a record's int16
//   length are refused at the door (INVALID_GROUP_ID, INVALID_REQUEST, UNKNOWN_TOPIC_OR_PARTITION)
//   rather than failing the write later.
// - Not here: transactional offset commits (TxnOffsetCommit), KIP-848 consumer groups, and
//   COORDINATOR_LOAD_IN_PROGRESS / NOT_COORDINATOR, which depend on partition ownership and
//   belong to the driver that loads `__consumer_offsets` partitions.
