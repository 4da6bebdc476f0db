// tern-log-crash-child DIRECTORY SEED RUN [APPENDERS [fsync|flush]]
//
// The process the crash test kills. It opens a SegmentedLogStore over DIRECTORY (recovering
// whatever the previous, killed run left), then has APPENDERS concurrent tasks append
// generated batches until it is killed, so that group commit and segment rolls are in
// flight when SIGKILL lands. Appends use fsyncBeforeAcknowledge, or with `flush` Kafka's
// default flush policy, where an acknowledged batch is only in the page cache: that still
// survives the death of the process, which is all a SIGKILL tests. After the open it prints
// `ready <logStart> <logEnd>`, then for every batch whose append returned
// `ack <first> <last> <crc> <id>`, each line with a single write(2), so a kill can never
// leave a line that looks whole but is not.
// Appending stops by itself after `runDuration` or `batchesPerAppenderMax`, whichever
// comes first, and the store is then closed cleanly.

#if canImport(Glibc)
import Glibc
#endif
import NIOCore
import Synchronization
import TernLogStore
import TernPrimitives
import TernProtocol

let runDuration = Duration.seconds(60)
let batchesPerAppenderMax = 1_000_000
let arguments = Array(CommandLine.arguments.dropFirst())
guard arguments.count >= 3, let seed = UInt64(arguments[1]), let run = Int(arguments[2]),
      let appenders = Int(arguments.count > 3 ? arguments[3] : "4"), (1...64).contains(appenders),
      ["fsync", "flush"].contains(arguments.count > 4 ? arguments[4] : "fsync")
else {
    writeLine("usage: tern-log-crash-child DIRECTORY SEED RUN [APPENDERS 1...64 [fsync|flush]]", to: STDERR_FILENO)
    exit(64)
}

let mode = arguments.count > 4 ? arguments[4] : "fsync"

/// The config the crash test reopens with: small segments so kills land around rolls, and
/// dense indexes so a damaged index would show.
var config = LogConfig()
config.durability = mode == "fsync" ? .fsyncBeforeAcknowledge : .flushPolicy(messages: nil, interval: nil)
config.segmentBytes = 32 * 1024
config.indexIntervalBytes = 512
let partition = TopicPartition(topic: "crash", partition: 0)

do {
    let store = try SegmentedLogStore(directory: arguments[0])
    let log = try await store.openLog(partition, config: config)
    let bounds = await log.offsets()
    writeLine("ready \(bounds.logStartOffset) \(bounds.logEndOffset)", to: STDOUT_FILENO)
    let deadline = ContinuousClock.now + runDuration
    try await withThrowingTaskGroup(of: Void.self) { group in
        for appender in 0..<appenders {
            group.addTask {
                try await appendUntilStopped(log, appender: appender, deadline: deadline)
            }
        }
        try await group.waitForAll()
    }
    try await store.close()
} catch {
    writeLine("crash child failed: \(error)", to: STDERR_FILENO)
    exit(1)
}

/// Appends 1 to 3 batches at a time, so single- and multi-batch appends both get killed.
func appendUntilStopped(_ log: any PartitionLog, appender: Int, deadline: ContinuousClock.Instant) async throws {
    var random = SeededRandom(seed: seed ^ UInt64(run) << 8 ^ UInt64(appender))
    var index = 0
    while index < batchesPerAppenderMax, ContinuousClock.now < deadline {
        var request = ByteBuffer()
        var sent: [(id: UInt64, header: RecordBatchHeader)] = []
        for _ in 0...(random.next() % 3) {
            let id = crashBatchID(run: run, appender: appender, index: index)
            var batch = try crashBatch(seed: seed, id: id)
            sent.append((id, try RecordBatchHeader(decoding: batch, at: batch.readerIndex)))
            request.writeBuffer(&batch)
            index += 1
        }
        let info = try await log.append(LogAppend(batches: request, origin: .leader(epoch: Int32(run), logAppendTime: nil)))
        var lines = ""
        var first = info.firstOffset
        for (id, header) in sent {
            let last = first + Int64(header.lastOffsetDelta)
            lines += "ack \(first) \(last) \(header.crc) \(id)\n"
            first = last + 1
        }
        writeText(lines, to: STDOUT_FILENO)
    }
}

func writeLine(_ line: String, to descriptor: Int32) {
    writeText(line + "\n", to: descriptor)
}

/// Writes all of `text`; the test reads only whole lines, so a short write's remainder is
/// written after it. Gives up after a bounded number of attempts rather than spin.
func writeText(_ text: String, to descriptor: Int32) {
    outputLock.withLock { _ in
        var bytes = Array(text.utf8)
        var attempts = 0
        while !bytes.isEmpty, attempts < 1000 {
            attempts += 1
            let written = bytes.withUnsafeBytes { write(descriptor, $0.baseAddress, $0.count) }
            if written > 0 { bytes.removeFirst(written) } else if written < 0, errno != EINTR { return }
        }
    }
}

// Keeps the ack lines of concurrent appenders from interleaving within a line.
let outputLock = Mutex(())
