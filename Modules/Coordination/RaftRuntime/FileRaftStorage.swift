#if canImport(Glibc)
import Glibc
#endif
import NIOCore
import TernProtocol

// A node's durable state in one directory:
//
//   raft.log   append-only records (`RaftLogRecord`): hard state, entries, truncations
//   snapshot   the latest snapshot: magic "RSNP" u32, version u8, index u64, term u64,
//              length u64, crc32c u32 of the data, data
//
// A batch of requests becomes one append and one fdatasync. A request that stores a snapshot
// is the exception, because its parts live in two files: the log is first synced with any
// truncation the request makes (so a crash never leaves a stale tail after the new snapshot),
// then the snapshot is written to a temporary file, synced, renamed into place and the
// directory synced, and finally the log is rewritten without the prefix the snapshot covers
// (the same temp-sync-rename dance). A crash between the two renames leaves the old log beside
// the new snapshot; recovery skips entries the snapshot covers, so that state is still valid.
//
// All file work runs on one `BlockingIOThread`, never on the cooperative pool.

/// Raft storage in files under one directory.
public final class FileRaftStorage: RaftStorage {
    private let thread: BlockingIOThread
    private let files: RaftFiles

    /// Storage in `directory`, created if missing. `limits` bounds what recovery accepts as
    /// one record, and must match the node's.
    public init(directory: String, limits: RaftLimits = RaftLimits()) {
        thread = BlockingIOThread(name: "raft-storage")
        files = RaftFiles(directory: directory, limits: limits)
    }

    public func load() async throws(RaftStorageError) -> DurableState {
        let files = self.files
        return try await thread.run { () throws(RaftStorageError) -> DurableState in try files.load() }
    }

    public func persist(_ requests: [PersistRequest]) async throws(RaftStorageError) {
        let files = self.files
        try await thread.run { () throws(RaftStorageError) in try files.persist(requests) }
    }

    public func close() async {
        let files = self.files
        _ = try? await thread.run { () throws(RaftStorageError) in files.close() }
        thread.stop()
    }

    deinit {
        thread.stop()
    }
}

/// The open files and the mirror of what they hold.
// @unchecked Sendable: only touched from the storage's `BlockingIOThread`, one job at a time.
final class RaftFiles: @unchecked Sendable {
    let directory: String
    let limits: RaftLimits
    private var logDescriptor: Int32 = -1
    /// What the files hold, kept to rewrite the log when a snapshot compacts it.
    private var durable = DurableState.empty
    private var closed = false

    static let snapshotMagic: UInt32 = 0x5253_4E50  // "RSNP"
    static let snapshotVersion: UInt8 = 1

    var logPath: String { directory + "/raft.log" }
    var snapshotPath: String { directory + "/snapshot" }

    init(directory: String, limits: RaftLimits) {
        self.directory = directory
        self.limits = limits
    }

    func load() throws(RaftStorageError) -> DurableState {
        guard !closed else { throw .closed }
        try RaftFileIO.converting { () throws(CoordinationStorageError) in try MetadataFileIO.createDirectory(directory) }
        var state = DurableState(hardState: .initial, snapshot: try readSnapshot(), entries: [])
        if logDescriptor >= 0 { _ = Glibc.close(logDescriptor) }
        logDescriptor = try RaftFileIO.open(logPath, flags: O_RDWR | O_CREAT | O_APPEND)
        let bytes = try RaftFileIO.readAll(logDescriptor, path: logPath)
        let (records, validBytes) = RaftLogRecord.scan(bytes, limits: limits)
        if validBytes < bytes.readableBytes {
            // A torn final write: keep the prefix that checks out, durably, before appending.
            try RaftFileIO.truncate(logDescriptor, to: validBytes, path: logPath)
            try RaftFileIO.sync(logDescriptor, path: logPath)
        }
        try state.replay(records, path: logPath)
        durable = state
        return state
    }

