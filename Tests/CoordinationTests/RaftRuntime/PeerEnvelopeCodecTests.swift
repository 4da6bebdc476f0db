// Goal: every runtime envelope survives the wire unchanged, and no byte sequence can crash the
// decoder or make it allocate beyond the frame. Method: round-trip one envelope of each kind;
// feed every truncation of each encoding and a bounded number of seeded random frames.

import NIOCore
import Testing
import TernCoordination
import TernPrimitives

@Suite struct PeerEnvelopeCodecTests {
    static let samples: [PeerEnvelope] = [
        .raft(.voteRequest(VoteRequest(term: 7, lastLogIndex: 40, lastLogTerm: 6))),
        .raft(.appendRequest(AppendRequest(
            term: 3, prevLogIndex: 9, prevLogTerm: 2,
            entries: [LogEntry(index: 10, term: 3, data: [1, 2, 3]), LogEntry(index: 11, term: 3, kind: .noop)],
            leaderCommit: 9, round: 4))),
        .forwardProposal(proposalID: .max, command: Array("create /a".utf8)),
        .proposalRefused(proposalID: 12, .overloaded),
        .readIndexRequest(requestID: 99),
        .readIndex(requestID: 99, index: 1234),
        .readRefused(requestID: 5, .notLeader),
        .leaderMessage(Array(repeating: 0xAB, count: 300)),
    ]

    private func encoded(_ envelope: PeerEnvelope) -> ByteBuffer {
        var buffer = ByteBuffer()
        envelope.encode(into: &buffer)
        return buffer
    }

    @Test(arguments: samples)
    func encode_thenDecode_returnsTheSameEnvelope(envelope: PeerEnvelope) throws {
        #expect(try PeerEnvelope(decoding: encoded(envelope)) == envelope)
    }

    @Test(arguments: samples)
    func decode_everyTruncation_throwsInsteadOfCrashing(envelope: PeerEnvelope) {
        let whole = encoded(envelope)
        for length in 0..<whole.readableBytes {
            let prefix = whole.getSlice(at: whole.readerIndex, length: length) ?? ByteBuffer()
            #expect(throws: PeerEnvelopeDecodeError.self) { try PeerEnvelope(decoding: prefix) }
        }
    }

    @Test func decode_trailingByte_isRefused() {
        var buffer = encoded(.readIndexRequest(requestID: 1))
        buffer.writeInteger(UInt8(0))
        #expect(throws: PeerEnvelopeDecodeError.self) { try PeerEnvelope(decoding: buffer) }
    }

    @Test func decode_hugeLengthPrefix_isRefusedBeforeAllocating() {
        var buffer = ByteBuffer()
        buffer.writeInteger(PeerEnvelope.codecVersion)
        buffer.writeInteger(UInt8(2))  // forward proposal
        buffer.writeInteger(UInt64(1))
        buffer.writeInteger(UInt32.max)
        #expect(throws: PeerEnvelopeDecodeError.self) { try PeerEnvelope(decoding: buffer) }
    }

    @Test func decode_randomFrames_neverCrash() {
        var random = SeededRandom(seed: 0x5EED)
        var decoded = 0
        for _ in 0..<4_000 {
            let length = Int(random.next() % 64)
            var buffer = ByteBuffer()
            // Half the frames start with a valid version and kind so the bodies get exercised.
            if random.next() % 2 == 0 {
                buffer.writeInteger(PeerEnvelope.codecVersion)
                buffer.writeInteger(UInt8(1 + random.next() % 7))
            }
            for _ in 0..<length { buffer.writeInteger(UInt8(truncatingIfNeeded: random.next())) }
            if (try? PeerEnvelope(decoding: buffer)) != nil { decoded += 1 }
        }
        // Some random bodies are valid small envelopes; the point is that none trapped.
        #expect(decoded < 4_000)
    }
}
