/// ZooKeeper's rules for znode paths (`PathUtils.validatePath`) and the small path arithmetic the
/// tree needs. Checks run over UTF-16 code units because Java's rules are written against
/// `char`: that is why every character outside the Basic Multilingual Plane (which Java sees as
/// surrogates, U+D800 to U+DFFF) is refused, exactly as ZooKeeper refuses it.
public enum ZooKeeperPath {
    /// The root path.
    public static let root = "/"

    /// Whether `path` is a valid znode path: absolute, no trailing slash (except the root), no
    /// empty, `.` or `..` components, and no NUL or control, C1, surrogate, private-use or
    /// U+FFF0 to U+FFFF characters.
    public static func isValid(_ path: String) -> Bool {
        let units = Array(path.utf16)
        guard let first = units.first, first == slash else { return false }
        if units.count == 1 { return true }
        guard units[units.count - 1] != slash else { return false }
        var componentStart = 1
        for index in 1...units.count {
            if index == units.count || units[index] == slash {
                let length = index - componentStart
                if length == 0 { return false }
                if isDotComponent(units, start: componentStart, length: length) { return false }
                componentStart = index + 1
                continue
            }
            if isForbidden(units[index]) { return false }
        }
        return true
    }

    /// Validates the path a sequential create will produce, before the suffix is known: ZooKeeper
    /// appends a digit for the check, so a prefix ending in `/` is allowed.
    public static func isValidSequentialPrefix(_ path: String) -> Bool {
        isValid(path + "1")
    }

    /// The parent of `path` and the last component's name, or nil for the root or a path with
    /// no slash. Works on any string, valid or not, as ZooKeeper's `lastIndexOf('/')` does.
    public static func split(_ path: String) -> (parent: String, name: String)? {
        guard path != root, let slashIndex = path.lastIndex(of: "/") else { return nil }
        let parent = slashIndex == path.startIndex ? root : String(path[..<slashIndex])
        return (parent, String(path[path.index(after: slashIndex)...]))
    }

    /// `parent` joined with a child name.
    public static func child(_ name: String, of parent: String) -> String {
        parent == root ? "/" + name : parent + "/" + name
    }

    /// The suffix ZooKeeper gives sequential nodes: the parent's cversion as `%010d`, so a
    /// negative cversion keeps its sign inside the ten characters, as Java formats it.
    public static func sequenceSuffix(_ cversion: Int32) -> String {
        let digits = String(cversion.magnitude)
        let width = cversion < 0 ? 9 : 10
        let padding = String(repeating: "0", count: max(0, width - digits.count))
        return (cversion < 0 ? "-" : "") + padding + digits
    }

    private static let slash: UInt16 = 0x2F
    private static let dot: UInt16 = 0x2E

    private static func isDotComponent(_ units: [UInt16], start: Int, length: Int) -> Bool {
        switch length {
        case 1: units[start] == dot
        case 2: units[start] == dot && units[start + 1] == dot
        default: false
        }
    }

    private static func isForbidden(_ unit: UInt16) -> Bool {
        unit == 0
            || (0x01...0x1F).contains(unit)
            || (0x7F...0x9F).contains(unit)
            || (0xD800...0xF8FF).contains(unit)
            || unit >= 0xFFF0
    }
}
