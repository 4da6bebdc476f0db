// libFuzzer target: arbitrary bytes through every decoder the coordinator and its clients run
// on input they do not control — a ZooKeeper client's connect request and request frames, a
// server's replies (the broker's ZooKeeper client reads those), the transactions and snapshots
// read back from disk, and the Raft messages and envelopes peers send each other. Nothing may
// trap; whatever decodes must encode to bytes that decode to the same value.

import NIOCore
import TernCoordination
import TernZooKeeper

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzCoordination(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let input = Array(UnsafeBufferPointer(start: data, count: size))
    let bytes = ByteBuffer(bytes: input)

    var connect = bytes
    _ = try? ZooKeeperConnectRequest(jute: &connect)
    var connected = bytes
    _ = try? ZooKeeperConnectResponse(jute: &connected)
    var watches = bytes
    _ = try? ZooKeeperSetWatches(jute: &watches, version2: size % 2 == 0)
    var auth = bytes
    _ = try? ZooKeeperAuthPacket(jute: &auth)

    var frame = bytes
    if let request = try? ZooKeeperRequestFrame(decoding: &frame) {
        var encoded = ByteBuffer()
        request.write(to: &encoded)
        guard let again = try? ZooKeeperRequestFrame(decoding: &encoded), again == request else {
            fatalError("request frame \(request) does not survive encoding")
        }
    }

    // A reply body for the op code the first byte names, as a signed byte: every known code
    // (-11 closeSession to 21 createTTL) and unknown ones around them.
    if let first = input.first {
        var body = bytes.getSlice(at: 1, length: size - 1) ?? ByteBuffer()
        _ = try? ZooKeeperResponseBody(jute: &body, answering: ZooKeeperOpCode(rawValue: Int32(Int8(bitPattern: first))))
    }

    if let transaction = try? ZooKeeperTransaction(encoded: input) {
        guard (try? ZooKeeperTransaction(encoded: transaction.encoded)) == transaction else {
            fatalError("transaction \(transaction) does not survive encoding")
        }
    }
    _ = try? ZooKeeperTree(snapshot: input)

    if let message = try? RaftMessage(decoding: bytes) {
        var encoded = ByteBuffer()
        message.encode(into: &encoded)
        guard (try? RaftMessage(decoding: encoded)) == message else {
            fatalError("Raft message \(message) does not survive encoding")
        }
    }
    if let envelope = try? PeerEnvelope(decoding: bytes) {
        var encoded = ByteBuffer()
        envelope.encode(into: &encoded)
        guard (try? PeerEnvelope(decoding: encoded)) == envelope else {
            fatalError("peer envelope \(envelope) does not survive encoding")
        }
    }
    return 0
}
