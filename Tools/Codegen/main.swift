// tern-codegen: reads Modules/Protocol/Schema/*.schema and writes the Swift codecs.
//
//   tern-codegen              regenerate the committed output
//   tern-codegen --check      exit 1 when the committed output differs from a fresh run
//   tern-codegen --validate   parse and check the schemas only
//   --root PATH               the package root (default: the current directory)

import Foundation

struct Output {
    var path: String
    var text: String
}

func loadSchemas(root: String) throws -> [ApiDef] {
    let directory = root + "/Modules/Protocol/Schema"
    let names = try FileManager.default.contentsOfDirectory(atPath: directory)
        .filter { $0.hasSuffix(".schema") }
        .sorted()
    var apis: [ApiDef] = []
    var errors: [String] = []
    for name in names {
        let text = try String(contentsOfFile: directory + "/" + name, encoding: .utf8)
        var parser = SchemaParser(file: "Modules/Protocol/Schema/" + name)
        do {
            apis.append(try parser.parse(text))
        } catch {
            errors.append("\(error)")
        }
    }
    var seen: [Int16: String] = [:]
    for api in apis {
        if let other = seen[api.key] { errors.append("\(api.sourceFile): key \(api.key) is also used by \(other)") }
        seen[api.key] = api.sourceFile
    }
    guard errors.isEmpty else {
        throw SchemaError(file: "schemas", line: 0, message: "\n" + errors.joined(separator: "\n"))
    }
    return apis.sorted { $0.key < $1.key }
}

func outputs(for apis: [ApiDef]) -> [Output] {
    var files = apis.map { api in
        Output(path: "Modules/Protocol/Generated/\(api.name)Messages.swift", text: MessageEmitter(api: api).emitFile())
    }
    files.append(Output(path: "Modules/Protocol/Generated/ApiKey+Generated.swift", text: ApiTableEmitter(apis: apis).emitFile()))
    files.append(Output(path: "Tests/ProtocolTests/Generated/Samples+Generated.swift", text: SampleEmitter(apis: apis).emitFile()))
    return files
}

var arguments = Array(CommandLine.arguments.dropFirst())
var root = FileManager.default.currentDirectoryPath
if let index = arguments.firstIndex(of: "--root"), index + 1 < arguments.count {
    root = arguments[index + 1]
    arguments.removeSubrange(index...(index + 1))
}
let mode = arguments.first ?? "--write"

do {
    let apis = try loadSchemas(root: root)
    let files = outputs(for: apis)
    switch mode {
    case "--validate":
        print("\(apis.count) schemas are valid")
    case "--check":
        var stale: [String] = []
        for file in files {
            let current = try? String(contentsOfFile: root + "/" + file.path, encoding: .utf8)
            if current != file.text { stale.append(file.path) }
        }
        let generated = Set(files.map(\.path))
        for directory in ["Modules/Protocol/Generated", "Tests/ProtocolTests/Generated"] {
            let present = (try? FileManager.default.contentsOfDirectory(atPath: root + "/" + directory)) ?? []
            for name in present where !generated.contains(directory + "/" + name) { stale.append(directory + "/" + name + " (not generated)") }
        }
        if stale.isEmpty {
            print("generated code is up to date (\(files.count) files)")
        } else {
            print("generated code is stale; run `swift run tern-codegen`:")
            for path in stale { print("  " + path) }
            exit(1)
        }
    case "--write":
        for directory in ["Modules/Protocol/Generated", "Tests/ProtocolTests/Generated"] {
            let path = root + "/" + directory
            try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
            for name in try FileManager.default.contentsOfDirectory(atPath: path) where name.hasSuffix(".swift") {
                try FileManager.default.removeItem(atPath: path + "/" + name)
            }
        }
        for file in files {
            try file.text.write(toFile: root + "/" + file.path, atomically: true, encoding: .utf8)
        }
        print("wrote \(files.count) files for \(apis.count) APIs")
    default:
        print("usage: tern-codegen [--write | --check | --validate] [--root PATH]")
        exit(2)
    }
} catch {
    FileHandle.standardError.write(Data("tern-codegen: \(error)\n".utf8))
    exit(1)
}
