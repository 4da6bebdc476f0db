// Goal: malformed input from a client gets an error reply or a clean close, never a crash or a
// hang: an undecodable body, a frame too short for a header, a garbage ConnectRequest, and a
// length prefix over ZooKeeper's frame limit. The server keeps serving other clients after.

import NIOCore
import Testing
import TernTransport
import TernZooKeeper
@testable import TernZooKeeperServer

@Suite struct ServerBadInputTests {
    @Test func undecodableBody_getsMarshallingError_connectionStays() async throws {
        try await ServerHarness.run { server in
            try await server.withClient { client in
                try await client.handshake()
                // A create whose path length runs past the end of the frame.
                var buffer = ByteBuffer()
                ZooKeeperRequestHeader(xid: 5, type: .create).writeJute(to: &buffer)
                buffer.writeJuteInt32(1000)
                try await client.connection.send(FramePayload(buffer))
                guard var frame = try await client.nextFrame() else { Issue.record("closed"); return }
                let header = try ZooKeeperReplyHeader(jute: &frame)
                #expect(header.xid == 5)
                #expect(header.err == .marshallingError)
                #expect(try await client.call(.ping).header.err == .ok)
            }
        }
    }

    @Test func frameWithoutHeader_closesConnection() async throws {
        try await ServerHarness.run { server in
            try await server.withClient { client in
                try await client.handshake()
                try await client.connection.send(FramePayload(ByteBuffer(bytes: [1, 2, 3])))
                #expect(try await client.isClosedByServer())
            }
            try await server.withClient { client in
                let response = try await client.handshake()
                #expect(response.timeOut > 0)
            }
        }
    }

    @Test func garbageConnectRequest_closesConnection() async throws {
        try await ServerHarness.run { server in
            try await server.withClient { client in
                try await client.connection.send(FramePayload(ByteBuffer(bytes: [0, 0, 0])))
                #expect(try await client.isClosedByServer())
            }
        }
    }

    @Test func lengthPrefixOverFrameLimit_closesConnection() async throws {
        try await ServerHarness.run { server in
            try await server.withClient { client in
                try await client.handshake()
                var prefix = ByteBuffer()
                prefix.writeInteger(Int32(ZooKeeperLimits.frameBytesMax + 1))
                try await client.connection.sendUnframed(prefix)
                #expect(try await client.isClosedByServer())
            }
        }
    }
}
