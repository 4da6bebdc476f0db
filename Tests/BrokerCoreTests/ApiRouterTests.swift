// Goal: the broker advertises exactly the routes it serves, and ApiVersions is always there.
// Method: build routers from small components and read the table back.

import NIOCore
import Testing
import TernBrokerCore
import TernProtocol

private struct Fixed: ApiComponent {
    var routes: [ApiRoute]
}

@Suite struct ApiRouterTests {
    @Test func init_components_advertisesTheirRangesAndApiVersions() {
        let metadata = ApiRoute(.metadata, versions: 0...12) { _, _ in .none }
        let router = ApiRouter(components: [Fixed(routes: [metadata])])
        #expect(router.advertised.map(\.apiKey) == [ApiKey.metadata.rawValue, ApiKey.apiVersions.rawValue])
        #expect(router.advertised.first?.maxVersion == 12)
        #expect(router.route(for: ApiKey.produce.rawValue) == nil)
        #expect(router.route(for: ApiKey.apiVersions.rawValue)?.versions == 0...4)
    }

    @Test func apiVersionsRoute_anyRequest_answersTheAdvertisedTable() async throws {
        let router = ApiRouter(components: [Fixed(routes: [ApiRoute(.fetch, versions: 4...17) { _, _ in .none }])])
        let route = try #require(router.route(for: ApiKey.apiVersions.rawValue))
        let header = RequestHeader(apiKey: ApiKey.apiVersions.rawValue, apiVersion: 3, correlationId: 1)
        let reply = await route.handle(.apiVersions(ApiVersionsRequest()), RequestContext(header: header, clientAddress: "127.0.0.1:5", connectionId: 1))
        guard case .body(.apiVersions(let response)) = reply else {
            Issue.record("expected an ApiVersions body")
            return
        }
        #expect(response.errorCode == 0)
        #expect(response.apiKeys == router.advertised)
        #expect(response.apiKeys.contains { $0.apiKey == ApiKey.fetch.rawValue && $0.minVersion == 4 && $0.maxVersion == 17 })
    }

    @Test func clientHost_ipv4AndIpv6_dropsThePort() {
        let header = RequestHeader(apiKey: 3, apiVersion: 0, correlationId: 0)
        #expect(RequestContext(header: header, clientAddress: "127.0.0.1:40000", connectionId: 0).clientHost == "/127.0.0.1")
        #expect(RequestContext(header: header, clientAddress: "[::1]:40000", connectionId: 0).clientHost == "/::1")
    }
}
