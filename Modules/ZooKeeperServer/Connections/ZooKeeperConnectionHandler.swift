import Logging
import NIOCore
import TernCoordination
import TernTransport
import TernZooKeeper

/// One client connection's handler. The transport calls it one frame at a time; it queues the
/// frame in the replica and returns at once (replies go out as pushes, in order), except for
/// the first frame, the ConnectRequest, whose answer it returns.
struct ZooKeeperConnectionHandler: ConnectionHandler {
    let replica: ZooKeeperReplica
    let log: any ReplicatedLog
    let connection: ServerConnection
    let logger: Logger

    func respond(to request: ByteBuffer) async throws -> FramePayload? {
        switch await replica.receive(request, connection: connection.id) {
        case .handshake:
            return await handshake(request)
        case .queued(let full):
            if full { await replica.roomWaiter(connection.id)?.wait() }
            return nil
        case .closed:
            return nil
        }
    }

    func connectionClosed(reason: ConnectionCloseReason) async {
        await replica.connectionClosed(connection.id)
    }

    private func handshake(_ frame: ByteBuffer) async -> FramePayload? {
        var buffer = frame
        let request: ZooKeeperConnectRequest
        do {
            request = try ZooKeeperConnectRequest(jute: &buffer)
        } catch {
            await replica.close(connection.id, because: "undecodable ConnectRequest: \(error)")
            return nil
        }
        do {
            try await log.readBarrier()
        } catch {
            await replica.close(connection.id, because: "read barrier before connect failed: \(error)")
            return nil
        }
        var step = await replica.beginHandshake(request, connection: connection.id)
        if case .propose(let batch, let command) = step {
            var failure: ReplicationError?
            do {
                try await log.propose(command)
            } catch {
                failure = error
            }
            step = await replica.finishHandshake(batch: batch, request: request, connection: connection.id, error: failure)
        }
        switch step {
        case .respond(let response), .refuse(let response):
            var buffer = ByteBuffer()
            response.writeJute(to: &buffer)
            return FramePayload(buffer)
        case .close(let reason):
            await replica.close(connection.id, because: reason)
            return nil
        case .propose:
            await replica.close(connection.id, because: "handshake proposed twice")
            return nil
        }
    }
}
