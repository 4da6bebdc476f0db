// Goal: no input, however malformed, traps any decoder, and whatever garbage does decode can be
// routed, answered and applied without trapping either. Method: a seeded loop (SplitMix64, so a
// failure replays) over random bytes, every truncation of valid frames, and random byte flips
// of valid frames, transactions and snapshots.

import NIOCore
import Testing
import TernPrimitives
import TernZooKeeper

@Suite struct JuteFuzzTests {
    static var validFrames: [[UInt8]] {
        JuteRoundTripTests.requests.map { request in
            var buffer = ByteBuffer()
            ZooKeeperRequestFrame(xid: 1, request: request).write(to: &buffer)
            return Array(buffer.readableBytesView)
        }
    }

    /// Decodes, routes and executes one frame against `harness`, as a server would.
    static func serve(_ bytes: [UInt8], _ harness: inout TreeHarness) {
        var buffer = ByteBuffer(bytes: bytes)
        guard let frame = try? ZooKeeperRequestFrame(decoding: &buffer) else { return }
        switch frame.request.route(sessionID: 1, time: harness.time) {
        case let .local(request):
            _ = harness.read(request, session: 1, xid: frame.header.xid)
        case let .propose(transaction):
            harness.zxid += 1
            let applied = harness.database.apply(transaction, zxid: harness.zxid)
            var reply = ByteBuffer()
            applied.result.reply(xid: frame.header.xid)?.write(to: &reply)
            if case .sessionClosed = applied.result.outcome { harness.openSession(1) }
        case .reject:
            break
        }
    }

    static func mutate(_ bytes: [UInt8], _ random: inout SeededRandom) -> [UInt8] {
        guard !bytes.isEmpty else { return bytes }
        var copy = bytes
        for _ in 0..<Int.random(in: 1...4, using: &random) {
            let index = Int.random(in: 0..<copy.count, using: &random)
            copy[index] = [0x00, 0xFF, 0x7F, 0x80, UInt8.random(in: 0...255, using: &random)].randomElement(using: &random) ?? 0
        }
        return copy
    }

    @Test func randomBytes_neverTrap() {
        var random = SeededRandom(seed: 0x5EED_0001)
        var harness = TreeHarness()
        harness.openSession(1)
        for _ in 0..<5_000 {
            let length = Int.random(in: 0...64, using: &random)
            var bytes = (0..<length).map { _ in UInt8.random(in: 0...255, using: &random) }
            // Half the time, start with a plausible header so the body decoders get exercised.
            if Bool.random(using: &random) {
                let opCode = [1, 2, 3, 4, 5, 6, 7, 8, 9, 11, 12, 13, 14, 15, 19, 21, 100, 101, 103, 104, 105, 106, -11]
                    .randomElement(using: &random) ?? 1
                bytes = [0, 0, 0, 1] + withUnsafeBytes(of: Int32(opCode).bigEndian) { Array($0) } + bytes
            }
            Self.serve(bytes, &harness)
            _ = try? ZooKeeperConnectRequest(juteBytes: bytes)
            _ = try? ZooKeeperTransaction(encoded: bytes)
            _ = try? ZooKeeperTree(snapshot: bytes)
            var buffer = ByteBuffer(bytes: bytes)
            _ = try? ZooKeeperResponseBody(jute: &buffer, answering: .multi)
        }
    }

    @Test func everyTruncation_throwsOrDecodes() {
        var harness = TreeHarness()
        harness.openSession(1)
        for frame in Self.validFrames {
            for length in 0..<frame.count {
                Self.serve(Array(frame.prefix(length)), &harness)
            }
        }
        let connect = ZooKeeperConnectRequest(lastZxidSeen: 1, timeOut: 1, sessionID: 1, password: [1], readOnly: true).juteBytes
        for length in 0..<(connect.count - 1) {
            // Only the trailing read-only byte is optional; anything shorter must be refused.
            #expect(throws: JuteDecodeError.self) { try ZooKeeperConnectRequest(juteBytes: Array(connect.prefix(length))) }
        }
    }

    @Test func mutatedFrames_neverTrap() {
        var random = SeededRandom(seed: 0x5EED_0002)
        var harness = TreeHarness()
        harness.openSession(1)
        let frames = Self.validFrames
        for _ in 0..<20_000 {
            let frame = frames.randomElement(using: &random) ?? []
            Self.serve(Self.mutate(frame, &random), &harness)
        }
    }

    @Test func hugeLengthPrefixes_areRefusedBeforeAllocating() {
        var buffer = ByteBuffer()
        ZooKeeperRequestHeader(xid: 1, type: .setData).writeJute(to: &buffer)
        buffer.writeJuteInt32(Int32.max)
        #expect(throws: JuteDecodeError.invalidLength(Int64(Int32.max), context: "ustring")) {
            try ZooKeeperRequestFrame(decoding: &buffer)
        }
        var vector = ByteBuffer()
        ZooKeeperRequestHeader(xid: 1, type: .setWatches).writeJute(to: &vector)
        vector.writeJuteInt64(0)
        vector.writeJuteInt32(1_000_000)
        #expect(throws: JuteDecodeError.invalidLength(1_000_000, context: "vector")) {
            try ZooKeeperRequestFrame(decoding: &vector)
        }
        var negative = ByteBuffer()
        negative.writeJuteInt32(-2)
        #expect(throws: JuteDecodeError.self) { try negative.readJuteBuffer() }
    }

    @Test func mutatedTransactionsAndSnapshots_neverTrap() {
        var random = SeededRandom(seed: 0x5EED_0003)
        var harness = TreeHarness()
        harness.openSession(7)
        harness.create("/a", data: [1, 2, 3], session: 7)
        harness.create("/a/e", flags: 1, session: 7)
        let snapshot = harness.tree.snapshot()
        let transactions = SnapshotTests.sampleTransactions.map(\.encoded)
        for _ in 0..<5_000 {
            if let tree = try? ZooKeeperTree(snapshot: Self.mutate(snapshot, &random)) {
                // Whatever loads must be self-consistent enough to snapshot and reload.
                #expect((try? ZooKeeperTree(snapshot: tree.snapshot())) == tree)
            }
            let bytes = Self.mutate(transactions.randomElement(using: &random) ?? [], &random)
            if let transaction = try? ZooKeeperTransaction(encoded: bytes) {
                harness.zxid += 1
                _ = harness.database.apply(transaction, zxid: harness.zxid)
            }
        }
        for length in 0..<snapshot.count {
            #expect(throws: JuteDecodeError.self) { try ZooKeeperTree(snapshot: Array(snapshot.prefix(length))) }
        }
    }
}
