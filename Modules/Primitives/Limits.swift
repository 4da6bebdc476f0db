/// Every bound on memory or work that network input can drive. One place, so a reviewer can
/// see them all and a test can check that they fit together.
public enum Limits {
    /// Largest request frame a broker accepts (`socket.request.max.bytes`): 100 MiB.
    public static let requestFrameBytesMax = 100 * 1024 * 1024
    /// Largest decompressed size of one record batch. A batch that would inflate past this
    /// is rejected as corrupt rather than allowed to exhaust memory.
    public static let batchDecompressedBytesMax = 256 * 1024 * 1024
    /// Largest record batch a producer may send (Kafka's `message.max.bytes` ceiling).
    public static let batchBytesMax = 64 * 1024 * 1024
    /// Most records a single batch may claim to hold.
    public static let recordsPerBatchMax = 1 << 24
    /// Longest Kafka string: the int16 length prefix of the classic encoding.
    public static let stringBytesMax = Int(Int16.max)
    /// Most tagged fields one structure may carry.
    public static let taggedFieldsMax = 1024
    /// Requests of one connection a server hands to its handler at once. Past this it stops
    /// reading from that socket, so a client that pipelines without bound is slowed, not buffered.
    public static let inFlightRequestsPerConnectionMax = 16
    /// Decoded request frames a connection may hold between the socket and its dispatcher
    /// before the transport stops reading (the high watermark of the inbound stream).
    public static let inboundFramesBufferedMax = 8
    /// Unsolicited frames (ZooKeeper watch events) a server may queue for one connection. A
    /// client that lets more pile up is closed rather than allowed to grow the queue.
    public static let pushedFramesPerConnectionMax = 1024
    /// Connections one listener serves at once; more are closed as soon as they are accepted.
    public static let connectionsPerListenerMax = 10_000
    /// Accepted connections a listener holds before its accept loop takes them.
    public static let acceptBacklogMax = 256
    /// Idempotent producers whose state one partition keeps. Batches may carry any producer
    /// id, so past this the longest-inactive producers are forgotten (as if expired).
    public static let producersPerPartitionMax = 50_000
    /// Socket reads of a server connection: NIO's adaptive sizing between these bounds. NIO's
    /// default ceiling of 64 KiB splits a producer's ~200 KiB request into several reads that
    /// the frame decoder then copies together (librdkafka at full speed: 3,915 reads for 1M
    /// records; 1,100–2,300 with this ceiling, no fewer with 1 MiB). Kept far below Kafka's
    /// 100 MiB frame limit because NIO pools a few buffers per connection; an idle
    /// connection's buffer shrinks back.
    public static let receiveBufferBytesMin = 64
    public static let receiveBufferBytesInitial = 2048
    public static let receiveBufferBytesMax = 256 * 1024
}
