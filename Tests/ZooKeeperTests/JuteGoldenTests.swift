// Goal: our encoder and decoder agree byte for byte with ZooKeeper's wire format, not just
// with themselves. Method: golden frames written out by hand, field by field, from the classes
// in zookeeper.jute and the framing in MultiOperationRecord/MultiResponse; each is decoded to
// the expected value and the value re-encoded to the same bytes. The connect request is the
// one kazoo sends (protocol 0, zero session, 16 zero password bytes, read-only byte false).

import NIOCore
import Testing
import TernZooKeeper

/// Bytes from hex digits; spaces and underscores are for readability only.
func hex(_ text: String) -> [UInt8] {
    let digits = text.filter(\.isHexDigit)
    var bytes: [UInt8] = []
    var index = digits.startIndex
    while index < digits.endIndex {
        let next = digits.index(index, offsetBy: 2)
        bytes.append(UInt8(digits[index..<next], radix: 16) ?? 0)
        index = next
    }
    return bytes
}

@Suite struct JuteGoldenTests {
    static let worldAnyone = "00000001 0000001F 00000005 776F726C64 00000006 616E796F6E65"
    static let stat = ZooKeeperStat(
        czxid: 0x1_0000_0002, mzxid: 0x1_0000_0002, ctime: 0x18B_CFE5_6800, mtime: 0x18B_CFE5_6800,
        version: 0, cversion: 0, aversion: 0, ephemeralOwner: 0x0100_017B_2C3D_0001, dataLength: 2,
        numChildren: 0, pzxid: 0x1_0000_0002)
    static let statHex = """
        00000001_00000002 00000001_00000002 0000018B_CFE56800 0000018B_CFE56800
        00000000 00000000 00000000 0100017B_2C3D0001 00000002 00000000 00000001_00000002
        """

