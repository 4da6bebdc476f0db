// The Swift statements that read, write and sample one field.

/// When a field may be null, relative to the versions it exists in.
enum Nullability {
    case never
    case always
    case when(String)
}

struct FieldCode {
    let api: ApiDef
    /// Qualified Swift names of every structure in the message being generated.
    let qualifiedNames: [String: String]

    // MARK: Conditions

    /// The condition under which `range` holds, relative to the API's versions; nil = always.
    func condition(_ range: VersionRange, within outer: VersionRange? = nil) -> String? {
        let bounds = outer ?? api.versions
        let effective = range.intersection(bounds)
        var parts: [String] = []
        if effective.low > bounds.low { parts.append("version >= \(effective.low)") }
        if effective.high < bounds.high { parts.append("version <= \(effective.high)") }
        return parts.isEmpty ? nil : parts.joined(separator: " && ")
    }

    func nullability(_ field: Field) -> Nullability {
        let effective = field.versions.intersection(api.versions)
        let nullable = field.nullable.intersection(effective)
        if nullable.isEmpty { return .never }
        if nullable == effective { return .always }
        return .when(condition(nullable, within: effective) ?? "true")
    }

    // MARK: Types and defaults

    func elementType(_ element: ElementType) -> String {
        switch element {
        case let .primitive(primitive): primitive.swiftType
        case let .structure(name): qualifiedNames[name] ?? name
        }
    }

    func swiftType(_ field: Field) -> String {
        let base = elementType(field.type.element)
        let type = field.type.isArray ? "[\(base)]" : base
        return field.isOptional ? type + "?" : type
    }

    func defaultExpression(_ field: Field) -> String {
        if let value = field.defaultValue {
            switch value {
            case .null: return "nil"
            case let .integer(number): return "\(number)"
            case let .boolean(flag): return "\(flag)"
            case let .string(text): return Naming.literal(text)
            }
        }
        switch field.type {
        case .array: return "[]"
        case let .single(.structure(name)): return field.isOptional ? "nil" : "\(qualifiedNames[name] ?? name)()"
        case let .single(.primitive(primitive)):
            switch primitive {
            case .bool: return "false"
            case .string: return "\"\""
            case .bytes: return "[]"
            case .records: return field.isOptional ? "nil" : "ByteBuffer()"
            case .uuid: return ".zero"
            default: return "0"
            }
        }
    }

    // MARK: Reading

    private func readPrimitive(_ primitive: Primitive, buffer: String, compact: String, nullable: Bool) -> String {
        if let integer = primitive.swiftInteger { return "try \(buffer).readKafkaInteger(as: \(integer).self)" }
        switch primitive {
        case .bool: return "try \(buffer).readKafkaBool()"
        case .float64: return "try \(buffer).readKafkaFloat64()"
        case .uuid: return "try \(buffer).readKafkaUUID()"
        case .string: return "try \(buffer).readKafka\(nullable ? "Nullable" : "")String(compact: \(compact))"
        case .bytes: return "try \(buffer).readKafka\(nullable ? "Nullable" : "")Bytes(compact: \(compact))"
        case .records: return "try \(buffer).readKafka\(nullable ? "Nullable" : "")Records(compact: \(compact))"
        default: preconditionFailure("unreachable")
        }
    }

    private func readElement(_ element: ElementType, buffer: String, compact: String) -> String {
        switch element {
        case let .primitive(primitive): readPrimitive(primitive, buffer: buffer, compact: compact, nullable: false)
        case let .structure(name): "try \(qualifiedNames[name] ?? name)(from: &\(buffer), version: version)"
        }
    }

    /// Chooses between the nullable and non-nullable forms of a read.
    private func choose(_ nullability: Nullability, nullable: [String], nonNull: [String]) -> [String] {
        switch nullability {
        case .never: nonNull
        case .always: nullable
        case let .when(condition): ["if \(condition) {"] + indent(nullable) + ["} else {"] + indent(nonNull) + ["}"]
        }
    }

