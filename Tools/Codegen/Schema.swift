// The in-memory model of one schema file (see README.md for the grammar).

/// A set of versions: `low...high`, where `high` is `Int16.max` for an open range ("v3+").
struct VersionRange: Equatable, CustomStringConvertible {
    var low: Int16
    var high: Int16

    static let none = VersionRange(low: 1, high: 0)

    var isEmpty: Bool { low > high }
    var isOpen: Bool { high == Int16.max }

    func contains(_ version: Int16) -> Bool { version >= low && version <= high }

    func intersection(_ other: VersionRange) -> VersionRange {
        VersionRange(low: max(low, other.low), high: min(high, other.high))
    }

    /// True when every version of `other` lies in this range.
    func covers(_ other: VersionRange) -> Bool {
        other.isEmpty || (low <= other.low && high >= other.high)
    }

    var description: String {
        if isEmpty { return "none" }
        if isOpen { return "v\(low)+" }
        return low == high ? "v\(low)" : "v\(low)-\(high)"
    }
}

/// The scalar types of the schema language.
enum Primitive: String, CaseIterable {
    case int8, int16, int32, int64, uint16, uint32, float64, bool, string, bytes, records, uuid

    /// Fixed-width integers, read and written with the generic integer helpers.
    var swiftInteger: String? {
        switch self {
        case .int8: "Int8"
        case .int16: "Int16"
        case .int32: "Int32"
        case .int64: "Int64"
        case .uint16: "UInt16"
        case .uint32: "UInt32"
        default: nil
        }
    }

    var swiftType: String {
        if let integer = swiftInteger { return integer }
        switch self {
        case .float64: return "Double"
        case .bool: return "Bool"
        case .string: return "String"
        case .bytes: return "[UInt8]"
        case .records: return "ByteBuffer"
        case .uuid: return "KafkaUUID"
        default: preconditionFailure("unreachable")
        }
    }

    /// Whether the type can be null on the wire.
    var isNullableKind: Bool { self == .string || self == .bytes || self == .records }

    /// The fewest bytes one value takes, used to bound array counts before allocating.
    func minimumSize(compact: Bool) -> Int {
        switch self {
        case .int8, .bool: 1
        case .int16, .uint16: 2
        case .int32, .uint32: 4
        case .int64, .float64: 8
        case .uuid: 16
        case .string: compact ? 1 : 2
        case .bytes, .records: compact ? 1 : 4
        }
    }
}

/// What an array holds, or what a field is.
enum ElementType: Equatable {
    case primitive(Primitive)
    case structure(String)
}

enum FieldType: Equatable {
    case single(ElementType)
    case array(ElementType)

    var element: ElementType {
        switch self {
        case let .single(element), let .array(element): element
        }
    }

    var isArray: Bool {
        if case .array = self { return true }
        return false
    }
}

/// A default value as written after `default=`.
enum DefaultValue: Equatable {
    case integer(Int64)
    case boolean(Bool)
    case null
    case string(String)
}

struct Field {
    var name: String
    var type: FieldType
    var versions: VersionRange
    var nullable: VersionRange
    var tag: UInt32?
    var defaultValue: DefaultValue?
    var line: Int

    /// Whether the Swift property is optional: nullable in some version it exists in.
    var isOptional: Bool { !versions.intersection(nullable).isEmpty }
}

/// One structure: the message itself or a nested / common structure.
struct StructDef {
    var name: String
    var fields: [Field] = []
    /// The structure this one is declared inside, nil for the message root or a common one.
    var parent: String?
    var isCommon = false
    var line: Int
}

enum MessageKind: String {
    case request, response

    var suffix: String { self == .request ? "Request" : "Response" }
}

struct MessageDef {
    var kind: MessageKind
    var root: StructDef
    /// Nested structures in declaration order.
    var structs: [StructDef] = []
}

struct ApiDef {
    var name: String
    var key: Int16
    var versions: VersionRange
    var firstFlexibleVersion: Int16?
    var common: [StructDef] = []
    var request: MessageDef
    var response: MessageDef
    var sourceFile: String

    var flexibleRange: VersionRange {
        firstFlexibleVersion.map { VersionRange(low: $0, high: .max) } ?? .none
    }
}

struct SchemaError: Error, CustomStringConvertible {
    var file: String
    var line: Int
    var message: String

    var description: String { "\(file):\(line): \(message)" }
}
