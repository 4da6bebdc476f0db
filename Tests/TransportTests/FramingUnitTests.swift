// Goal: the pure pieces under the servers behave at their edges: the sequencer restores
// order and frees one slot per request, and payloads count and frame their parts. Method:
// direct calls, no connections.

import NIOCore
import Testing
@testable import TernTransport

@Suite struct FramingUnitTests {
    @Test func sequencer_finishedOutOfOrder_releasedInOrder() {
        var sequencer = ResponseSequencer()
        let ids = (0..<4).map { _ in sequencer.assign() }
        #expect(ids == [0, 1, 2, 3])
        #expect(sequencer.finish(2, .none).isEmpty)
        #expect(sequencer.finish(1, .payload(FramePayload(ByteBuffer(string: "b")))).isEmpty)
        #expect(sequencer.outstanding == 4)
        let ready = sequencer.finish(0, .payload(FramePayload(ByteBuffer(string: "a"))))
        #expect(ready.count == 3)
        #expect(sequencer.outstanding == 1)
        #expect(sequencer.finish(3, .none).count == 1)
        #expect(sequencer.outstanding == 0)
    }

    @Test func payload_lengthPrefixed_stripsMatchingPrefixOnly() throws {
        var frame = ByteBuffer()
        frame.writeInteger(Int32(3))
        frame.writeString("abc")
        let payload = FramePayload(lengthPrefixed: frame)
        #expect(payload?.byteCount == 3)
        #expect(try payload?.encodedFrame() == frame)
        frame.writeString("d")
        #expect(FramePayload(lengthPrefixed: frame) == nil)
    }

    @Test func payload_parts_countedAndFramedInOrder() throws {
        var payload = FramePayload()
        payload.append(ByteBuffer(string: "ab"))
        payload.append(ByteBuffer())
        payload.append(ByteBuffer(string: "cde"))
        #expect(payload.byteCount == 5)
        var expected = ByteBuffer()
        expected.writeInteger(Int32(5))
        expected.writeString("abcde")
        #expect(try payload.encodedFrame() == expected)
    }

    @Test func shutdownSignal_waitAfterTrigger_returnsAtOnce() async {
        let signal = ShutdownSignal()
        #expect(!signal.isTriggered)
        signal.trigger()
        await signal.wait()
        #expect(signal.isTriggered)
    }

    @Test func shutdownSignal_waiterCancelled_returns() async {
        let signal = ShutdownSignal()
        let waiter = Task { await signal.wait() }
        waiter.cancel()
        await waiter.value
        #expect(!signal.isTriggered)
    }
}
