import TernPrimitives

// Every command entry carries who proposed it, so that the node whose caller waits, the origin,
// can recognise the entry when it applies it, whichever node led at the time:
//
//   version u8 (= 1) | origin node i32 | proposalID u64 | command
//
// Proposal ids start from a random value at each start of a runtime, so an entry proposed by an
// earlier run of the same node never resolves a waiter of this run.

/// The origin and number of a proposal, stored in front of the command in its entry.
struct ProposalTag: Hashable, Sendable {
    var origin: NodeID
    var proposalID: UInt64

    static let version: UInt8 = 1
    static let encodedBytes = 13

    /// The entry data for `command` proposed under this tag.
    func wrap(_ command: [UInt8]) -> [UInt8] {
        var data: [UInt8] = []
        data.reserveCapacity(Self.encodedBytes + command.count)
        data.append(Self.version)
        withUnsafeBytes(of: origin.rawValue.bigEndian) { data.append(contentsOf: $0) }
        withUnsafeBytes(of: proposalID.bigEndian) { data.append(contentsOf: $0) }
        data.append(contentsOf: command)
        return data
    }

    /// Splits entry data into its tag and command; nil when the data carries no valid tag.
    static func unwrap(_ data: [UInt8]) -> (tag: ProposalTag, command: [UInt8])? {
        guard data.count >= encodedBytes, data[0] == version else { return nil }
        var origin: Int32 = 0
        var proposalID: UInt64 = 0
        for byte in data[1..<5] { origin = origin << 8 | Int32(byte) }
        for byte in data[5..<13] { proposalID = proposalID << 8 | UInt64(byte) }
        return (ProposalTag(origin: NodeID(origin), proposalID: proposalID), Array(data[encodedBytes...]))
    }
}
