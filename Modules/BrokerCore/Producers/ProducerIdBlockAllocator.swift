/// Producer ids handed out from blocks the cluster grants, as Kafka's brokers take blocks of
/// 1000 ids from the controller (KIP-730) so InitProducerId rarely waits on it.
///
/// `requestBlock` asks the coordination service for the next unused block (the service
/// records the grant durably before answering, so a block is never granted twice, even
/// across restarts). Ids left in a block when the broker stops are simply never used.
///
/// One request for a block is in flight at a time: callers arriving while it runs wait for
/// it rather than each asking for a block of their own. When the current block is nine
/// tenths used, the next one is requested in the background, so callers seldom wait. Blocks
/// may be of any size; Kafka's controller grants `blockSize`.
public actor ProducerIdBlockAllocator: ProducerIdSource {
    /// The block size Kafka's controller grants.
    public static let blockSize: Int64 = 1000

    private let requestBlock: @Sendable () async throws -> ClosedRange<Int64>
    /// Ids not yet handed out, in order.
    private var current: ClosedRange<Int64>?
    /// How many ids `current` held when granted.
    private var currentGranted = 0
    /// The block after `current`, when prefetched.
    private var prefetched: ClosedRange<Int64>?
    /// The request for a block now running, if any.
    private var pending: Task<ClosedRange<Int64>, any Error>?

    /// An allocator drawing blocks from `requestBlock`.
    public init(requestBlock: @escaping @Sendable () async throws -> ClosedRange<Int64>) {
        self.requestBlock = requestBlock
    }

    public func nextProducerId() async throws(ProducerIdError) -> Int64 {
        while true {
            if let id = take() {
                prefetchIfLow()
                return id
            }
            try await refill()
        }
    }

    /// The next id of the current block, moving to the prefetched block when it runs out.
    private func take() -> Int64? {
        if current == nil, let next = prefetched {
            current = next
            currentGranted = next.count
            prefetched = nil
        }
        guard let block = current else { return nil }
        let id = block.lowerBound
        current = id < block.upperBound ? (id + 1)...block.upperBound : nil
        return id
    }

    /// Waits for the request in flight, or a new one. Of everyone waiting on one request,
    /// the first to resume installs its block (the others take ids from it); a failure is
    /// thrown to all of them.
    private func refill() async throws(ProducerIdError) {
        let task = pending ?? startRequest()
        let result = await task.result
        let installs = pending == task
        if installs { pending = nil }
        switch result {
        case .success(let block):
            if installs { install(block) }
        case .failure(let error as ProducerIdError):
            throw error
        case .failure(let error):
            throw .unavailable("\(error)")
        }
    }

    private func prefetchIfLow() {
        guard prefetched == nil, pending == nil, let block = current else { return }
        guard block.count <= max(1, currentGranted / 10) else { return }
        let task = startRequest()
        Task {
            // A failed prefetch is retried by the next caller who runs out.
            let result = await task.result
            finishPrefetch(task, result: result)
        }
    }

    private func finishPrefetch(_ task: Task<ClosedRange<Int64>, any Error>, result: Result<ClosedRange<Int64>, any Error>) {
        guard pending == task else { return }
        pending = nil
        if case .success(let block) = result { install(block) }
    }

    private func install(_ block: ClosedRange<Int64>) {
        if current == nil {
            current = block
            currentGranted = block.count
        } else {
            precondition(prefetched == nil, "one block request runs at a time")
            prefetched = block
        }
    }

    private func startRequest() -> Task<ClosedRange<Int64>, any Error> {
        let requestBlock = requestBlock
        let task = Task { () async throws -> ClosedRange<Int64> in
            let block = try await requestBlock()
            // Ids are non-negative (-1 means none), and a block spanning every id left would
            // overflow its count.
            guard block.lowerBound >= 0, block.upperBound < Int64.max else { throw ProducerIdError.invalidBlock(block) }
            return block
        }
        pending = task
        return task
    }
}
