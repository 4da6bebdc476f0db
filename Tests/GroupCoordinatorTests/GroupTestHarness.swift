// Goal: drive a `GroupMetadataManager` the way a broker's driver would, so tests read as
// sequences of client requests and clock moves. Method: a hand-cranked driver that answers
// tokens, keeps the timer table, appends records to an in-memory log (immediately, or held so
// a test can complete or fail them), and fires due timers in deadline order when time advances.

import NIOCore
import TernGroupCoordinator
import TernPrimitives

final class GroupHarness {
    var manager: GroupMetadataManager
    var now: Instant = .zero
    var wallClock: Int64 = 1_700_000_000_000
    private var nextToken: UInt64 = 0
    /// Every answer, in order; a token answered twice is a bug the tests look for.
    private(set) var answers: [(token: RequestToken, response: GroupResponse)] = []
    private(set) var timers: [GroupTimer: Instant] = [:]
    /// Records made durable, in append order: what `__consumer_offsets` would hold.
    private(set) var log: [GroupCoordinatorRecord] = []
    /// When false, appends wait in `heldAppends` until `completeHeldAppends`.
    var appendsCompleteImmediately = true
    private(set) var heldAppends: [GroupAppend] = []

    init(configuration: GroupCoordinatorConfiguration = .testing, seed: UInt64 = 7) {
        manager = GroupMetadataManager(configuration: configuration, random: SeededRandom(seed: seed))
    }

    // MARK: - Driving

    func perform(_ actions: [GroupAction]) {
        for action in actions {
            switch action {
            case let .respond(token, response):
                answers.append((token, response))
            case let .append(append):
                if appendsCompleteImmediately {
                    log += append.records
                    perform(manager.appended(append, failure: nil, now: now, wallClockMilliseconds: wallClock))
                } else {
                    heldAppends.append(append)
                }
            case let .scheduleTimer(timer, deadline):
                timers[timer] = deadline
            case let .cancelTimer(timer):
                timers[timer] = nil
            }
        }
    }

    func completeHeldAppends(failure: GroupAppendFailure? = nil) {
        let held = heldAppends
        heldAppends = []
        for append in held {
            if failure == nil { log += append.records }
            perform(manager.appended(append, failure: failure, now: now, wallClockMilliseconds: wallClock))
        }
    }

    /// Moves the clock forward by `duration`, firing every timer that falls due on the way at its
    /// own deadline, earliest first.
    func advance(by duration: Duration) {
        let target = now + duration
        while let (timer, deadline) = timers.filter({ $0.value <= target })
            .min(by: { ($0.value, "\($0.key)") < ($1.value, "\($1.key)") }) {
            moveClock(to: deadline)
            timers[timer] = nil
            perform(manager.expire(timer, now: now, wallClockMilliseconds: wallClock))
        }
        moveClock(to: target)
    }

    private func moveClock(to instant: Instant) {
        wallClock += (instant - now).millisecondsClamped
        now = instant
    }

    func token() -> RequestToken {
        nextToken += 1
        return RequestToken(nextToken)
    }

    // MARK: - Requests

    @discardableResult
    func join(
        _ memberId: String = "", group: String = "g", instance: String? = nil, client: String = "client",
        protocols: [GroupProtocol] = [GroupProtocol(name: "range", metadata: subscription(["t"]))],
        protocolType: String = "consumer", session: Duration = .seconds(10), rebalance: Duration = .seconds(30),
        requiresKnownMemberId: Bool = true, skipsAssignment: Bool = false
    ) -> RequestToken {
        let request = JoinGroupEvent(
            groupId: group, memberId: memberId, groupInstanceId: instance, clientId: client, clientHost: "/10.0.0.1",
            sessionTimeout: session, rebalanceTimeout: rebalance, protocolType: protocolType, protocols: protocols,
            requiresKnownMemberId: requiresKnownMemberId, supportsSkippingAssignment: skipsAssignment)
        let token = token()
        perform(manager.join(request, token: token, now: now, wallClockMilliseconds: wallClock))
        return token
    }

    /// Joins as a new dynamic member the v4+ way: fetch an id, then join with it.
    func joinNewMember(
        group: String = "g", client: String = "client",
        protocols: [GroupProtocol] = [GroupProtocol(name: "range", metadata: subscription(["t"]))],
        rebalance: Duration = .seconds(30)
    ) -> (memberId: String, token: RequestToken) {
        let first = join(group: group, client: client, protocols: protocols, rebalance: rebalance)
        guard case let .join(result)? = response(first), result.error == .memberIdRequired else {
            preconditionFailure("a new member is asked for a member id first")
        }
        return (result.memberId, join(result.memberId, group: group, client: client, protocols: protocols, rebalance: rebalance))
    }

