/// Every bound on memory or work that a ZooKeeper client can drive, in one place so a reviewer
/// can see them together and a test can check that they fit.
public enum ZooKeeperLimits {
    /// Largest znode data ZooKeeper accepts by default (`jute.maxbuffer` is about 1 MB); larger
    /// creates and setData calls are refused with `badArguments`.
    public static let dataBytesMax = 1 << 20
    /// Largest request frame a server reads: the data limit plus room for a path, ACLs and
    /// headers, as ZooKeeper's `jute.maxbuffer.extrasize` allows.
    public static let frameBytesMax = dataBytesMax + 64 * 1024
    /// Most elements one jute vector may claim (children, watch paths, ACLs, multi ops).
    public static let vectorElementsMax = 1 << 20
    /// Most operations one multi request may carry.
    public static let multiOperationsMax = 1 << 16
    /// Length of the session password ZooKeeper hands out.
    public static let sessionPasswordBytes = 16
    /// Most watch registrations (path and kind) one session may hold on one server. Past this,
    /// reads that ask for a watch are refused rather than allowed to grow the table.
    public static let watchesPerSessionMax = 100_000
}
