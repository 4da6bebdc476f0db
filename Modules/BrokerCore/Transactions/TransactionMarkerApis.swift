import TernProtocol

/// WriteTxnMarkers: the API transaction coordinators use to have partition leaders append
/// transaction markers.
public struct TransactionMarkerApis: ApiComponent {
    let writer: TransactionMarkerWriter

    /// The API over `writer`.
    public init(writer: TransactionMarkerWriter) {
        self.writer = writer
    }

    public var routes: [ApiRoute] {
        [
            ApiRoute(.writeTxnMarkers, versions: WriteTxnMarkersHandler.versions) { body, _ in
                guard case .writeTxnMarkers(let request) = body else { preconditionFailure("routed \(body.apiKey) to WriteTxnMarkers") }
                return .body(.writeTxnMarkers(await WriteTxnMarkersHandler(writer: writer).handle(request)))
            },
        ]
    }
}
