// Goal: every jute record, request body and response body Tern knows survives encode then
// decode unchanged. Method: build one or more representative values of each, write them, read
// them back (requests also as whole frames, fed both at once and with trailing garbage), and
// compare.

import NIOCore
import Testing
import TernZooKeeper

@Suite struct JuteRoundTripTests {
    static let stat = ZooKeeperStat(
        czxid: 0x1_0000_0001, mzxid: 0x1_0000_0002, ctime: 1_700_000_000_001, mtime: 1_700_000_000_002,
        version: 3, cversion: 4, aversion: 5, ephemeralOwner: 0x0102_0304_0506_0708, dataLength: 6,
        numChildren: 7, pzxid: 0x1_0000_0003)
    static let digestACL = ZooKeeperACL(perms: 1, id: ZooKeeperID(scheme: "digest", id: "user:hash="))

    static let requests: [ZooKeeperRequest] = [
        .create(ZooKeeperCreateRequest(opCode: .create, path: "/a", data: [1, 2, 3], flags: 1)),
        .create(ZooKeeperCreateRequest(opCode: .create2, path: "/a/", data: [], acl: [digestACL], flags: 3)),
        .create(ZooKeeperCreateRequest(opCode: .createContainer, path: "/c", flags: 4)),
        .create(ZooKeeperCreateRequest(opCode: .createTTL, path: "/t", flags: 5, ttl: 60_000)),
        .delete(path: "/a", version: -1),
        .exists(path: "/a", watch: true),
        .getData(path: "/ünï", watch: false),
        .setData(path: "/a", data: Array(repeating: 9, count: 300), version: 7),
        .getACL(path: "/a"),
        .setACL(path: "/a", acl: ZooKeeperACL.openUnsafe + [digestACL], version: 2),
        .getChildren(path: "/", watch: true),
        .sync(path: "/a"),
        .ping,
        .getChildren2(path: "/a", watch: false),
        .check(path: "/a", version: 4),
        .multi([]),
        .multi([
            .create(ZooKeeperCreateRequest(path: "/m", data: [1])),
            .create(ZooKeeperCreateRequest(opCode: .createTTL, path: "/m/t", flags: 6, ttl: 5)),
            .setData(path: "/m", data: [2], version: 0),
            .check(path: "/m", version: 1),
            .delete(path: "/m", version: -1),
        ]),
        .closeSession,
        .setWatches(ZooKeeperSetWatches(relativeZxid: 42, dataWatches: ["/a"], existWatches: ["/b", "/c"], childWatches: [])),
        .setWatches2(ZooKeeperSetWatches(
            relativeZxid: 43, dataWatches: [], existWatches: [], childWatches: ["/d"],
            persistentWatches: ["/e"], persistentRecursiveWatches: ["/f", "/g"])),
        .addWatch(path: "/w", mode: 1),
        .getEphemerals(prefixPath: "/e"),
        .getAllChildrenNumber(path: "/"),
        .auth(ZooKeeperAuthPacket(scheme: "digest", auth: Array("user:pw".utf8))),
        .unknown(opCode: 22),
    ]

    @Test(arguments: requests)
    func requestFrame_roundTrips(_ request: ZooKeeperRequest) throws {
        let frame = ZooKeeperRequestFrame(xid: 17, request: request)
        var buffer = ByteBuffer()
        frame.write(to: &buffer)
        var copy = buffer
        let decoded = try ZooKeeperRequestFrame(decoding: &copy)
        #expect(decoded == frame)
        #expect(copy.readableBytes == 0)
        // ZooKeeper ignores bytes after a request body; so do we.
        buffer.writeBytes([0xDE, 0xAD])
        #expect(try ZooKeeperRequestFrame(decoding: &buffer) == frame)
    }

    static let responses: [(ZooKeeperOpCode, ZooKeeperResponseBody)] = [
        (.create, .create(path: "/a")),
        (.create2, .create2(path: "/a0000000001", stat: stat)),
        (.createContainer, .create2(path: "/c", stat: stat)),
        (.createTTL, .create2(path: "/t", stat: stat)),
        (.exists, .stat(stat)),
        (.setData, .stat(stat)),
        (.setACL, .stat(stat)),
        (.getData, .data([0, 1, 255], stat: stat)),
        (.getACL, .acl(ZooKeeperACL.openUnsafe + [digestACL], stat: stat)),
        (.getChildren, .children(["a", "b", "ç"])),
        (.getChildren2, .children2([], stat: stat)),
        (.sync, .sync(path: "/x")),
        (.getAllChildrenNumber, .allChildrenNumber(12)),
        (.getEphemerals, .ephemerals(["/e/1", "/e/2"])),
        (.delete, .empty),
        (.multi, .multi([
            .create(path: "/m"), .create2(path: "/n", stat: stat), .delete, .setData(stat: stat), .check,
            .error(.ok), .error(.nodeExists), .error(.runtimeInconsistency),
        ])),
    ]

    @Test(arguments: responses)
    func responseBody_roundTrips(_ opCode: ZooKeeperOpCode, _ body: ZooKeeperResponseBody) throws {
        let reply = ZooKeeperReply(header: ZooKeeperReplyHeader(xid: 5, zxid: 99, err: .ok), body: body)
        var buffer = ByteBuffer()
        reply.write(to: &buffer)
        let header = try ZooKeeperReplyHeader(jute: &buffer)
        #expect(header == reply.header)
        #expect(try ZooKeeperResponseBody(jute: &buffer, answering: opCode) == body)
        #expect(buffer.readableBytes == 0)
    }

