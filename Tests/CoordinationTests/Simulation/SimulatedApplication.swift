// The state machine the simulator's nodes replicate: a running digest of every applied entry.
// Two nodes with the same digest at the same index applied the same sequence, which is what the
// state-machine-safety checker compares. Snapshots carry the digest plus padding derived from
// it, so a transfer takes several chunks and a mis-assembled snapshot is detected on restore.

import TernCoordination
import TernPrimitives

struct SimulatedApplication: Equatable {
    private(set) var appliedIndex = LogIndex.zero
    private(set) var appliedTerm = Term.zero
    private(set) var digest: UInt64 = 0xCBF2_9CE4_8422_2325

    /// Folds one entry into the state; the caller checks that it is the next one.
    mutating func apply(_ entry: LogEntry) {
        digest = Self.fold(digest, entry)
        appliedIndex = entry.index
        appliedTerm = entry.term
    }

    static func fold(_ digest: UInt64, _ entry: LogEntry) -> UInt64 {
        // FNV-1a over the entry's kind and bytes, then a SplitMix finalizer to spread it.
        var value = digest
        for byte in [entry.kind.rawValue] + entry.data {
            value = (value ^ UInt64(byte)) &* 0x0000_0100_0000_01B3
        }
        var random = SeededRandom(seed: value)
        return random.next()
    }

    /// The state as a snapshot: index, term and digest, then `paddingBytes` bytes that follow
    /// from the digest.
    func snapshot(paddingBytes: Int) -> Snapshot {
        var data: [UInt8] = []
        for value in [appliedIndex.rawValue, appliedTerm.rawValue, digest] {
            for shift in stride(from: 56, through: 0, by: -8) {
                data.append(UInt8(truncatingIfNeeded: value >> UInt64(shift)))
            }
        }
        data.append(contentsOf: Self.padding(digest: digest, count: paddingBytes))
        return Snapshot(index: appliedIndex, term: appliedTerm, data: data)
    }

    /// Rebuilds the state from a snapshot, or nil when its bytes are not a state this
    /// application wrote (which would mean the transfer garbled it).
    init?(restoring snapshot: Snapshot) {
        guard snapshot.data.count >= 24 else { return nil }
        func word(_ at: Int) -> UInt64 {
            snapshot.data[at..<(at + 8)].reduce(0) { ($0 << 8) | UInt64($1) }
        }
        appliedIndex = LogIndex(word(0))
        appliedTerm = Term(word(8))
        digest = word(16)
        guard appliedIndex == snapshot.index, appliedTerm == snapshot.term,
              Array(snapshot.data.dropFirst(24)) == Self.padding(digest: digest, count: snapshot.data.count - 24)
        else { return nil }
    }

    init() {}

    private static func padding(digest: UInt64, count: Int) -> [UInt8] {
        var random = SeededRandom(seed: digest)
        return (0..<count).map { _ in UInt8(truncatingIfNeeded: random.next()) }
    }
}
