// Shared inputs for the compression tests: deterministic payloads, so a failure reproduces
// exactly, and a lookup from CompressionType (a Sendable test argument) to the codec.

import TernCompression
import TernPrimitives

/// The codecs under test, built the way a broker builds them.
let testCodecs = CompressionCodecs()

/// Every codec except the identity one: the ones with a real wire format.
let compressingTypes: [CompressionType] = [.gzip, .snappy, .lz4, .zstd]

/// The payload shapes every codec must round-trip.
enum Payload: String, CaseIterable, Sendable, CustomStringConvertible {
    case empty, oneByte, random100KiB, repetitive100KiB, random3MiB, repetitive3MiB

    var description: String { rawValue }

    /// The bytes of this payload; the same on every call.
    var bytes: [UInt8] {
        switch self {
        case .empty: []
        case .oneByte: [0x2A]
        case .random100KiB: randomBytes(count: 100 * 1024, seed: 1)
        case .repetitive100KiB: recordText(bytes: 100 * 1024)
        case .random3MiB: randomBytes(count: 3 * 1024 * 1024, seed: 2)
        case .repetitive3MiB: recordText(bytes: 3 * 1024 * 1024)
        }
    }
}

/// SplitMix64, so "random" test data is the same on every run.
struct SplitMix64 {
    var state: UInt64

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    mutating func next(below bound: Int) -> Int {
        Int(next() % UInt64(bound))
    }
}

/// `count` incompressible bytes from `seed`.
func randomBytes(count: Int, seed: UInt64) -> [UInt8] {
    var generator = SplitMix64(state: seed)
    var output = [UInt8]()
    output.reserveCapacity(count + 8)
    while output.count < count {
        withUnsafeBytes(of: generator.next()) { output.append(contentsOf: $0) }
    }
    return Array(output.prefix(count))
}

/// `bytes` bytes of record-like text: compressible, but not a single repeated byte, so
/// codecs exercise matches and literals alike.
func recordText(bytes: Int) -> [UInt8] {
    var output = [UInt8]()
    output.reserveCapacity(bytes + 100)
    var index = 0
    while output.count < bytes {
        let record = #"{"offset":\#(index),"key":"user-\#(index % 97)","value":"event-\#(index % 13)"}"#
        output.append(contentsOf: record.utf8)
        output.append(0x0A)
        index += 1
    }
    return Array(output.prefix(bytes))
}

/// Bytes from a hex string such as `"1f8b08"`; whitespace is ignored. Test-only, so a typo
/// in a literal traps loudly instead of being handled.
func hexBytes(_ text: String) -> [UInt8] {
    let digits = text.filter { !$0.isWhitespace }.map { UInt8(String($0), radix: 16)! }
    precondition(digits.count % 2 == 0, "odd number of hex digits")
    return stride(from: 0, to: digits.count, by: 2).map { digits[$0] << 4 | digits[$0 + 1] }
}
