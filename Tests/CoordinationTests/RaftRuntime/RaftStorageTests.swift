// Goal: what a node persists comes back after a restart, exactly, and a torn final write costs
// only the record it tore. Method: drive `FileRaftStorage` (and `MemoryRaftStorage`, which must
// agree with it) with the kinds of `PersistRequest` the core issues, reopen, compare; damage the
// log file's tail by hand to simulate a crash mid-write.

import Foundation
import Testing
import TernCoordination
import TernPrimitives

@Suite struct RaftStorageTests {
    enum Kind: CaseIterable { case memory, file }

    private static func entries(_ range: ClosedRange<UInt64>, term: Term) -> [LogEntry] {
        range.map { LogEntry(index: LogIndex($0), term: term, data: Array("entry \($0)".utf8)) }
    }

    private static func request(
        _ ticket: UInt64, hardState: HardState? = nil, snapshot: Snapshot? = nil, log: LogWrite? = nil
    ) -> PersistRequest {
        PersistRequest(ticket: PersistTicket(ticket), snapshot: snapshot, hardState: hardState, log: log)
    }

    private static func temporaryDirectory() -> String {
        NSTemporaryDirectory() + "raft-storage-\(UUID().uuidString)"
    }

    /// A storage of `kind`, plus a way to reopen it as a restarted process would.
    private static func make(_ kind: Kind) -> (storage: any RaftStorage, reopen: () -> any RaftStorage, cleanUp: () -> Void) {
        switch kind {
        case .memory:
            let storage = MemoryRaftStorage()
            return (storage, { storage }, {})
        case .file:
            let directory = temporaryDirectory()
            return (FileRaftStorage(directory: directory), { FileRaftStorage(directory: directory) },
                    { try? FileManager.default.removeItem(atPath: directory) })
        }
    }

    @Test(arguments: Kind.allCases)
    func persist_hardStateAndEntries_reopen_returnsThem(kind: Kind) async throws {
        let (storage, reopen, cleanUp) = Self.make(kind)
        defer { cleanUp() }
        #expect(try await storage.load() == .empty)
        let vote = HardState(term: 3, votedFor: NodeID(2))
        try await storage.persist([
            Self.request(1, hardState: vote, log: LogWrite(from: 1, entries: Self.entries(1...3, term: 3))),
            Self.request(2, log: LogWrite(from: 4, entries: Self.entries(4...5, term: 3))),
        ])
        // A later write replaces the tail from index 4, as a new leader's entries would.
        try await storage.persist([
            Self.request(3, hardState: HardState(term: 4, votedFor: nil), log: LogWrite(from: 4, entries: Self.entries(4...4, term: 4))),
        ])
        await storage.close()
        let reloaded = try await reopen().load()
        #expect(reloaded.hardState == HardState(term: 4, votedFor: nil))
        #expect(reloaded.snapshot == nil)
        #expect(reloaded.entries == Self.entries(1...3, term: 3) + Self.entries(4...4, term: 4))
    }

    @Test(arguments: Kind.allCases)
    func persist_truncationOnly_reopen_dropsTail(kind: Kind) async throws {
        let (storage, reopen, cleanUp) = Self.make(kind)
        defer { cleanUp() }
        _ = try await storage.load()
        try await storage.persist([Self.request(1, log: LogWrite(from: 1, entries: Self.entries(1...6, term: 1)))])
        try await storage.persist([Self.request(2, log: LogWrite(from: 3, entries: []))])
        await storage.close()
        #expect(try await reopen().load().entries == Self.entries(1...2, term: 1))
    }

    @Test(arguments: Kind.allCases)
    func persist_snapshot_compactsCoveredPrefix(kind: Kind) async throws {
        let (storage, reopen, cleanUp) = Self.make(kind)
        defer { cleanUp() }
        _ = try await storage.load()
        try await storage.persist([
            Self.request(1, hardState: HardState(term: 2, votedFor: NodeID(1)), log: LogWrite(from: 1, entries: Self.entries(1...10, term: 2))),
        ])
        let snapshot = Snapshot(index: 6, term: 2, data: Array("state through 6".utf8))
        try await storage.persist([Self.request(2, snapshot: snapshot)])
        await storage.close()
        let reloaded = try await reopen().load()
        #expect(reloaded.snapshot == snapshot)
        #expect(reloaded.entries == Self.entries(7...10, term: 2))
        #expect(reloaded.hardState == HardState(term: 2, votedFor: NodeID(1)))
    }

