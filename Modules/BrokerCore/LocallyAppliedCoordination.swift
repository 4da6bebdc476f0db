public import TernCoordination
public import TernPrimitives

/// A coordination client whose writes return only once this broker has applied the change
/// to its own metadata cache and replicas.
///
/// Kafka's admin APIs answer once the controller has accepted a change; its brokers learn of
/// it a moment later. A client that creates, deletes or reconfigures a topic and at once asks
/// the same broker about it would then see the old state, and our integration checks did. This
/// wrapper closes that window for the broker that made the change; other brokers still follow
/// the update stream.
public struct LocallyAppliedCoordination: CoordinationClient {
    let inner: any CoordinationClient
    let apply: @Sendable (ClusterMetadata) async -> Void

    /// Wraps `inner`; `apply` brings this broker up to a snapshot.
    public init(_ inner: any CoordinationClient, apply: @escaping @Sendable (ClusterMetadata) async -> Void) {
        self.inner = inner
        self.apply = apply
    }

    private func caughtUp() async {
        await apply(await inner.metadata())
    }

    public func metadata() async -> ClusterMetadata { await inner.metadata() }
    public func updates() async -> AsyncStream<ClusterMetadata> { await inner.updates() }
    public func registerBroker(_ broker: BrokerRegistration) async throws(CoordinationError) {
        try await inner.registerBroker(broker)
        await caughtUp()
    }
    public func claimController(brokerId: Int32) async throws(CoordinationError) -> Int32 {
        let controller = try await inner.claimController(brokerId: brokerId)
        await caughtUp()
        return controller
    }
    public func createTopic(_ topic: TopicMetadata) async throws(CoordinationError) {
        try await inner.createTopic(topic)
        await caughtUp()
    }
    public func deleteTopic(named name: String) async throws(CoordinationError) {
        try await inner.deleteTopic(named: name)
        await caughtUp()
    }
    public func addPartitions(_ partitions: [PartitionAssignment], toTopic name: String) async throws(CoordinationError) {
        try await inner.addPartitions(partitions, toTopic: name)
        await caughtUp()
    }
    public func setTopicConfigs(_ configs: [String: String], forTopic name: String) async throws(CoordinationError) {
        try await inner.setTopicConfigs(configs, forTopic: name)
        await caughtUp()
    }
    public func setBrokerConfigs(_ configs: [String: String], scope: String) async throws(CoordinationError) {
        try await inner.setBrokerConfigs(configs, scope: scope)
        await caughtUp()
    }
    public func updatePartition(
        _ partition: TopicPartition, to assignment: PartitionAssignment, expectedPartitionEpoch: Int32
    ) async throws(CoordinationError) -> Int32 {
        let epoch = try await inner.updatePartition(partition, to: assignment, expectedPartitionEpoch: expectedPartitionEpoch)
        await caughtUp()
        return epoch
    }
    public func allocateProducerIds(count: Int) async throws(CoordinationError) -> ClosedRange<Int64> {
        try await inner.allocateProducerIds(count: count)
    }
    public func close() async { await inner.close() }
}
