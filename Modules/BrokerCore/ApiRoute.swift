public import TernProtocol
public import TernTransport

/// How a broker serves one API: the versions it implements end to end and the handler.
///
/// Components of the broker (data plane, admin, groups, transactions) each contribute routes;
/// the router advertises exactly the routes it was given in ApiVersions, so an API is only
/// advertised where a handler serves every version in its range.
public struct ApiRoute: Sendable {
    /// The API served.
    public var apiKey: ApiKey
    /// The versions served; a subset of the codec's `apiKey.supportedVersions`.
    public var versions: ClosedRange<Int16>
    /// Answers one request.
    public var handle: @Sendable (KafkaRequestBody, RequestContext) async -> ApiReply

    /// A route for `apiKey` at `versions`.
    public init(
        _ apiKey: ApiKey, versions: ClosedRange<Int16>,
        handle: @escaping @Sendable (KafkaRequestBody, RequestContext) async -> ApiReply
    ) {
        precondition(apiKey.supportedVersions.contains(versions.lowerBound)
            && apiKey.supportedVersions.contains(versions.upperBound),
            "\(apiKey) route versions \(versions) exceed the codec's \(apiKey.supportedVersions)")
        self.apiKey = apiKey
        self.versions = versions
        self.handle = handle
    }
}

/// A handler's answer.
public enum ApiReply: Sendable {
    /// A response body, which the router encodes at the request's version.
    case body(KafkaResponseBody)
    /// A response body already encoded at the request's version, possibly with file ranges
    /// (Fetch), which the router sends after the response header.
    case encoded(FramePayload)
    /// No response: Produce with acks=0.
    case none
}

/// A part of the broker that serves some APIs.
public protocol ApiComponent: Sendable {
    /// The routes this component serves.
    var routes: [ApiRoute] { get }
}
