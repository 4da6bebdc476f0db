import Foundation

// Swift names for schema names.

enum Naming {
    private static let keywords: Set<String> = [
        "associatedtype", "class", "deinit", "enum", "extension", "fileprivate", "func", "import", "init", "inout",
        "internal", "let", "open", "operator", "private", "protocol", "public", "rethrows", "static", "struct",
        "subscript", "typealias", "var", "break", "case", "continue", "default", "defer", "do", "else", "fallthrough",
        "for", "guard", "if", "in", "repeat", "return", "switch", "where", "while", "as", "catch", "false", "is",
        "nil", "super", "self", "Self", "throw", "throws", "true", "try", "Type", "any", "some",
    ]

    /// `ThrottleTimeMs` → `throttleTimeMs`, `ISR` → `isr`, `IsrNodes` → `isrNodes`.
    static func property(_ name: String) -> String {
        let characters = Array(name)
        let run = characters.prefix { $0.isUppercase }.count
        let converted: String
        if run == 0 {
            converted = name
        } else if run == characters.count {
            converted = name.lowercased()
        } else if run == 1 {
            converted = String(characters[0]).lowercased() + String(characters[1...])
        } else {
            converted = String(characters[0..<(run - 1)]).lowercased() + String(characters[(run - 1)...])
        }
        return keywords.contains(converted) ? "`\(converted)`" : converted
    }

    /// A property name without backticks, for string contexts.
    static func plainProperty(_ name: String) -> String {
        property(name).replacingOccurrences(of: "`", with: "")
    }

    /// The Swift string literal for `text`.
    static func literal(_ text: String) -> String {
        var out = "\""
        for character in text {
            switch character {
            case "\\": out += "\\\\"
            case "\"": out += "\\\""
            case "\n": out += "\\n"
            default: out.append(character)
            }
        }
        return out + "\""
    }
}

/// Accumulates indented lines of Swift.
struct SwiftWriter {
    private(set) var lines: [String] = []
    private var depth = 0

    mutating func line(_ text: String = "") {
        lines.append(text.isEmpty ? "" : String(repeating: "    ", count: depth) + text)
    }

    mutating func lines(_ texts: [String]) {
        for text in texts { line(text) }
    }

    mutating func block(_ opener: String, _ body: (inout SwiftWriter) -> Void) {
        line(opener + " {")
        depth += 1
        body(&self)
        depth -= 1
        line("}")
    }

    var text: String { lines.joined(separator: "\n") + "\n" }
}