    @Test func errorReply_hasNoBody() throws {
        let reply = ZooKeeperReply.failure(xid: 3, zxid: 8, .noNode)
        var buffer = ByteBuffer()
        reply.write(to: &buffer)
        #expect(buffer.readableBytes == 16)
        #expect(try ZooKeeperReplyHeader(jute: &buffer) == reply.header)
    }

    @Test(arguments: [true, false, nil] as [Bool?])
    func connectRecords_roundTrip_withAndWithoutReadOnlyByte(_ readOnly: Bool?) throws {
        let request = ZooKeeperConnectRequest(
            lastZxidSeen: 0x2_0000_0005, timeOut: 30_000, sessionID: 0x1234, password: Array(1...16), readOnly: readOnly)
        #expect(try ZooKeeperConnectRequest(juteBytes: request.juteBytes) == request)
        #expect(request.juteBytes.count == 4 + 8 + 4 + 8 + 4 + 16 + (readOnly == nil ? 0 : 1))
        let response = ZooKeeperConnectResponse(timeOut: 20_000, sessionID: -77, password: Array(repeating: 3, count: 16), readOnly: readOnly)
        #expect(try ZooKeeperConnectResponse(juteBytes: response.juteBytes) == response)
    }

    @Test func fixedRecords_roundTrip() throws {
        #expect(try ZooKeeperStat(juteBytes: Self.stat.juteBytes) == Self.stat)
        #expect(Self.stat.juteBytes.count == ZooKeeperStat.byteCount)
        let acl = Self.digestACL
        #expect(try ZooKeeperACL(juteBytes: acl.juteBytes) == acl)
        #expect(try ZooKeeperID(juteBytes: acl.id.juteBytes) == acl.id)
        let requestHeader = ZooKeeperRequestHeader(xid: -8, type: .setWatches)
        #expect(try ZooKeeperRequestHeader(juteBytes: requestHeader.juteBytes) == requestHeader)
        let replyHeader = ZooKeeperReplyHeader(xid: -2, zxid: .max, err: ZooKeeperErrorCode(rawValue: -999))
        #expect(try ZooKeeperReplyHeader(juteBytes: replyHeader.juteBytes) == replyHeader)
        let multiHeader = ZooKeeperMultiHeader(type: 5, done: false, err: -1)
        #expect(try ZooKeeperMultiHeader(juteBytes: multiHeader.juteBytes) == multiHeader)
        let event = ZooKeeperWatcherEvent(type: .nodeChildrenChanged, path: "/p")
        #expect(try ZooKeeperWatcherEvent(juteBytes: event.juteBytes) == event)
        let auth = ZooKeeperAuthPacket(scheme: "digest", auth: [1, 2])
        #expect(try ZooKeeperAuthPacket(juteBytes: auth.juteBytes) == auth)
    }

    @Test func watchNotification_isReplyHeaderThenEvent() throws {
        let notification = ZooKeeperWatchNotification(
            sessionID: 1, event: ZooKeeperWatcherEvent(type: .nodeDeleted, path: "/gone"), zxid: 77)
        var buffer = ByteBuffer()
        notification.write(to: &buffer)
        #expect(try ZooKeeperReplyHeader(jute: &buffer) == ZooKeeperReplyHeader(xid: -1, zxid: 77, err: .ok))
        #expect(try ZooKeeperWatcherEvent(jute: &buffer) == notification.event)
    }

    @Test func nullStringsAndBuffers_readAsEmpty() throws {
        // Kazoo writes "" and b"" as length -1.
        var buffer = ByteBuffer()
        ZooKeeperRequestHeader(xid: 1, type: .setData).writeJute(to: &buffer)
        buffer.writeJuteInt32(-1)
        buffer.writeJuteInt32(-1)
        buffer.writeJuteInt32(-1)
        let frame = try ZooKeeperRequestFrame(decoding: &buffer)
        #expect(frame.request == .setData(path: "", data: [], version: -1))
    }

    @Test func frameHelper_prefixesLength() throws {
        var buffer = ByteBuffer()
        buffer.writeJuteFrame { ZooKeeperRequestFrame(xid: 1, request: .ping).write(to: &$0) }
        #expect(Array(buffer.readableBytesView) == [0, 0, 0, 8, 0, 0, 0, 1, 0, 0, 0, 11])
    }

    @Test func errorCodes_matchZooKeeper() {
        let expected: [(ZooKeeperErrorCode, Int32)] = [
            (.ok, 0), (.systemError, -1), (.runtimeInconsistency, -2), (.dataInconsistency, -3),
            (.connectionLoss, -4), (.marshallingError, -5), (.unimplemented, -6), (.operationTimeout, -7),
            (.badArguments, -8), (.unknownSession, -12), (.newConfigNoQuorum, -13), (.reconfigInProgress, -14),
            (.apiError, -100), (.noNode, -101), (.noAuth, -102), (.badVersion, -103),
            (.noChildrenForEphemerals, -108), (.nodeExists, -110), (.notEmpty, -111), (.sessionExpired, -112),
            (.invalidCallback, -113), (.invalidACL, -114), (.authFailed, -115), (.sessionMoved, -118),
            (.notReadOnly, -119), (.ephemeralOnLocalSession, -120), (.noWatcher, -121), (.requestTimeout, -122),
            (.reconfigDisabled, -123), (.sessionClosedRequireSaslAuth, -124), (.quotaExceeded, -125),
            (.throttledOp, -127),
        ]
        for (code, value) in expected { #expect(code.rawValue == value) }
        #expect(ZooKeeperErrorCode.allKnown.count == expected.count)
        #expect(Set(ZooKeeperErrorCode.allKnown.map(\.rawValue)).count == expected.count)
    }
}
