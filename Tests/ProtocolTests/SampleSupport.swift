// Support for the generated samples: a seeded source of field values, and a type-erased
// maker so one test can walk every message type.

import NIOCore
import TernPrimitives
import TernProtocol

/// Seeded random field values. Strings mix ASCII with multi-byte UTF-8 so a length-in-bytes
/// versus length-in-characters mistake shows up.
struct SampleRandom {
    private var generator: SeededRandom

    init(seed: UInt64) {
        generator = SeededRandom(seed: seed)
    }

    mutating func integer<T: FixedWidthInteger>(_ type: T.Type) -> T {
        // Favour the edges (0, -1, min, max), where sign and width mistakes hide.
        switch generator.next() % 6 {
        case 0: return 0
        case 1: return T.isSigned ? T(truncatingIfNeeded: -1) : 1
        case 2: return T.max
        case 3: return T.min
        default: return T(truncatingIfNeeded: generator.next())
        }
    }

    mutating func bool() -> Bool { generator.next() & 1 == 1 }

    mutating func double() -> Double { Double(Int32(truncatingIfNeeded: generator.next())) / 7 }

    mutating func chance(_ oneIn: UInt64) -> Bool { generator.next() % oneIn == 0 }

    mutating func count() -> Int { Int(generator.next() % 3) }

    mutating func string() -> String {
        let pieces = ["", "a", "topic-1", "grüße", "日本", "__consumer_offsets", "x.y_z"]
        return pieces[Int(generator.next() % UInt64(pieces.count))] + String(generator.next() % 1000)
    }

    mutating func bytes() -> [UInt8] {
        (0..<Int(generator.next() % 12)).map { _ in UInt8(truncatingIfNeeded: generator.next()) }
    }

    mutating func records() -> ByteBuffer {
        ByteBuffer(bytes: bytes())
    }

    mutating func uuid() -> KafkaUUID {
        KafkaUUID(high: generator.next(), low: generator.next())
    }

    /// Zero to two unknown tagged fields, with tags far above any known one, in tag order.
    mutating func unknownTaggedFields() -> [TaggedField] {
        (0..<count()).map { index in TaggedField(tag: UInt32(1000 + index), data: records()) }
    }
}

/// Builds a sample of one message type at a version, behind a type-erased face.
struct SampleMaker: Sendable {
    let type: any KafkaMessage.Type
    let make: @Sendable (Int16, inout SampleRandom) -> any KafkaMessage

    init<M: KafkaMessage>(type: M.Type, make: @escaping @Sendable (Int16, inout SampleRandom) -> M) {
        self.type = type
        self.make = { version, random in make(version, &random) }
    }
}
