// GroupCoordinatorService: the actor that drives the group coordinator's state machines for the
// `__consumer_offsets` partitions this broker leads. Design note.
//
// Shards
// ------
// A group lives in partition `abs(javaHashCode(groupId)) % offsets.topic.num.partitions` of
// `__consumer_offsets`, and only that partition's leader coordinates it. Like Kafka's current
// coordinator runtime, the service keeps one `GroupMetadataManager` per partition it leads (a
// shard) rather than one for the whole broker: leadership moves per partition, so a shard is
// loaded when this broker becomes its leader (`becameLeader`) and dropped when it stops being
// one (`resigned`), without touching the others. With one broker every partition is local and
// `start()` loads them all; with several, the replica manager reports leadership changes.
//
// Loading
// -------
// A shard starts Loading: its partition is read from offset 0 to the high watermark through
// `InternalTopicStore.read`, every record is replayed into a fresh manager off the actor, and
// only then is the manager installed and started. Until then requests for its groups are told
// COORDINATOR_LOAD_IN_PROGRESS; groups of partitions with no shard get NOT_COORDINATOR, and
// everything before `start()` or after `shutdown()` gets COORDINATOR_NOT_AVAILABLE (Kafka's
// inactive coordinator). A load that fails on storage is retried with backoff; one that finds
// this broker no longer leads the partition gives the shard up.
//
// Requests, appends, timers
// -------------------------
// Each request gets a `RequestToken` and parks its continuation until a `.respond` action names
// the token, so a JoinGroup can wait for the join phase and an OffsetCommit for its write. The
// state machine is called synchronously on the actor, and its actions performed in the same
// step: no suspension separates reading state from acting on it.
//
// `.append` actions queue per shard; one writer task per shard drains the queue in order,
// encoding each append as one v2 batch and calling `InternalTopicStore.append`, then reports
// `appended` (or the failure) back. Writes of one partition therefore reach the log in the
// order the state machine asked for them, which replay depends on.
//
// Timers sit in one table keyed by shard and `GroupTimer`, at most one per key. A single timer
// task sleeps (through the injected `sleep`) until the earliest deadline of the injected clock,
// then fires everything due; scheduling an earlier deadline replaces the task. Tests inject a
// sleep that never returns and call `fireDueTimers()` after moving a `ManualClock`.
//
// Shard epochs guard every asynchronous step: a load, a write or a timer that finishes after
// its shard was dropped (or dropped and loaded again) is discarded, and the requests parked on
// a dropped shard are answered NOT_COORDINATOR at once.

public import Logging
public import TernCompression
import TernGroupCoordinator
public import TernPrimitives
import TernProtocol

