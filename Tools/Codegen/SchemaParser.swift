import Foundation

// Parses one schema file into an `ApiDef`, with line-numbered errors.

struct SchemaParser {
    let file: String
    private var structNames: Set<String> = []

    init(file: String) {
        self.file = file
    }

    private func error(_ line: Int, _ message: String) -> SchemaError {
        SchemaError(file: file, line: line, message: message)
    }

    /// A source line with its indentation depth (two spaces a level) and its words.
    struct Line {
        var number: Int
        var depth: Int
        var words: [String]
    }

    private func tokenize(_ text: String) throws -> [Line] {
        var lines: [Line] = []
        for (index, raw) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let number = index + 1
            let content = stripComment(String(raw))
            guard !content.trimmingCharacters(in: .whitespaces).isEmpty else { continue }
            guard !content.contains("\t") else { throw error(number, "tabs are not allowed; indent with two spaces") }
            let spaces = content.prefix { $0 == " " }.count
            guard spaces % 2 == 0 else { throw error(number, "indentation must be a multiple of two spaces") }
            let words = content.split(separator: " ").map(String.init)
            lines.append(Line(number: number, depth: spaces / 2, words: words))
        }
        return lines
    }

    private func stripComment(_ line: String) -> String {
        var inQuotes = false
        for (offset, character) in line.enumerated() {
            if character == "\"" { inQuotes.toggle() }
            if character == "#" && !inQuotes { return String(line.prefix(offset)) }
        }
        return line
    }

    mutating func parse(_ text: String) throws -> ApiDef {
        let lines = try tokenize(text)
        guard let header = lines.first, header.words.first == "api" else {
            throw error(lines.first?.number ?? 1, "a schema starts with an `api` line")
        }
        var api = try parseHeader(header)
        var section: String?
        var sectionLines: [String: [Line]] = [:]
        var order: [String] = []
        for line in lines.dropFirst() {
            if line.depth == 0 {
                guard line.words.count == 1, ["request", "response", "common"].contains(line.words[0]) else {
                    throw error(line.number, "expected a section: request, response or common")
                }
                guard sectionLines[line.words[0]] == nil else { throw error(line.number, "duplicate section \(line.words[0])") }
                section = line.words[0]
                sectionLines[line.words[0]] = []
                order.append(line.words[0])
                continue
            }
            guard let current = section else { throw error(line.number, "field outside a section") }
            sectionLines[current, default: []].append(line)
        }
        guard sectionLines["request"] != nil, sectionLines["response"] != nil else {
            throw error(header.number, "both a request and a response section are required")
        }
        if let common = sectionLines["common"] {
            api.common = try parseCommon(common, api: api)
        }
        // Structure names are unique within one message; the common ones are shared by both.
        let commonNames = structNames
        api.request = try parseMessage(.request, sectionLines["request"] ?? [], api: api)
        structNames = commonNames
        api.response = try parseMessage(.response, sectionLines["response"] ?? [], api: api)
        return api
    }

    private func parseHeader(_ line: Line) throws -> ApiDef {
        guard line.words.count == 5 else {
            throw error(line.number, "expected: api <Name> key=<n> versions=<lo>-<hi> flexible=<v>+|none")
        }
        let name = line.words[1]
        guard let key = value(of: "key", in: line.words[2]).flatMap({ Int16($0) }) else {
            throw error(line.number, "bad key")
        }
        guard let versionText = value(of: "versions", in: line.words[3]) else { throw error(line.number, "bad versions") }
        let parts = versionText.split(separator: "-").compactMap { Int16($0) }
        guard parts.count == 2, parts[0] <= parts[1] else { throw error(line.number, "versions must be <lo>-<hi>") }
        guard let flexibleText = value(of: "flexible", in: line.words[4]) else { throw error(line.number, "bad flexible") }
        var firstFlexible: Int16?
        if flexibleText != "none" {
            guard flexibleText.hasSuffix("+"), let first = Int16(flexibleText.dropLast()) else {
                throw error(line.number, "flexible must be <v>+ or none")
            }
            firstFlexible = first
        }
        let empty = MessageDef(kind: .request, root: StructDef(name: "", line: 0))
        return ApiDef(
            name: name, key: key, versions: VersionRange(low: parts[0], high: parts[1]),
            firstFlexibleVersion: firstFlexible, request: empty, response: empty, sourceFile: file
        )
    }

    private func value(of key: String, in word: String) -> String? {
        guard word.hasPrefix(key + "=") else { return nil }
        return String(word.dropFirst(key.count + 1))
    }

    private mutating func parseCommon(_ lines: [Line], api: ApiDef) throws -> [StructDef] {
        var result: [StructDef] = []
        var index = 0
        while index < lines.count {
            let line = lines[index]
            guard line.depth == 1, line.words.count == 1 else {
                throw error(line.number, "a common section lists bare structure names with fields indented beneath")
            }
            let name = line.words[0]
            try checkStructName(name, line: line.number)
            var structure = StructDef(name: name, parent: nil, isCommon: true, line: line.number)
            var nested: [StructDef] = []
            index += 1
            let body = takeBlock(lines, from: &index, deeperThan: 1)
            guard !body.isEmpty else { throw error(line.number, "structure \(name) has no fields") }
            structure.fields = try parseFields(body, depth: 2, owner: name, api: api, nested: &nested)
            guard nested.isEmpty else { throw error(line.number, "common structures may not nest new structures") }
            result.append(structure)
        }
        return result
    }

    private mutating func parseMessage(_ kind: MessageKind, _ lines: [Line], api: ApiDef) throws -> MessageDef {
        let rootName = api.name + kind.suffix
        var nested: [StructDef] = []
        let fields = try parseFields(lines, depth: 1, owner: nil, api: api, nested: &nested)
        var root = StructDef(name: rootName, line: lines.first?.number ?? 0)
        root.fields = fields
        return MessageDef(kind: kind, root: root, structs: nested)
    }

    /// Lines from `index` while they are deeper than `depth`.
    private func takeBlock(_ lines: [Line], from index: inout Int, deeperThan depth: Int) -> [Line] {
        var block: [Line] = []
        while index < lines.count && lines[index].depth > depth {
            block.append(lines[index])
            index += 1
        }
        return block
    }

    private mutating func parseFields(
        _ lines: [Line], depth: Int, owner: String?, api: ApiDef, nested: inout [StructDef]
    ) throws -> [Field] {
        var fields: [Field] = []
        var index = 0
        while index < lines.count {
            let line = lines[index]
            guard line.depth == depth else { throw error(line.number, "unexpected indentation") }
            var field = try parseField(line, api: api)
            index += 1
            let body = takeBlock(lines, from: &index, deeperThan: depth)
            if case let .structure(name) = field.type.element {
                if structNames.contains(name) {
                    guard body.isEmpty else { throw error(line.number, "structure \(name) is already defined") }
                } else {
                    guard !body.isEmpty else { throw error(line.number, "structure \(name) is not defined") }
                    try checkStructName(name, line: line.number)
                    var structure = StructDef(name: name, parent: owner, line: line.number)
                    let position = nested.count
                    nested.append(structure)
                    structure.fields = try parseFields(body, depth: depth + 1, owner: name, api: api, nested: &nested)
                    nested[position] = structure
                }
            } else if !body.isEmpty {
                throw error(line.number, "only a structure field may have indented fields")
            }
            guard !fields.contains(where: { $0.name == field.name }) else {
                throw error(line.number, "duplicate field \(field.name)")
            }
            if let tag = field.tag, fields.contains(where: { $0.tag == tag }) {
                throw error(line.number, "duplicate tag \(tag)")
            }
            field.line = line.number
            fields.append(field)
        }
        return fields
    }

    private mutating func checkStructName(_ name: String, line: Int) throws {
        let reserved: Set<String> = [
            "String", "Data", "Type", "Error", "Result", "Set", "Array", "Never", "Protocol", "Self", "Int", "Bool",
            "Double", "Optional", "Dictionary", "Any", "ByteBuffer", "KafkaUUID", "TaggedField", "Response", "Element",
        ]
        guard !reserved.contains(name) else { throw error(line, "structure name \(name) clashes with a Swift name") }
        guard name.first?.isUppercase == true else { throw error(line, "structure names are PascalCase") }
        guard structNames.insert(name).inserted else { throw error(line, "structure \(name) is defined twice") }
    }
}
typealias SchemaLine = SchemaParser.Line
