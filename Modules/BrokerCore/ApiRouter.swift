public import TernProtocol

/// The table from API key to route, and the ApiVersions answer derived from it.
public struct ApiRouter: Sendable {
    private let routes: [Int16: ApiRoute]
    /// What ApiVersions advertises: one entry per route, sorted by key.
    public let advertised: [ApiVersionsResponse.ApiVersion]

    /// A router over the routes of `components`; ApiVersions (0–4) is always served. Two
    /// routes for one key are a programming error.
    public init(components: [any ApiComponent]) {
        var table: [Int16: ApiRoute] = [:]
        for route in components.flatMap(\.routes) {
            precondition(table[route.apiKey.rawValue] == nil, "two routes for \(route.apiKey)")
            table[route.apiKey.rawValue] = route
        }
        let apiVersionsVersions: ClosedRange<Int16> = 0...4
        precondition(table[ApiKey.apiVersions.rawValue] == nil, "ApiVersions is the router's own")
        var advertised = table.values.map {
            ApiVersionsResponse.ApiVersion(apiKey: $0.apiKey.rawValue, minVersion: $0.versions.lowerBound, maxVersion: $0.versions.upperBound)
        }
        advertised.append(ApiVersionsResponse.ApiVersion(
            apiKey: ApiKey.apiVersions.rawValue, minVersion: apiVersionsVersions.lowerBound, maxVersion: apiVersionsVersions.upperBound))
        advertised.sort { $0.apiKey < $1.apiKey }
        self.advertised = advertised
        let versions = advertised
        table[ApiKey.apiVersions.rawValue] = ApiRoute(.apiVersions, versions: apiVersionsVersions) { _, _ in
            .body(.apiVersions(ApiVersionsResponse(errorCode: 0, apiKeys: versions)))
        }
        self.routes = table
    }

    /// The route for `apiKey`, if the broker serves it.
    public func route(for apiKey: Int16) -> ApiRoute? {
        routes[apiKey]
    }
}