/// Drives the classic group coordinator of this broker: one `GroupMetadataManager` per
/// `__consumer_offsets` partition it leads, loaded from and persisted to that partition.
///
/// Call `start()` once at startup; it creates `__consumer_offsets` if needed and loads the
/// partitions this broker leads. Report later leadership changes with `becameLeader(ofOffsetsPartition:)`
/// and `resigned(fromOffsetsPartition:)`, and call `shutdown()` on the way down.
public actor GroupCoordinatorService {
    /// The name of Kafka's offsets topic.
    public static let offsetsTopic = "__consumer_offsets"

    /// Where the service is in its life.
    enum Lifecycle {
        /// Created; requests are answered COORDINATOR_NOT_AVAILABLE.
        case created
        /// `start()` is creating the topic.
        case starting
        /// Serving.
        case running
        /// Shut down; requests are answered COORDINATOR_NOT_AVAILABLE.
        case stopped
    }

    /// One `__consumer_offsets` partition this broker leads.
    struct Shard {
        /// Distinguishes this shard from an earlier or later one of the same partition.
        let epoch: UInt64
        /// The task reading the partition, until the manager is installed.
        var loader: Task<Void, Never>?
        /// Appends waiting for the writer, oldest first.
        var appends: [GroupAppend] = []
        /// The task writing `appends`, while there are any.
        var writer: Task<Void, Never>?
    }

    /// A request waiting for its answer.
    struct ParkedRequest {
        /// The shard whose state machine holds the token.
        let partition: Int32
        /// The answer to give if the shard goes away first.
        let failure: @Sendable (GroupErrorCode) -> GroupResponse
        let continuation: CheckedContinuation<GroupResponse, Never>
    }

    /// A timer of one shard's state machine.
    struct ShardTimer: Hashable {
        let partition: Int32
        let timer: GroupTimer
    }

    let store: any InternalTopicStore
    let clock: any BrokerClock
    /// The settings the service was built with.
    public nonisolated let settings: GroupCoordinatorSettings
    let codecs: CompressionCodecs
    let logger: Logger
    let sleep: @Sendable (Duration) async throws -> Void
    var random: SeededRandom

    var lifecycle = Lifecycle.created
    var shards: [Int32: Shard] = [:]
    /// The state machines of loaded shards.
    var managers: [Int32: GroupMetadataManager] = [:]
    var parked: [RequestToken: ParkedRequest] = [:]
    var timers: [ShardTimer: Instant] = [:]
    var timerTask: Task<Void, Never>?
    var timerTaskDeadline: Instant?
    var lastToken: UInt64 = 0
    var lastEpoch: UInt64 = 0

    /// Creates a stopped service.
    ///
    /// - Parameters:
    ///   - store: `__consumer_offsets` as this broker sees it.
    ///   - clock: the monotonic clock for deadlines and the wall clock for record timestamps.
    ///   - settings: the `group.*` and `offsets.*` settings.
    ///   - random: the source of member ids. Seed it differently on every process start, or a
    ///     restarted broker hands out the member ids of its previous life again.
    ///   - codecs: decompresses batches found while loading.
    ///   - logger: where loads, failed writes and dropped shards are reported.
    ///   - sleep: waits for the next timer; it must throw when its task is cancelled.
    public init(
        store: any InternalTopicStore, clock: any BrokerClock, settings: GroupCoordinatorSettings = GroupCoordinatorSettings(),
        random: SeededRandom, codecs: CompressionCodecs = CompressionCodecs(), logger: Logger,
        sleep: @escaping @Sendable (Duration) async throws -> Void = { try await Task.sleep(for: $0) }
    ) {
        self.store = store
        self.clock = clock
        self.settings = settings
        self.random = random
        self.codecs = codecs
        self.logger = logger
        self.sleep = sleep
    }

    // MARK: - Lifecycle

    /// Creates `__consumer_offsets` if absent, then starts loading every partition this broker
    /// leads. Returns once the loads have begun; `waitUntilLoaded()` waits for them. Calling it
    /// again does nothing; if the topic cannot be created it throws, and the service stays
    /// stopped until `start()` is called again.
    public func start() async throws(InternalTopicError) {
        switch lifecycle {
        case .created: break
        case .starting, .running, .stopped: return
        }
        lifecycle = .starting
        do {
            try await store.ensureTopic(
                Self.offsetsTopic, partitionCount: settings.offsetsTopicPartitionCount, configs: settings.offsetsTopicConfigs)
        } catch {
            if case .starting = lifecycle { lifecycle = .created }
            throw error
        }
        guard case .starting = lifecycle else { return }
        lifecycle = .running
        for partition in 0..<settings.offsetsTopicPartitionCount {
            if await store.isLeader(of: Self.topicPartition(partition)) { beginLoading(partition) }
        }
    }

    /// Starts loading `partition` of `__consumer_offsets`, which this broker now leads. Does
    /// nothing if it is loading or loaded already, or the service is not running.
    public func becameLeader(ofOffsetsPartition partition: Int32) {
        beginLoading(partition)
    }

    /// Drops the groups of `partition`, which this broker no longer leads: requests waiting on
    /// them are answered NOT_COORDINATOR, and their timers and pending writes are forgotten.
    public func resigned(fromOffsetsPartition partition: Int32) {
        unload(partition, answering: .notCoordinator)
    }

    /// Stops serving: every shard is dropped, waiting requests are answered
    /// COORDINATOR_NOT_AVAILABLE, and the timer task ends.
    public func shutdown() {
        lifecycle = .stopped
        for partition in shards.keys.sorted() { unload(partition, answering: .coordinatorNotAvailable) }
        timerTask?.cancel()
        timerTask = nil
        timerTaskDeadline = nil
    }

    /// Waits until every load begun so far has finished (or given up).
    public func waitUntilLoaded() async {
        for loader in shards.values.compactMap(\.loader) { await loader.value }
    }

    // MARK: - Queries about placement

    /// The `__consumer_offsets` partition that holds `groupId`.
    public nonisolated func partition(for groupId: String) -> Int32 {
        GroupMetadataManager.partition(for: groupId, partitionCount: settings.offsetsTopicPartitionCount)
    }

    /// Whether this broker coordinates the groups of `partition` (loaded or still loading).
    public func hostsPartition(_ partition: Int32) -> Bool {
        shards[partition] != nil
    }

    /// Whether the groups of `partition` are loaded and served.
    public func isLoaded(_ partition: Int32) -> Bool {
        managers[partition] != nil
    }

    /// How many requests are waiting for an answer (a JoinGroup in its join phase, a commit
    /// being written). For metrics and tests.
    public var parkedRequestCount: Int { parked.count }

    /// The error a request for a group of `partition` gets instead of an answer, or nil when
    /// the partition's groups are served here.
    func unavailability(of partition: Int32) -> GroupErrorCode? {
        switch lifecycle {
        case .created, .starting, .stopped: return .coordinatorNotAvailable
        case .running: break
        }
        guard shards[partition] != nil else { return .notCoordinator }
        guard managers[partition] != nil else { return .coordinatorLoadInProgress }
        return nil
    }

    static func topicPartition(_ partition: Int32) -> TopicPartition {
        TopicPartition(topic: offsetsTopic, partition: partition)
    }

    /// Drops a shard: its loads, writes and timers, and answers its parked requests with `error`.
    func unload(_ partition: Int32, answering error: GroupErrorCode) {
        guard let shard = shards.removeValue(forKey: partition) else { return }
        shard.loader?.cancel()
        shard.writer?.cancel()
        managers[partition] = nil
        timers = timers.filter { $0.key.partition != partition }
        let orphans = parked.filter { $0.value.partition == partition }
        for (token, request) in orphans.sorted(by: { $0.key.rawValue < $1.key.rawValue }) {
            parked[token] = nil
            request.continuation.resume(returning: request.failure(error))
        }
        logger.info("dropped __consumer_offsets partition", metadata: [
            "partition": "\(partition)", "answered": "\(orphans.count)", "reason": "\(KafkaErrorCode(error).name)"])
    }
}