    @Test(arguments: Kind.allCases)
    func persist_installedSnapshotOverDisagreeingTail_dropsTail(kind: Kind) async throws {
        let (storage, reopen, cleanUp) = Self.make(kind)
        defer { cleanUp() }
        _ = try await storage.load()
        try await storage.persist([Self.request(1, log: LogWrite(from: 1, entries: Self.entries(1...8, term: 1)))])
        // A leader's snapshot at 20 (term 3): the core truncates from 21 and stores the snapshot.
        let snapshot = Snapshot(index: 20, term: 3, data: [1, 2, 3])
        try await storage.persist([
            Self.request(2, hardState: HardState(term: 3, votedFor: nil), snapshot: snapshot, log: LogWrite(from: 21, entries: [])),
            Self.request(3, log: LogWrite(from: 21, entries: Self.entries(21...22, term: 3))),
        ])
        await storage.close()
        let reloaded = try await reopen().load()
        #expect(reloaded.snapshot == snapshot)
        #expect(reloaded.entries == Self.entries(21...22, term: 3))
    }

    @Test func fileLog_tornFinalRecord_isCutAtRecovery() async throws {
        let directory = Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let storage = FileRaftStorage(directory: directory)
        _ = try await storage.load()
        try await storage.persist([Self.request(1, log: LogWrite(from: 1, entries: Self.entries(1...5, term: 1)))])
        await storage.close()

        // Tear the last record: drop its final 3 bytes, as a crash mid-append would.
        let path = directory + "/raft.log"
        let whole = try #require(FileManager.default.contents(atPath: path))
        try whole.dropLast(3).write(to: URL(fileURLWithPath: path))

        let reopened = FileRaftStorage(directory: directory)
        #expect(try await reopened.load().entries == Self.entries(1...4, term: 1))
        // The cut is durable and appends continue after it.
        try await reopened.persist([Self.request(1, log: LogWrite(from: 5, entries: Self.entries(5...6, term: 2)))])
        await reopened.close()
        let again = try await FileRaftStorage(directory: directory).load()
        #expect(again.entries == Self.entries(1...4, term: 1) + Self.entries(5...6, term: 2))
    }

    @Test func fileLog_corruptedFinalRecord_isCutAtRecovery() async throws {
        let directory = Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let storage = FileRaftStorage(directory: directory)
        _ = try await storage.load()
        try await storage.persist([Self.request(1, log: LogWrite(from: 1, entries: Self.entries(1...3, term: 1)))])
        await storage.close()

        // Flip one byte in the last record's data: its checksum no longer matches.
        let path = directory + "/raft.log"
        var bytes = [UInt8](try #require(FileManager.default.contents(atPath: path)))
        bytes[bytes.count - 1] ^= 0xFF
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        #expect(try await FileRaftStorage(directory: directory).load().entries == Self.entries(1...2, term: 1))
    }

    @Test func fileSnapshot_corrupted_refusesToLoad() async throws {
        let directory = Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let storage = FileRaftStorage(directory: directory)
        _ = try await storage.load()
        try await storage.persist([Self.request(1, snapshot: Snapshot(index: 4, term: 1, data: Array(repeating: 7, count: 100)))])
        await storage.close()
        let path = directory + "/snapshot"
        var bytes = [UInt8](try #require(FileManager.default.contents(atPath: path)))
        bytes[bytes.count - 10] ^= 0x01
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        await #expect(throws: RaftStorageError.self) { try await FileRaftStorage(directory: directory).load() }
    }

    @Test func fileLog_afterCompaction_holdsOnlyRetainedEntries() async throws {
        let directory = Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let storage = FileRaftStorage(directory: directory)
        _ = try await storage.load()
        let big = (1...200).map { LogEntry(index: LogIndex(UInt64($0)), term: 1, data: Array(repeating: 9, count: 1000)) }
        try await storage.persist([Self.request(1, log: LogWrite(from: 1, entries: big))])
        let path = directory + "/raft.log"
        let before = try #require(try FileManager.default.attributesOfItem(atPath: path)[.size] as? Int)
        try await storage.persist([Self.request(2, snapshot: Snapshot(index: 198, term: 1, data: [0]))])
        let after = try #require(try FileManager.default.attributesOfItem(atPath: path)[.size] as? Int)
        await storage.close()
        #expect(before > 200_000)
        #expect(after < 3_000)
        #expect(try await FileRaftStorage(directory: directory).load().entries == Array(big.suffix(2)))
    }
}
