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
}
