import ServiceLifecycle
import TernBrokerCore
import TernTransport

/// Runs the Kafka listener; a graceful shutdown stops accepting and drains in-flight requests.
struct ListenerService: Service {
    let server: any FrameServer

    func run() async throws {
        await withGracefulShutdownHandler {
            await server.run()
        } onGracefulShutdown: {
            server.shutdown()
        }
    }
}

/// Runs the broker's metadata and maintenance loops; on shutdown (after the listener has
/// drained, as services stop in reverse order) it leaves the cluster and closes logs cleanly.
struct BrokerService: Service {
    let broker: KafkaBroker
    let groups: GroupCoordinatorService
    let transactions: TransactionCoordinatorService

    func run() async throws {
        await cancelWhenGracefulShutdown {
            await broker.run()
        }
        await transactions.shutdown()
        await groups.shutdown()
        await broker.shutdown()
    }
}