    func readStatements(_ field: Field, target: String, buffer: String, compact: String) -> [String] {
        let nullability = nullability(field)
        switch field.type {
        case let .single(.primitive(primitive)) where primitive.isNullableKind:
            return choose(
                nullability,
                nullable: ["\(target) = " + readPrimitive(primitive, buffer: buffer, compact: compact, nullable: true)],
                nonNull: ["\(target) = " + readPrimitive(primitive, buffer: buffer, compact: compact, nullable: false)]
            )
        case let .single(element):
            let read = "\(target) = " + readElement(element, buffer: buffer, compact: compact)
            return choose(
                nullability,
                nullable: ["if try \(buffer).readKafkaInteger(as: Int8.self) < 0 {", "    \(target) = nil", "} else {", "    " + read, "}"],
                nonNull: [read]
            )
        case let .array(element):
            let minimum: Int
            if case let .primitive(primitive) = element { minimum = primitive.minimumSize(compact: true) } else { minimum = 1 }
            let nullBranch: [String]
            switch nullability {
            case .never: nullBranch = ["throw DecodeError.invalidLength(-1, context: \(Naming.literal(field.name)))"]
            case .always: nullBranch = ["\(target) = nil"]
            case let .when(condition):
                nullBranch = [
                    "guard \(condition) else { throw DecodeError.invalidLength(-1, context: \(Naming.literal(field.name))) }",
                    "\(target) = nil",
                ]
            }
            return [
                "if let count = try \(buffer).readKafkaArrayCount(compact: \(compact), minElementSize: \(minimum)) {",
                "    var items: [\(elementType(element))] = []",
                "    items.reserveCapacity(count)",
                "    for _ in 0..<count {",
                "        items.append(\(readElement(element, buffer: buffer, compact: compact)))",
                "    }",
                "    \(target) = items",
                "} else {",
            ] + indent(nullBranch) + ["}"]
        }
    }

    // MARK: Writing

    private func writeElement(_ element: ElementType, value: String, buffer: String, compact: String, field: String) -> [String] {
        switch element {
        case .structure: return ["try \(value).encode(into: &\(buffer), version: version)"]
        case let .primitive(primitive):
            if primitive.swiftInteger != nil { return ["\(buffer).writeKafkaInteger(\(value))"] }
            switch primitive {
            case .bool: return ["\(buffer).writeKafkaBool(\(value))"]
            case .float64: return ["\(buffer).writeKafkaFloat64(\(value))"]
            case .uuid: return ["\(buffer).writeKafkaUUID(\(value))"]
            case .string: return ["try \(buffer).writeKafkaString(\(value), compact: \(compact), field: \(Naming.literal(field)))"]
            case .bytes: return ["\(buffer).writeKafkaBytes(\(value), compact: \(compact))"]
            case .records: return ["\(buffer).writeKafkaRecords(\(value), compact: \(compact))"]
            default: preconditionFailure("unreachable")
            }
        }
    }

    /// Statements that write a present (non-nil) value of the field.
    private func writePresent(_ field: Field, value: String, buffer: String, compact: String) -> [String] {
        switch field.type {
        case let .single(element):
            let write = writeElement(element, value: value, buffer: buffer, compact: compact, field: field.name)
            if case .structure = element, field.isOptional {
                return ["\(buffer).writeKafkaInteger(Int8(1))"] + write
            }
            return write
        case let .array(element):
            return [
                "\(buffer).writeKafkaArrayCount(\(value).count, compact: \(compact))",
                "for item in \(value) {",
            ] + indent(writeElement(element, value: "item", buffer: buffer, compact: compact, field: field.name)) + ["}"]
        }
    }

    private func writeNull(_ field: Field, buffer: String, compact: String) -> String {
        switch field.type {
        case .array: "\(buffer).writeKafkaArrayCount(nil, compact: \(compact))"
        case .single(.structure): "\(buffer).writeKafkaInteger(Int8(-1))"
        case .single(.primitive(.string)): "try \(buffer).writeKafkaNullableString(nil, compact: \(compact), field: \(Naming.literal(field.name)))"
        case .single(.primitive(.bytes)): "\(buffer).writeKafkaNullableBytes(nil, compact: \(compact))"
        case .single(.primitive): "\(buffer).writeKafkaNullableRecords(nil, compact: \(compact))"
        }
    }

    func writeStatements(_ field: Field, value: String, buffer: String, compact: String) -> [String] {
        guard field.isOptional else { return writePresent(field, value: value, buffer: buffer, compact: compact) }
        let present = ["if let value = \(value) {"] + indent(writePresent(field, value: "value", buffer: buffer, compact: compact))
        let fail = "throw EncodeError.nullNotAllowed(field: \(Naming.literal(field.name)), version: version)"
        switch nullability(field) {
        case .never: return present + ["} else {", "    " + fail, "}"]
        case .always: return present + ["} else {", "    " + writeNull(field, buffer: buffer, compact: compact), "}"]
        case let .when(condition):
            return present + ["} else if \(condition) {", "    " + writeNull(field, buffer: buffer, compact: compact), "} else {", "    " + fail, "}"]
        }
    }

    func indent(_ lines: [String]) -> [String] {
        lines.map { "    " + $0 }
    }
}
