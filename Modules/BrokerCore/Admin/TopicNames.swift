/// Kafka's rules for topic names.
public enum TopicNames {
    /// The longest legal name.
    public static let lengthMax = 249
    /// Kafka's KRaft metadata log, which no client may create.
    public static let clusterMetadataTopic = "__cluster_metadata"

    /// Why `name` is not a legal topic name, in Kafka's words; nil when it is legal: ASCII
    /// letters, digits, `.`, `_` and `-`, 1 to 249 of them, and not `.` or `..`.
    public static func problem(with name: String) -> String? {
        if name.isEmpty { return "Topic name is illegal, it can't be empty" }
        if name == "." || name == ".." { return "Topic name cannot be \".\" or \"..\"" }
        if name.utf8.count > lengthMax {
            return "Topic name is illegal, it can't be longer than \(lengthMax) characters, topic name: \(name)"
        }
        if !name.utf8.allSatisfy(isLegal) {
            return "Topic name \"\(name)\" is illegal, it contains a character other than ASCII alphanumerics, '.', '_' and '-'"
        }
        return nil
    }

    /// Whether two different names collide: Kafka's metrics replace `.` with `_`, so `a.b` and
    /// `a_b` would share metric names, and Kafka refuses to create the second.
    public static func collide(_ name: String, _ other: String) -> Bool {
        name != other && unified(name) == unified(other)
    }

    /// The name with every `.` turned into `_`.
    static func unified(_ name: String) -> String {
        String(decoding: name.utf8.map { $0 == UInt8(ascii: ".") ? UInt8(ascii: "_") : $0 }, as: UTF8.self)
    }

    private static func isLegal(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
             UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "."), UInt8(ascii: "_"), UInt8(ascii: "-"):
            true
        default:
            false
        }
    }
}
