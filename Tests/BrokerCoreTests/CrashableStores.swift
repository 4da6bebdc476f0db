// Restart tests open a second log store over the files of one that "crashed": abandoned
// without close(). A dead process would have dropped the directory's .lock; this helper
// drops it for the abandoned stores before opening the next one.

import Synchronization
@testable import TernLogStore
import TernPrimitives

/// Opens segmented stores over one directory, each as if the previous process had died.
final class CrashableStores: Sendable {
    let directory: String
    // The mutex guards the stores opened so far.
    private let opened = Mutex<[SegmentedLogStore]>([])

    init(directory: String) {
        self.directory = directory
    }

    /// A new store over the directory; earlier stores lose their lock first.
    func open(clock: ManualClock) throws -> SegmentedLogStore {
        for earlier in opened.withLock({ $0 }) { earlier.releaseLockAsIfCrashed() }
        let store = try SegmentedLogStore(directory: directory, clock: clock)
        opened.withLock { $0.append(store) }
        return store
    }
}