    @discardableResult
    func sync(_ memberId: String, generation: Int32, group: String = "g", instance: String? = nil,
              assignments: [String: [UInt8]] = [:]) -> RequestToken {
        let token = token()
        let request = SyncGroupEvent(groupId: group, generationId: generation, memberId: memberId, groupInstanceId: instance,
                                     protocolType: "consumer", assignments: assignments)
        perform(manager.sync(request, token: token, now: now, wallClockMilliseconds: wallClock))
        return token
    }

    func heartbeat(_ memberId: String, generation: Int32, group: String = "g", instance: String? = nil) -> GroupErrorCode? {
        let token = token()
        perform(manager.heartbeat(HeartbeatEvent(groupId: group, generationId: generation, memberId: memberId, groupInstanceId: instance),
                                  token: token, now: now, wallClockMilliseconds: wallClock))
        guard case let .heartbeat(error)? = response(token) else { return nil }
        return error
    }

    func leave(_ members: [LeaveGroupEvent.Member], group: String = "g") -> LeaveGroupResult? {
        let token = token()
        perform(manager.leave(LeaveGroupEvent(groupId: group, members: members), token: token, now: now, wallClockMilliseconds: wallClock))
        guard case let .leave(result)? = response(token) else { return nil }
        return result
    }

    @discardableResult
    func commit(_ offsets: [TopicPartition: Int64], group: String = "g", memberId: String = "", generation: Int32 = -1,
                metadata: String? = nil, retention: Duration? = nil) -> RequestToken {
        let token = token()
        let request = OffsetCommitEvent(
            groupId: group, generationId: generation, memberId: memberId, retention: retention,
            partitions: offsets.keys.sorted().map { OffsetCommitEvent.Partition(topicPartition: $0, offset: offsets[$0] ?? 0, metadata: metadata) })
        perform(manager.commitOffsets(request, token: token, now: now, wallClockMilliseconds: wallClock))
        return token
    }

    // MARK: - Answers

    func response(_ token: RequestToken) -> GroupResponse? {
        answers.last { $0.token == token }?.response
    }

    func joinResult(_ token: RequestToken) -> JoinGroupResult? {
        guard case let .join(result)? = response(token) else { return nil }
        return result
    }

    func syncResult(_ token: RequestToken) -> SyncGroupResult? {
        guard case let .sync(result)? = response(token) else { return nil }
        return result
    }

    func commitResult(_ token: RequestToken) -> [TopicPartition: GroupErrorCode]? {
        guard case let .offsetCommit(result)? = response(token) else { return nil }
        return result
    }

    /// Whether some token was answered more than once.
    var hasDuplicateAnswers: Bool {
        Set(answers.map(\.token)).count != answers.count
    }

    var group: ClassicGroup? { manager.groups["g"] }

    /// Forms a stable group of dynamic members with `count` members, all joined before the
    /// initial delay ends, assignments `[i]` each; returns their ids in join order.
    func stableGroup(_ count: Int, protocols: [GroupProtocol] = [GroupProtocol(name: "range", metadata: subscription(["t"]))]) -> [String] {
        let joined = (0..<count).map { index in joinNewMember(client: "c\(index)", protocols: protocols) }
        advance(by: .seconds(6))
        let generation = manager.groups["g"]?.generationId ?? 0
        let ids = joined.map(\.memberId)
        var assignments: [String: [UInt8]] = [:]
        for (index, id) in ids.enumerated() { assignments[id] = [UInt8(index)] }
        for id in ids.dropFirst() { sync(id, generation: generation) }
        sync(ids[0], generation: generation, assignments: assignments)
        return ids
    }
}

extension GroupCoordinatorConfiguration {
    /// Kafka's defaults with a 3 s initial delay and a 1 s minimum session, so tests stay short.
    static let testing = GroupCoordinatorConfiguration(sessionTimeoutMin: .seconds(1), initialRebalanceDelay: .seconds(3))
}

/// A consumer protocol subscription (version 0) for `topics`, as Kafka consumers send it.
func subscription(_ topics: [String]) -> [UInt8] {
    var buffer = ByteBuffer()
    buffer.writeInteger(Int16(0))
    buffer.writeInteger(Int32(topics.count))
    for topic in topics {
        buffer.writeInteger(Int16(topic.utf8.count))
        buffer.writeString(topic)
    }
    buffer.writeInteger(Int32(-1))
    return Array(buffer.readableBytesView)
}
