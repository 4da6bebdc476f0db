// DescribeCluster, versions 0–1.
//
// The live brokers, the controller and the cluster id. v1's endpoint type 1 asks for brokers
// (the only kind a ZooKeeper-mode cluster has); type 2 (controllers) answers
// UNSUPPORTED_ENDPOINT_TYPE, as a broker does.

import TernCoordination
import TernProtocol

struct DescribeClusterHandler {
    static let versions: ClosedRange<Int16> = 0...1
    let apis: MetadataApis

    func handle(_ request: DescribeClusterRequest, context: RequestContext) -> DescribeClusterResponse {
        let metadata = apis.metadata.current
        if context.apiVersion >= 1, request.endpointType != 1 {
            return DescribeClusterResponse(errorCode: KafkaErrorCode.unsupportedEndpointType.rawValue,
                                           errorMessage: "endpoint type \(request.endpointType) is not served by a broker",
                                           endpointType: request.endpointType, clusterId: metadata.clusterId)
        }
        var response = DescribeClusterResponse(
            errorCode: 0, clusterId: metadata.clusterId, controllerId: metadata.controllerId ?? -1,
            brokers: metadata.brokers.values.sorted { $0.id < $1.id }.map {
                DescribeClusterResponse.Broker(brokerId: $0.id, host: $0.host, port: $0.port, rack: $0.rack)
            })
        if request.includeClusterAuthorizedOperations {
            response.clusterAuthorizedOperations = MetadataHandler.clusterOperations
        }
        return response
    }
}
