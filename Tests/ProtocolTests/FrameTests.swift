// Goal: request frames are split and decoded correctly however the bytes arrive, hostile
// sizes are refused before buffering, and the KIP-511 ApiVersions fallback is exact. Method:
// feed the same frames one byte at a time and all at once (NIO's decoder-verifier idea), and
// compare hand-written byte strings.

import NIOCore
import Testing
import TernProtocol

@Suite struct FrameTests {
    private func frames() throws -> ByteBuffer {
        var all = ByteBuffer()
        var first = try KafkaFrame.request(ApiVersionsRequest(clientSoftwareName: "tern", clientSoftwareVersion: "1"), version: 3, correlationId: 1, clientId: "c")
        var second = try KafkaFrame.request(MetadataRequest(topics: [.init(name: "t")]), version: 12, correlationId: 2, clientId: nil)
        all.writeBuffer(&first)
        all.writeBuffer(&second)
        return all
    }

    private func decodeAll(_ chunks: [ByteBuffer]) throws -> [Int32] {
        var pending = ByteBuffer()
        var correlationIds: [Int32] = []
        for var chunk in chunks {
            pending.writeBuffer(&chunk)
            while let frame = try KafkaFrame.readFrame(from: &pending, maximumBytes: 1 << 20) {
                guard case let .request(header, _) = try DecodedRequest.decode(frame: frame) else {
                    Issue.record("frame did not decode to a request")
                    continue
                }
                correlationIds.append(header.correlationId)
            }
        }
        return correlationIds
    }

    @Test func frames_oneByteAtATime_orAllAtOnce_decodeAlike() throws {
        let all = try frames()
        let whole = try decodeAll([all])
        let bytewise = try decodeAll(all.readableBytesView.map { ByteBuffer(bytes: [$0]) })
        #expect(whole == [1, 2])
        #expect(bytewise == [1, 2])
    }

    @Test(arguments: [Int32(-1), Int32.min, Int32(1 << 20) + 1])
    func readFrame_hostileLength_throwsBeforeBuffering(length: Int32) {
        var buffer = ByteBuffer()
        buffer.writeInteger(length)
        #expect(throws: DecodeError.self) { _ = try KafkaFrame.readFrame(from: &buffer, maximumBytes: 1 << 20) }
    }

    @Test func apiVersionsRequest_futureVersion_isRecognisedAsUnsupported() throws {
        // A v9 ApiVersions request from a newer client: flexible header (v2), unknown body.
        var frame = ByteBuffer()
        frame.writeInteger(Int16(18))
        frame.writeInteger(Int16(9))
        frame.writeInteger(Int32(77))
        frame.writeInteger(Int16(2))
        frame.writeString("cl")
        frame.writeInteger(UInt8(0))
        frame.writeBytes([0x42, 0x42])
        guard case let .unsupportedVersion(header) = try DecodedRequest.decode(frame: frame) else {
            Issue.record("expected unsupportedVersion")
            return
        }
        #expect(header.correlationId == 77)
        #expect(header.clientId == "cl")

        let answer = ApiVersionsResponse.unsupportedVersion(supported: [.init(apiKey: 18, minVersion: 0, maxVersion: 4)])
        let encoded = try KafkaFrame.response(answer, version: 0, correlationId: 77)
        // length, correlation id, error 35, one key [18, 0, 4] — the v0 layout.
        let expected: [UInt8] = [0, 0, 0, 16, 0, 0, 0, 77, 0, 35, 0, 0, 0, 1, 0, 18, 0, 0, 0, 4]
        #expect(Array(encoded.readableBytesView) == expected)
    }

    @Test func unknownApiKey_isReportedWithItsHeader() throws {
        var frame = ByteBuffer()
        frame.writeInteger(Int16(999))
        frame.writeInteger(Int16(0))
        frame.writeInteger(Int32(5))
        frame.writeInteger(Int16(-1))
        guard case let .unknownApiKey(header) = try DecodedRequest.decode(frame: frame) else {
            Issue.record("expected unknownApiKey")
            return
        }
        #expect(header.apiKey == 999 && header.correlationId == 5 && header.clientId == nil)
    }
}
