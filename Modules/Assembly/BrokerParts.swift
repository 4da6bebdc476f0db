public import Logging
public import TernCompression
public import TernCoordination
public import TernLogStore
public import TernPrimitives
public import TernTransport

/// The swappable parts a broker is built from, each typed by its protocol. Experiments replace
/// or wrap one field (`parts.logStore = SlowLogStore(wrapping: parts.logStore)`) before
/// handing the parts to `BrokerAssembly`.
public struct BrokerParts: Sendable {
    /// Wall and monotonic time.
    public var clock: any BrokerClock
    /// Where the Kafka listener runs.
    public var transport: any Transport
    /// Partition logs.
    public var logStore: any LogStore
    /// Cluster metadata.
    public var coordination: any CoordinationClient
    /// Batch codecs.
    public var codecs: CompressionCodecs
    /// Where everything logs.
    public var logger: Logger

    /// Parts given one by one.
    public init(clock: any BrokerClock, transport: any Transport, logStore: any LogStore,
                coordination: any CoordinationClient, codecs: CompressionCodecs, logger: Logger) {
        self.clock = clock
        self.transport = transport
        self.logStore = logStore
        self.coordination = coordination
        self.codecs = codecs
        self.logger = logger
    }
}