    @Test func connectRequest_fromKazoo() throws {
        let bytes = hex("00000000 00000000_00000000 00002710 00000000_00000000 00000010"
            + String(repeating: "00", count: 16) + " 00")
        let request = try ZooKeeperConnectRequest(juteBytes: bytes)
        #expect(request == ZooKeeperConnectRequest(
            lastZxidSeen: 0, timeOut: 10_000, sessionID: 0, password: Array(repeating: 0, count: 16), readOnly: false))
        #expect(request.juteBytes == bytes)
        // An old client stops after the password.
        let old = try ZooKeeperConnectRequest(juteBytes: Array(bytes.dropLast()))
        #expect(old.readOnly == nil)
    }

    @Test func connectResponse_withReadOnlyByte() throws {
        let password = Array(UInt8(0xA0)...UInt8(0xAF))
        let response = ZooKeeperConnectResponse(timeOut: 10_000, sessionID: 0x0100_017B_2C3D_0001, password: password, readOnly: false)
        let bytes = hex("00000000 00002710 0100017B_2C3D0001 00000010 A0A1A2A3A4A5A6A7A8A9AAABACADAEAF 00")
        #expect(response.juteBytes == bytes)
        #expect(try ZooKeeperConnectResponse(juteBytes: bytes) == response)
    }

    @Test func create2_requestAndReply() throws {
        // xid 1, create2 (15), "/app", data "hi", OPEN_ACL_UNSAFE, flags 3 (ephemeral sequential).
        let requestBytes = hex("00000001 0000000F 00000004 2F617070 00000002 6869 \(Self.worldAnyone) 00000003")
        var buffer = ByteBuffer(bytes: requestBytes)
        let frame = try ZooKeeperRequestFrame(decoding: &buffer)
        #expect(frame == ZooKeeperRequestFrame(
            xid: 1, request: .create(ZooKeeperCreateRequest(opCode: .create2, path: "/app", data: Array("hi".utf8), flags: 3))))
        var encoded = ByteBuffer()
        frame.write(to: &encoded)
        #expect(Array(encoded.readableBytesView) == requestBytes)

        let reply = ZooKeeperReply(
            header: ZooKeeperReplyHeader(xid: 1, zxid: 0x1_0000_0002, err: .ok),
            body: .create2(path: "/app0000000000", stat: Self.stat))
        let replyBytes = hex("00000001 00000001_00000002 00000000 0000000E 2F61707030303030303030303030 \(Self.statHex)")
        var replyBuffer = ByteBuffer()
        reply.write(to: &replyBuffer)
        #expect(Array(replyBuffer.readableBytesView) == replyBytes)
    }

    @Test func getChildren2_reply() throws {
        let reply = ZooKeeperReply(
            header: ZooKeeperReplyHeader(xid: 9, zxid: 0x1_0000_0002, err: .ok),
            body: .children2(["a", "bc"], stat: Self.stat))
        let bytes = hex("00000009 00000001_00000002 00000000 00000002 00000001 61 00000002 6263 \(Self.statHex)")
        var buffer = ByteBuffer()
        reply.write(to: &buffer)
        #expect(Array(buffer.readableBytesView) == bytes)
        var reading = ByteBuffer(bytes: bytes)
        #expect(try ZooKeeperReplyHeader(jute: &reading) == reply.header)
        #expect(try ZooKeeperResponseBody(jute: &reading, answering: .getChildren2) == reply.body)
    }

    @Test func watchEvent_notification() throws {
        let notification = ZooKeeperWatchNotification(
            sessionID: 1, event: ZooKeeperWatcherEvent(type: .nodeChildrenChanged, path: "/app"), zxid: 0x1_0000_0005)
        let bytes = hex("FFFFFFFF 00000001_00000005 00000000 00000004 00000003 00000004 2F617070")
        var buffer = ByteBuffer()
        notification.write(to: &buffer)
        #expect(Array(buffer.readableBytesView) == bytes)
    }

    @Test func multi_requestAndFailedReply() throws {
        // xid 3, multi (14): create "/m" (null data, as kazoo writes b""), check "/m" version 0.
        let requestBytes = hex("""
            00000003 0000000E
            00000001 00 FFFFFFFF  00000002 2F6D FFFFFFFF \(Self.worldAnyone) 00000000
            0000000D 00 FFFFFFFF  00000002 2F6D 00000000
            FFFFFFFF 01 FFFFFFFF
            """)
        var buffer = ByteBuffer(bytes: requestBytes)
        let frame = try ZooKeeperRequestFrame(decoding: &buffer)
        #expect(frame.header == ZooKeeperRequestHeader(xid: 3, type: .multi))
        #expect(frame.request == .multi([
            .create(ZooKeeperCreateRequest(path: "/m")),
            .check(path: "/m", version: 0),
        ]))

        // The create fails with nodeExists, so the check after it is runtimeInconsistency; the
        // header itself says ok.
        let reply = ZooKeeperReply(
            header: ZooKeeperReplyHeader(xid: 3, zxid: 0x1_0000_0007, err: .ok),
            body: .multi([.error(.nodeExists), .error(.runtimeInconsistency)]))
        let replyBytes = hex("""
            00000003 00000001_00000007 00000000
            FFFFFFFF 00 FFFFFF92 FFFFFF92
            FFFFFFFF 00 FFFFFFFE FFFFFFFE
            FFFFFFFF 01 FFFFFFFF
            """)
        var replyBuffer = ByteBuffer()
        reply.write(to: &replyBuffer)
        #expect(Array(replyBuffer.readableBytesView) == replyBytes)
    }

    @Test func multi_successfulReply() throws {
        let reply = ZooKeeperReply(
            header: ZooKeeperReplyHeader(xid: 4, zxid: 0x1_0000_0008, err: .ok),
            body: .multi([.create(path: "/m"), .delete, .check]))
        let bytes = hex("""
            00000004 00000001_00000008 00000000
            00000001 00 00000000 00000002 2F6D
            00000002 00 00000000
            0000000D 00 00000000
            FFFFFFFF 01 FFFFFFFF
            """)
        var buffer = ByteBuffer()
        reply.write(to: &buffer)
        #expect(Array(buffer.readableBytesView) == bytes)
    }

    @Test func endToEnd_create2Frame_throughTree_matchesGoldenReply() throws {
        var harness = TreeHarness()
        harness.openSession(0x0100_017B_2C3D_0001)
        var buffer = ByteBuffer(bytes: hex("00000001 0000000F 00000004 2F617070 00000002 6869 \(Self.worldAnyone) 00000003"))
        let frame = try ZooKeeperRequestFrame(decoding: &buffer)
        guard case var .propose(transaction) = frame.request.route(sessionID: 0x0100_017B_2C3D_0001, time: 0) else {
            Issue.record("create2 should be proposed")
            return
        }
        transaction.time = 0x18B_CFE5_6800
        let applied = harness.database.apply(transaction, zxid: 0x1_0000_0002)
        var replyBuffer = ByteBuffer()
        applied.result.reply(xid: frame.header.xid)?.write(to: &replyBuffer)
        #expect(Array(replyBuffer.readableBytesView)
            == hex("00000001 00000001_00000002 00000000 0000000E 2F61707030303030303030303030 \(Self.statHex)"))
    }
}