    func persist(_ requests: [PersistRequest]) throws(RaftStorageError) {
        guard !closed, logDescriptor >= 0 else { throw .closed }
        var pending = ByteBuffer()
        for request in requests {
            if let write = request.log, write.from <= durable.storedLastIndex {
                RaftLogRecord.truncate(from: write.from).encode(into: &pending)
            }
            if let snapshot = request.snapshot {
                try append(&pending)
                try writeSnapshot(snapshot)
                try durable.land(request, path: logPath)
                try rewriteLog()
                continue
            }
            if let hardState = request.hardState {
                RaftLogRecord.hardState(hardState).encode(into: &pending)
            }
            for entry in request.log?.entries ?? [] {
                RaftLogRecord.entry(entry).encode(into: &pending)
            }
            try durable.land(request, path: logPath)
        }
        try append(&pending)
    }

    func close() {
        closed = true
        if logDescriptor >= 0 { _ = Glibc.close(logDescriptor) }
        logDescriptor = -1
    }

    /// Appends and syncs what `pending` holds, then empties it.
    private func append(_ pending: inout ByteBuffer) throws(RaftStorageError) {
        guard pending.readableBytes > 0 else { return }
        try RaftFileIO.writeAll(logDescriptor, pending, path: logPath)
        try RaftFileIO.sync(logDescriptor, path: logPath)
        pending.clear()
    }

    /// Replaces the log with the hard state and the entries after the snapshot.
    private func rewriteLog() throws(RaftStorageError) {
        var buffer = ByteBuffer()
        RaftLogRecord.hardState(durable.hardState).encode(into: &buffer)
        for entry in durable.entries { RaftLogRecord.entry(entry).encode(into: &buffer) }
        let bytes = Array(buffer.readableBytesView)
        let path = logPath
        try RaftFileIO.converting { () throws(CoordinationStorageError) in try MetadataFileIO.replace(path, with: bytes) }
        _ = Glibc.close(logDescriptor)
        logDescriptor = try RaftFileIO.open(logPath, flags: O_RDWR | O_CREAT | O_APPEND)
    }

    private func writeSnapshot(_ snapshot: Snapshot) throws(RaftStorageError) {
        var buffer = ByteBuffer()
        buffer.writeInteger(Self.snapshotMagic)
        buffer.writeInteger(Self.snapshotVersion)
        buffer.writeInteger(snapshot.index.rawValue)
        buffer.writeInteger(snapshot.term.rawValue)
        buffer.writeInteger(UInt64(snapshot.data.count))
        buffer.writeInteger(CRC32C.checksum(snapshot.data))
        buffer.writeBytes(snapshot.data)
        let bytes = Array(buffer.readableBytesView)
        let path = snapshotPath
        try RaftFileIO.converting { () throws(CoordinationStorageError) in try MetadataFileIO.replace(path, with: bytes) }
    }

    /// The stored snapshot. It is only ever renamed into place whole, so a bad one is
    /// corruption, not a torn write, and refuses to start rather than lose committed state.
    private func readSnapshot() throws(RaftStorageError) -> Snapshot? {
        let path = snapshotPath
        let sizeMax = limits.snapshotBytesMax + 64
        let stored = try RaftFileIO.converting { () throws(CoordinationStorageError) -> [UInt8]? in
            try MetadataFileIO.readIfPresent(path, sizeMax: sizeMax)
        }
        guard let stored else { return nil }
        var reader = ByteBuffer(bytes: stored)
        guard let magic = reader.readInteger(as: UInt32.self), magic == Self.snapshotMagic,
              let version = reader.readInteger(as: UInt8.self), version == Self.snapshotVersion,
              let index = reader.readInteger(as: UInt64.self), let term = reader.readInteger(as: UInt64.self),
              let length = reader.readInteger(as: UInt64.self), let crc = reader.readInteger(as: UInt32.self),
              length == UInt64(reader.readableBytes), let data = reader.readBytes(length: Int(length)),
              CRC32C.checksum(data) == crc
        else { throw .corrupt(path: path, detail: "bad snapshot header or checksum") }
        return Snapshot(index: LogIndex(index), term: Term(term), data: data)
    }
}
