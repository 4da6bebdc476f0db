extension ApiKey {
    /// Whether `version` of this API uses the flexible encoding.
    public func isFlexible(_ version: Int16) -> Bool {
        firstFlexibleVersion.map { version >= $0 } ?? false
    }

    /// The request header version for `version`: 2 when flexible, 1 otherwise. A version
    /// beyond what the codec knows is judged by the same rule, which is how a broker can still
    /// read the header of an ApiVersions request from a newer client (KIP-511).
    public func requestHeaderVersion(_ version: Int16) -> Int16 {
        isFlexible(version) ? 2 : 1
    }

    /// The response header version for `version`: 1 when flexible, 0 otherwise, except that
    /// ApiVersions responses always use version 0 so any client can read them (KIP-511).
    public func responseHeaderVersion(_ version: Int16) -> Int16 {
        self == .apiVersions ? 0 : (isFlexible(version) ? 1 : 0)
    }
}
