// Carrying out the state machines' actions: answering parked requests, writing appends in order
// per shard, and keeping the timer table and the one task that wakes for it.

import Logging
import NIOCore
import TernGroupCoordinator
import TernPrimitives
import TernProtocol

extension GroupCoordinatorService {
    /// Performs the actions one call of `partition`'s state machine returned, in order.
    func perform(_ actions: [GroupAction], partition: Int32) {
        for action in actions {
            switch action {
            case let .respond(token, response):
                answer(token, with: response)
            case let .append(append):
                enqueue(append, partition: partition)
            case let .scheduleTimer(timer, deadline):
                schedule(ShardTimer(partition: partition, timer: timer), at: deadline)
            case let .cancelTimer(timer):
                // The timer task may still wake for it; it then finds nothing due and re-arms.
                timers[ShardTimer(partition: partition, timer: timer)] = nil
            }
        }
    }

    /// Runs one event against a loaded shard with a fresh token, parks the caller until the
    /// token is answered, and returns the answer; `failure` builds the answer when the shard
    /// is not served here or goes away before answering.
    func submit(
        partition: Int32, failure: @escaping @Sendable (GroupErrorCode) -> GroupResponse,
        _ event: (inout GroupMetadataManager, RequestToken, Instant, Int64) -> [GroupAction]
    ) async -> GroupResponse {
        return await withCheckedContinuation { continuation in
            // Checked here, not before the `await`: it may suspend before this body runs,
            // and the shard could be unloaded meanwhile.
            if let error = unavailability(of: partition) {
                continuation.resume(returning: failure(error))
                return
            }
            lastToken += 1
            let token = RequestToken(lastToken)
            parked[token] = ParkedRequest(partition: partition, failure: failure, continuation: continuation)
            let now = clock.now
            let wallClock = clock.wallClockMilliseconds
            // `unavailability` found the manager just above.
            let actions = event(&managers[partition]!, token, now, wallClock)
            perform(actions, partition: partition)
        }
    }

    private func answer(_ token: RequestToken, with response: GroupResponse) {
        guard let request = parked.removeValue(forKey: token) else {
            // The state machine answers each token once; the shard may have been dropped since.
            logger.debug("answer for a request no longer waiting", metadata: ["token": "\(token)"])
            return
        }
        request.continuation.resume(returning: response)
    }

    // MARK: - Appends

    private func enqueue(_ append: GroupAppend, partition: Int32) {
        guard let epoch = shards[partition]?.epoch else { return }
        shards[partition]?.appends.append(append)
        guard shards[partition]?.writer == nil else { return }
        shards[partition]?.writer = Task { await self.drainAppends(partition: partition, epoch: epoch) }
    }

    /// Writes the shard's queued appends one at a time, in order, reporting each back.
    private func drainAppends(partition: Int32, epoch: UInt64) async {
        while let append = nextAppend(partition: partition, epoch: epoch) {
            let failure = await write(append, partition: partition)
            // The shard may have been dropped (and perhaps loaded again) while we wrote.
            guard shards[partition]?.epoch == epoch, managers[partition] != nil else { return }
            let now = clock.now
            let wallClock = clock.wallClockMilliseconds
            let actions = managers[partition]!.appended(append, failure: failure, now: now, wallClockMilliseconds: wallClock)
            perform(actions, partition: partition)
        }
    }

    /// The next append to write, or nil after marking the writer finished; both in one step,
    /// so an append queued later always finds either a running writer or none.
    private func nextAppend(partition: Int32, epoch: UInt64) -> GroupAppend? {
        guard shards[partition]?.epoch == epoch else { return nil }
        guard let append = shards[partition]?.appends.first else {
            shards[partition]?.writer = nil
            return nil
        }
        shards[partition]?.appends.removeFirst()
        return append
    }

    /// Encodes and appends one batch; returns why it failed, or nil once it is durable.
    private func write(_ append: GroupAppend, partition: Int32) async -> GroupAppendFailure? {
        guard !append.records.isEmpty else { return nil }
        let batch: ByteBuffer
        do {
            batch = try GroupRecordBatch.encode(append.records, timestamp: clock.wallClockMilliseconds, producer: append.producer)
        } catch {
            logger.error("cannot encode group records", metadata: ["group": "\(append.groupId)", "error": "\(error)"])
            return .recordTooLarge
        }
        do {
            _ = try await store.append(batch, to: Self.topicPartition(partition))
            return nil
        } catch {
            logger.warning("cannot append to __consumer_offsets", metadata: [
                "partition": "\(partition)", "group": "\(append.groupId)", "error": "\(error)"])
            return error.groupAppendFailure
        }
    }

    // MARK: - Timers

    private func schedule(_ timer: ShardTimer, at deadline: Instant) {
        timers[timer] = deadline
        if let armed = timerTaskDeadline, armed <= deadline { return }
        armTimerTask(at: deadline)
    }

    private func armTimerTask(at deadline: Instant) {
        timerTask?.cancel()
        timerTaskDeadline = deadline
        let delay = deadline - clock.now
        let sleep = self.sleep
        timerTask = Task {
            if delay > .zero {
                do { try await sleep(delay) } catch { return }
            }
            self.timerTaskWoke(for: deadline)
        }
    }

    private func timerTaskWoke(for deadline: Instant) {
        // A task replaced by an earlier deadline may still wake; only the current one counts.
        guard timerTaskDeadline == deadline else { return }
        timerTask = nil
        timerTaskDeadline = nil
        fireDueTimers()
    }

    /// Fires every timer whose deadline has passed on the clock, earliest first, then arms the
    /// timer task for the next one. The timer task calls this; tests call it after moving a
    /// manual clock.
    public func fireDueTimers() {
        let now = clock.now
        while let due = earliestTimer(), due.deadline <= now {
            let key = due.timer
            timers[key] = nil
            guard managers[key.partition] != nil else { continue }
            let actions = managers[key.partition]!.expire(key.timer, now: now, wallClockMilliseconds: clock.wallClockMilliseconds)
            perform(actions, partition: key.partition)
        }
        guard case .running = lifecycle, let next = earliestTimer()?.deadline else {
            timerTask?.cancel()
            timerTask = nil
            timerTaskDeadline = nil
            return
        }
        if timerTaskDeadline != next { armTimerTask(at: next) }
    }

    /// The timer due first; ties go to the lower partition and then the timer's name, so runs
    /// repeat exactly.
    private func earliestTimer() -> (timer: ShardTimer, deadline: Instant)? {
        timers.min { left, right in
            if left.value != right.value { return left.value < right.value }
            if left.key.partition != right.key.partition { return left.key.partition < right.key.partition }
            return "\(left.key.timer)" < "\(right.key.timer)"
        }.map { ($0.key, $0.value) }
    }
}

extension InternalTopicError {
    /// How the state machine should treat a failed write: a lost leadership is NOT_COORDINATOR
    /// to clients, anything else a retriable COORDINATOR_NOT_AVAILABLE.
    var groupAppendFailure: GroupAppendFailure {
        switch self {
        case .notLeader: .notLeader
        case .storage, .creationFailed: .partitionUnavailable
        }
    }
}
