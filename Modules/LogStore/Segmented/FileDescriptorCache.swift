#if canImport(Glibc)
import Glibc
#endif
import Synchronization

/// Which file of a segment.
enum SegmentFileKind: UInt8, CaseIterable, Sendable {
    case log, offsetIndex, timeIndex

    /// The file name suffix.
    var suffix: String {
        switch self {
        case .log: ".log"
        case .offsetIndex: ".index"
        case .timeIndex: ".timeindex"
        }
    }
}

/// Names one file of one segment in the cache. Segment ids are unique for the store's life,
/// so a replaced segment (after compaction) never aliases its predecessor's descriptors.
struct SegmentFileKey: Hashable, Sendable {
    var segmentID: UInt64
    var kind: SegmentFileKind
}

/// The store-wide bound on open segment files: descriptors are opened lazily and the least
/// recently used one is dropped once more than `capacity` are cached.
///
/// Dropping only releases the cache's reference. A `SegmentFileHandle` closes its
/// descriptor when the last reference goes, so a read result (or an append) still using an
/// evicted handle keeps working, and the descriptor closes when it is done. The number of
/// open descriptors therefore exceeds `capacity` only by the handles in flight.
final class FileDescriptorCache: Sendable {
    private struct Slot {
        var key: SegmentFileKey
        // Nil once the slot is freed, so a free slot holds no descriptor open.
        var handle: SegmentFileHandle?
        var newer: Int = -1
        var older: Int = -1
    }

    private struct State {
        var slots: [Slot] = []
        var free: [Int] = []
        var index: [SegmentFileKey: Int] = [:]
        var newest = -1
        var oldest = -1
        var opensTotal = 0
    }

    /// The most descriptors the cache holds.
    let capacity: Int
    // Every access to the LRU list goes through this mutex, which makes the class Sendable.
    private let state = Mutex(State())

    /// A cache of at most `capacity` descriptors (at least 1).
    init(capacity: Int) {
        self.capacity = max(1, capacity)
    }

    /// The cached handle for `key`, opening `path` read-write when it is not cached.
    /// Blocking (open): call from an I/O thread. The path is built only on a miss: every
    /// append asks for three handles, and building their paths showed in profiles.
    func handle(_ key: SegmentFileKey, path: @autoclosure () -> String) throws(LogStoreError) -> SegmentFileHandle {
        if let cached = state.withLock({ state in Self.touch(&state, key) }) { return cached }
        // Open outside the lock so one slow open does not stall every other partition.
        let path = path()
        let opened = SegmentFileHandle(descriptor: try POSIXFile.open(path, flags: O_RDWR), path: path)
        return insert(opened, for: key)
    }

    /// Caches a handle the caller opened (a newly created file).
    @discardableResult
    func insert(_ handle: SegmentFileHandle, for key: SegmentFileKey) -> SegmentFileHandle {
        // Evicted handles are released after the lock is dropped: a deinit closes a file.
        var evicted: [SegmentFileHandle?] = []
        let result = state.withLock { state -> SegmentFileHandle in
            if let raced = Self.touch(&state, key) { return raced }
            state.opensTotal += 1
            let slot = Slot(key: key, handle: handle)
            let position: Int
            if let reused = state.free.popLast() {
                state.slots[reused] = slot
                position = reused
            } else {
                state.slots.append(slot)
                position = state.slots.count - 1
            }
            state.index[key] = position
            Self.pushNewest(&state, position)
            while state.index.count > capacity, state.oldest >= 0 {
                evicted.append(Self.removeSlot(&state, state.oldest))
            }
            return handle
        }
        evicted.removeAll()
        return result
    }

    /// Forgets every file of a segment (deleted, truncated away or replaced).
    func evict(segmentID: UInt64) {
        var evicted: [SegmentFileHandle?] = []
        state.withLock { state in
            for kind in SegmentFileKind.allCases {
                if let position = state.index[SegmentFileKey(segmentID: segmentID, kind: kind)] {
                    evicted.append(Self.removeSlot(&state, position))
                }
            }
        }
        evicted.removeAll()
    }

    /// Descriptors currently cached.
    var count: Int { state.withLock { $0.index.count } }

    /// Descriptors opened over the cache's life (for tests).
    var opensTotal: Int { state.withLock { $0.opensTotal } }

    private static func touch(_ state: inout State, _ key: SegmentFileKey) -> SegmentFileHandle? {
        guard let position = state.index[key] else { return nil }
        unlink(&state, position)
        pushNewest(&state, position)
        return state.slots[position].handle
    }

    private static func pushNewest(_ state: inout State, _ position: Int) {
        state.slots[position].older = state.newest
        state.slots[position].newer = -1
        if state.newest >= 0 { state.slots[state.newest].newer = position }
        state.newest = position
        if state.oldest < 0 { state.oldest = position }
    }

    private static func unlink(_ state: inout State, _ position: Int) {
        let slot = state.slots[position]
        if slot.newer >= 0 { state.slots[slot.newer].older = slot.older } else { state.newest = slot.older }
        if slot.older >= 0 { state.slots[slot.older].newer = slot.newer } else { state.oldest = slot.newer }
    }

    private static func removeSlot(_ state: inout State, _ position: Int) -> SegmentFileHandle? {
        unlink(&state, position)
        let slot = state.slots[position]
        state.slots[position].handle = nil
        state.index[slot.key] = nil
        state.free.append(position)
        return slot.handle
    }
}
