import Foundation

// Field lines: `<Name> <type> <versions> [nullable=<versions>] [tag=<n>] [default=<value>]`.

extension SchemaParser {
    func parseField(_ line: SchemaLine, api: ApiDef) throws -> Field {
        let words = line.words
        guard words.count >= 3 else {
            throw SchemaError(file: file, line: line.number, message: "expected: <Name> <type> <versions> [options]")
        }
        let fail = { (message: String) in SchemaError(file: file, line: line.number, message: message) }
        let name = words[0]
        guard name.first?.isUppercase == true, name.allSatisfy({ $0.isLetter || $0.isNumber }) else {
            throw fail("field names are PascalCase letters and digits: \(name)")
        }
        let type = try parseType(words[1], fail: fail)
        guard let versions = parseVersions(words[2]) else { throw fail("bad versions \(words[2])") }
        guard !versions.intersection(api.versions).isEmpty else {
            throw fail("field \(name) exists in no supported version (\(versions), api \(api.versions))")
        }
        var field = Field(name: name, type: type, versions: versions, nullable: .none, tag: nil, defaultValue: nil, line: line.number)
        for option in words.dropFirst(3) {
            if option.hasPrefix("nullable=") {
                guard let range = parseVersions(String(option.dropFirst(9))) else { throw fail("bad nullable range") }
                field.nullable = range
            } else if option.hasPrefix("tag=") {
                guard let tag = UInt32(option.dropFirst(4)) else { throw fail("bad tag") }
                field.tag = tag
            } else if option.hasPrefix("default=") {
                field.defaultValue = try parseDefault(String(option.dropFirst(8)), fail: fail)
            } else {
                throw fail("unknown option \(option)")
            }
        }
        try validate(field, api: api, fail: fail)
        return field
    }

    private func parseType(_ text: String, fail: (String) -> SchemaError) throws -> FieldType {
        if text.hasPrefix("[") {
            guard text.hasSuffix("]"), text.count > 2 else { throw fail("bad array type \(text)") }
            return .array(try parseElement(String(text.dropFirst().dropLast()), fail: fail))
        }
        return .single(try parseElement(text, fail: fail))
    }

    private func parseElement(_ text: String, fail: (String) -> SchemaError) throws -> ElementType {
        if let primitive = Primitive(rawValue: text) { return .primitive(primitive) }
        guard text.first?.isUppercase == true, text.allSatisfy({ $0.isLetter || $0.isNumber }) else {
            throw fail("unknown type \(text)")
        }
        return .structure(text)
    }

    func parseVersions(_ text: String) -> VersionRange? {
        guard text.hasPrefix("v") else { return nil }
        let body = text.dropFirst()
        if body.hasSuffix("+") {
            return Int16(body.dropLast()).map { VersionRange(low: $0, high: .max) }
        }
        let parts = body.split(separator: "-", omittingEmptySubsequences: false)
        if parts.count == 1, let only = Int16(parts[0]) { return VersionRange(low: only, high: only) }
        guard parts.count == 2, let low = Int16(parts[0]), let high = Int16(parts[1]), low <= high else { return nil }
        return VersionRange(low: low, high: high)
    }

    private func parseDefault(_ text: String, fail: (String) -> SchemaError) throws -> DefaultValue {
        switch text {
        case "true": return .boolean(true)
        case "false": return .boolean(false)
        case "null": return .null
        default:
            if text.hasPrefix("\"") {
                guard text.count >= 2, text.hasSuffix("\"") else { throw fail("unterminated string default") }
                return .string(String(text.dropFirst().dropLast()))
            }
            if let number = Int64(text) { return .integer(number) }
            if text.hasPrefix("0x"), let number = Int64(text.dropFirst(2), radix: 16) { return .integer(number) }
            throw fail("bad default \(text)")
        }
    }

    private func validate(_ field: Field, api: ApiDef, fail: (String) -> SchemaError) throws {
        let effective = field.versions.intersection(api.versions)
        if !field.nullable.isEmpty {
            let nullableKind: Bool
            switch field.type {
            case .array: nullableKind = true
            case let .single(.primitive(primitive)): nullableKind = primitive.isNullableKind
            case .single(.structure): nullableKind = true
            }
            guard nullableKind else { throw fail("\(field.name): only strings, bytes, records, arrays and structures are nullable") }
        }
        if field.tag != nil {
            guard let first = api.firstFlexibleVersion, effective.low >= first else {
                throw fail("\(field.name): tagged fields exist only in flexible versions")
            }
        }
        switch (field.defaultValue, field.type) {
        case (nil, _): break
        case (.null?, _):
            guard field.isOptional else { throw fail("\(field.name): default=null needs a nullable field") }
        case (.integer?, .single(.primitive(let primitive))):
            guard primitive.swiftInteger != nil || primitive == .float64 else { throw fail("\(field.name): integer default on \(primitive)") }
        case (.boolean?, .single(.primitive(.bool))): break
        case (.string?, .single(.primitive(.string))): break
        default: throw fail("\(field.name): default does not fit the type")
        }
    }
}
