// tern-bench: the benchmarks whose figures the README quotes.
//
//   tern-bench              every benchmark
//   tern-bench batches      record-batch view + CRC32C against memcpy
//   tern-bench codecs       each codec's compress/decompress throughput
//   tern-bench requests     Produce, Fetch and Metadata through the broker's request handler,
//                           without sockets: the broker's own work per request
//   tern-bench logstore [DIR [GB [STEPS]]]
//                           the log store: appends (page cache and fsync-before-ack), reads,
//                           recovery after a crash, memory of 10,000 open partitions; writes
//                           GB (default 1) under DIR (default .build-bench); STEPS picks some
//                           of partitions,raw,flush,append,produce,unaligned,flush8,fsync,fsyncpairs,recovery (default all); not in
//                           the default run
//   tern-bench sample FILE  write the codec benchmark's input to FILE, so the lz4 and zstd
//                           CLIs (`lz4 -b1 FILE`, `zstd -b1 FILE`) can be run on the same bytes

import Foundation

let arguments = CommandLine.arguments.dropFirst()
if arguments.first == "sample", let path = arguments.dropFirst().first {
    let bytes = makeBenchRecords(bytes: 1024 * 1024)
    guard FileManager.default.createFile(atPath: path, contents: Data(bytes)) else {
        print("tern-bench: cannot write \(path)")
        exit(1)
    }
    print("wrote \(bytes.count) bytes to \(path)")
    exit(0)
}
if arguments.first == "logstore" {
    let directory = arguments.dropFirst().first ?? ".build-bench/logstore"
    let gigabytes = arguments.dropFirst(2).first.flatMap(Double.init) ?? 1
    var steps = Set(LogStoreBenchStep.allCases)
    if let names = arguments.dropFirst(3).first {
        steps = []
        for name in names.split(separator: ",") {
            guard let step = LogStoreBenchStep(rawValue: String(name)) else {
                print("tern-bench: unknown logstore step \(name); known: \(LogStoreBenchStep.allCases.map(\.rawValue).joined(separator: ", "))")
                exit(1)
            }
            steps.insert(step)
        }
    }
    for line in await runLogStoreBench(directory: directory, gigabytes: gigabytes, steps: steps) { print(line) }
    exit(0)
}
let selected = Set(arguments.isEmpty ? ["batches", "codecs", "requests"] : arguments)
let known: Set<String> = ["batches", "codecs", "requests"]
for name in selected.subtracting(known) {
    print("tern-bench: unknown benchmark \(name); known: \(known.sorted().joined(separator: ", "))")
}
if selected.contains("batches") {
    for line in runBatchBench() { print(line) }
    print()
}
if selected.contains("codecs") {
    for line in runCodecBench(megabytes: 1) { print(line) }
    print()
}
if selected.contains("requests") {
    for line in await runRequestBench() { print(line) }
}
