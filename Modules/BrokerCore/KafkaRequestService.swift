public import Logging
import NIOCore
import TernProtocol
public import TernTransport

/// Serves Kafka requests on a transport's connections: decodes each frame, runs its route and
/// encodes the answer behind the response header.
///
/// Kafka answers malformed input by closing the connection, and so do we: a frame that does not
/// decode, an API the broker does not serve, or a version outside the advertised range (except
/// ApiVersions, which gets KIP-511's version-0 answer). Each close is logged with the client.
public struct KafkaRequestService: FrameService {
    private let router: ApiRouter
    private let logger: Logger

    /// A service routing through `router`.
    public init(router: ApiRouter, logger: Logger) {
        self.router = router
        self.logger = logger
    }

    public func connectionOpened(_ connection: ServerConnection) async -> any ConnectionHandler {
        KafkaConnectionHandler(router: router, connection: connection, logger: logger)
    }
}

/// Why a request closed its connection.
struct RequestRejected: Error, CustomStringConvertible {
    var description: String
}

struct KafkaConnectionHandler: ConnectionHandler {
    let router: ApiRouter
    let connection: ServerConnection
    let logger: Logger

    func respond(to request: ByteBuffer) async throws -> FramePayload? {
        var trailingBytes = 0
        let decoded: DecodedRequest
        do {
            decoded = try DecodedRequest.decode(frame: request, trailingBytes: &trailingBytes)
        } catch {
            throw reject("malformed request: \(error)")
        }
        switch decoded {
        case .unknownApiKey(let header):
            throw reject("unknown API key \(header.apiKey) (client \(header.clientId ?? "-"))")
        case .unsupportedVersion(let header):
            guard header.apiKey == ApiKey.apiVersions.rawValue else {
                throw reject("unsupported version \(header.apiVersion) of API key \(header.apiKey)")
            }
            return try encode(.body(.apiVersions(.unsupportedVersion(supported: router.advertised))), apiKey: .apiVersions,
                              version: 0, correlationId: header.correlationId)
        case .request(let header, let body):
            guard let route = router.route(for: header.apiKey) else {
                throw reject("API \(body.apiKey) is not served")
            }
            guard route.versions.contains(header.apiVersion) else {
                if body.apiKey == .apiVersions {
                    return try encode(.body(.apiVersions(.unsupportedVersion(supported: router.advertised))), apiKey: .apiVersions,
                                      version: 0, correlationId: header.correlationId)
                }
                throw reject("\(body.apiKey) v\(header.apiVersion) is not served (\(route.versions))")
            }
            if trailingBytes > 0 {
                logger.debug("request carries trailing bytes", metadata: [
                    "api": "\(body.apiKey)", "version": "\(header.apiVersion)", "bytes": "\(trailingBytes)"])
            }
            let context = RequestContext(header: header, clientAddress: connection.remoteAddress, connectionId: connection.id)
            let reply = await Self.runsInPlace(body.apiKey)
                ? route.handle(body, context)
                : withTaskExecutorPreference(globalConcurrentExecutor) { await route.handle(body, context) }
            return try encode(reply, apiKey: body.apiKey, version: header.apiVersion, correlationId: header.correlationId)
        }
    }

    /// Whether `apiKey` runs where the transport runs the connection (its I/O thread, when the
    /// server is configured so) rather than on Swift's shared pool. Only Produce and Fetch:
    /// they carry the load, and never block a thread (a file-backed log does its I/O on its
    /// own threads). The rest may block (the embedded coordination fsyncs its metadata file
    /// inside its actor) and are rare enough that the hand-off costs nothing that matters.
    private static func runsInPlace(_ apiKey: ApiKey) -> Bool {
        apiKey == .produce || apiKey == .fetch
    }

    private func encode(_ reply: ApiReply, apiKey: ApiKey, version: Int16, correlationId: Int32) throws -> FramePayload? {
        var header = ByteBuffer()
        ResponseHeader(correlationId: correlationId).encode(into: &header, version: apiKey.responseHeaderVersion(version))
        switch reply {
        case .none:
            return nil
        case .body(let body):
            precondition(body.apiKey == apiKey, "a \(apiKey) route answered with \(body.apiKey)")
            do {
                try body.encode(into: &header, version: version)
            } catch {
                logger.error("cannot encode response", metadata: ["api": "\(apiKey)", "version": "\(version)", "error": "\(error)"])
                throw reject("response to \(apiKey) v\(version) does not encode: \(error)")
            }
            return FramePayload(header)
        case .encoded(let body):
            var payload = FramePayload(header)
            for part in body.parts { payload.append(part) }
            return payload
        }
    }

    private func reject(_ reason: String) -> RequestRejected {
        logger.info("closing connection", metadata: ["client": "\(connection.remoteAddress)", "reason": "\(reason)"])
        return RequestRejected(description: reason)
    }
}
