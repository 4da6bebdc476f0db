// Codec throughput: how fast each batch codec compresses and decompresses records that look
// like what producers send (short JSON events), so the README can set our numbers beside the
// `lz4 -b` and `zstd -b` CLI figures measured on the same machine.
//
// Method: build `megabytes` MiB of ~100-byte JSON-like records from a fixed seed, then for
// each codec and level time `rounds` compressions and `rounds` decompressions of the whole
// buffer and keep the best of each, which filters out noise from other work on a shared box.
// MB/s counts uncompressed bytes in millions, as the lz4 and zstd CLIs do.

import TernCompression

/// One codec setting to measure.
private struct CodecBenchCase {
    let label: String
    let codec: any BatchCodec
    let level: Int?
}

/// Measures every codec over `megabytes` MiB of JSON-like records and returns one report line
/// per codec setting, preceded by a header line.
///
/// A codec that fails or does not round-trip gets a line saying so instead of numbers, so a
/// broken codec cannot hide behind a fast time.
func runCodecBench(megabytes: Int = 1, rounds: Int = 5) -> [String] {
    let input = makeBenchRecords(bytes: max(1, megabytes) * 1024 * 1024)
    let codecs = CompressionCodecs()
    let cases = [
        CodecBenchCase(label: "gzip", codec: codecs.gzip, level: 1),
        CodecBenchCase(label: "gzip", codec: codecs.gzip, level: 6),
        CodecBenchCase(label: "snappy", codec: codecs.snappy, level: nil),
        CodecBenchCase(label: "lz4", codec: codecs.lz4, level: 1),
        CodecBenchCase(label: "lz4", codec: codecs.lz4, level: 9),
        CodecBenchCase(label: "zstd", codec: codecs.zstd, level: 1),
        CodecBenchCase(label: "zstd", codec: codecs.zstd, level: 3),
    ]
    var lines = [
        "codec bench: \(input.count) bytes of JSON-like records, best of \(max(1, rounds))",
        pad("codec", 8) + pad("level", 7) + pad("ratio", 8) + pad("compress MB/s", 15) + "decompress MB/s",
    ]
    for benchCase in cases {
        lines.append(measure(benchCase, input: input, rounds: max(1, rounds)))
    }
    return lines
}

/// Times one codec setting and formats its report line.
private func measure(_ benchCase: CodecBenchCase, input: [UInt8], rounds: Int) -> String {
    let levelText = benchCase.level.map(String.init) ?? "-"
    let prefix = pad(benchCase.label, 8) + pad(levelText, 7)
    do throws(CompressionError) {
        var compressed: [UInt8] = []
        let compressTime = try bestTime(rounds) { () throws(CompressionError) in
            compressed = try benchCase.codec.compress(input, level: benchCase.level)
        }
        var restored: [UInt8] = []
        let decompressTime = try bestTime(rounds) { () throws(CompressionError) in
            restored = try benchCase.codec.decompress(compressed, limit: input.count)
        }
        guard restored == input else { return prefix + "ROUND TRIP MISMATCH" }
        let ratio = Double(input.count) / Double(max(1, compressed.count))
        return prefix + pad(format(ratio, decimals: 2), 8)
            + pad(format(megabytesPerSecond(input.count, compressTime), decimals: 0), 15)
            + format(megabytesPerSecond(input.count, decompressTime), decimals: 0)
    } catch {
        return prefix + "FAILED: \(error)"
    }
}

/// The shortest of `rounds` timed runs of `body`.
private func bestTime(
    _ rounds: Int, _ body: () throws(CompressionError) -> Void
) throws(CompressionError) -> Duration {
    let clock = ContinuousClock()
    var best = Duration.seconds(Int64.max)
    for _ in 0..<rounds {
        let start = clock.now
        try body()
        best = min(best, clock.now - start)
    }
    return best
}

/// Millions of bytes per second.
private func megabytesPerSecond(_ bytes: Int, _ duration: Duration) -> Double {
    let seconds = Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
    return seconds > 0 ? Double(bytes) / seconds / 1e6 : 0
}

/// `bytes` bytes of newline-separated JSON events of about 100 bytes each.
///
/// Fields repeat the way real event streams do (a few event names, paths and user ids
/// drawn from small pools) while ids and timestamps change, so the data compresses roughly
/// like production topics rather than like zeros or noise. A fixed-seed generator keeps
/// runs comparable.
func makeBenchRecords(bytes: Int) -> [UInt8] {
    let events = ["click", "view", "purchase", "scroll", "login", "logout"]
    let regions = ["eu-west", "us-east", "ap-south"]
    var state: UInt64 = 0x9E37_79B9_7F4A_7C15
    func next(_ bound: UInt64) -> UInt64 {
        // SplitMix64: small, fast and fixed, which is all a benchmark input needs.
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return (z ^ (z >> 31)) % bound
    }
    var output: [UInt8] = []
    output.reserveCapacity(bytes + 128)
    var id: UInt64 = 1_000_000
    var timestamp: UInt64 = 1_700_000_000_000
    while output.count < bytes {
        id += 1
        timestamp += next(50)
        let event = events[Int(next(UInt64(events.count)))]
        let region = regions[Int(next(UInt64(regions.count)))]
        let line =
            #"{"id":\#(id),"ts":\#(timestamp),"user":"u\#(next(5000))","event":"\#(event)","#
            + #""region":"\#(region)","path":"/item/\#(next(900))","ok":\#(next(10) > 0)}"# + "\n"
        output.append(contentsOf: line.utf8)
    }
    return Array(output.prefix(bytes))
}

/// `text` padded with spaces to `width` columns.
private func pad(_ text: String, _ width: Int) -> String {
    text.count >= width ? text + " " : text + String(repeating: " ", count: width - text.count)
}

/// `value` rounded to `decimals` places, without Foundation's formatters.
private func format(_ value: Double, decimals: Int) -> String {
    var scale = 1.0
    for _ in 0..<decimals { scale *= 10 }
    let scaled = (value * scale).rounded()
    guard decimals > 0 else { return String(Int(scaled)) }
    let whole = Int(scaled / scale)
    let fraction = Int(scaled) - whole * Int(scale)
    let digits = String(fraction)
    return "\(whole)." + String(repeating: "0", count: max(0, decimals - digits.count)) + digits
}
