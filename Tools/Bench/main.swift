// tern-bench: the benchmarks whose figures the README quotes.
//
//   tern-bench              every benchmark
//   tern-bench batches      record-batch view + CRC32C against memcpy
//   tern-bench codecs       each codec's compress/decompress throughput

let arguments = CommandLine.arguments.dropFirst()
let selected = Set(arguments.isEmpty ? ["batches", "codecs"] : arguments)
let known: Set<String> = ["batches", "codecs"]
for name in selected.subtracting(known) {
    print("tern-bench: unknown benchmark \(name); known: \(known.sorted().joined(separator: ", "))")
}
if selected.contains("batches") {
    for line in runBatchBench() { print(line) }
    print()
}
if selected.contains("codecs") {
    for line in runCodecBench(megabytes: 1) { print(line) }
}
