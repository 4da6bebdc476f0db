public import NIOCore
import Synchronization

/// What an in-memory server does with a request whose API key a test has intercepted,
/// instead of handing it to the handler (franz-go kfake's `ControlKey`, for this transport).
public enum InMemoryFault: Sendable {
    /// The request vanishes: no handler call, no response, the connection stays open.
    case drop
    /// The request reaches the handler after this long (a real sleep, the one exception to
    /// this transport's determinism). Later responses still wait behind it.
    case delay(Duration)
    /// The connection is closed, as if the broker had crashed mid-request.
    case fail
    /// The closure answers instead of the handler; nil means no response. It receives the
    /// request so it can echo the correlation id.
    case respond(@Sendable (_ request: ByteBuffer) -> FramePayload?)

    /// Answers with a fixed payload.
    public static func answer(_ payload: FramePayload) -> InMemoryFault {
        .respond { _ in payload }
    }
}

/// A handle to an installed fault, for removing it.
public struct InMemoryFaultID: Hashable, Sendable {
    let rawValue: UInt64
}

/// The faults installed on one `InMemoryTransport`, shared by its servers.
final class InMemoryFaultTable: Sendable {
    private struct Hook {
        let id: InMemoryFaultID
        let apiKey: Int16
        let server: Endpoint?
        let fault: InMemoryFault
        var remaining: Int?
    }

    private struct State {
        // Installed by tests, never by network input; each is removed by its test.
        var hooks: [Hook] = []
        var nextID: UInt64 = 0
    }

    private let state = Mutex(State())

    func install(_ fault: InMemoryFault, apiKey: Int16, server: Endpoint?, times: Int?) -> InMemoryFaultID {
        precondition(times.map { $0 > 0 } ?? true, "a fault must apply at least once")
        return state.withLock { state in
            state.nextID += 1
            let id = InMemoryFaultID(rawValue: state.nextID)
            state.hooks.append(Hook(id: id, apiKey: apiKey, server: server, fault: fault, remaining: times))
            return id
        }
    }

    func remove(_ id: InMemoryFaultID) {
        state.withLock { $0.hooks.removeAll { $0.id == id } }
    }

    func removeAll() {
        state.withLock { $0.hooks.removeAll() }
    }

    /// The fault for a request frame arriving at `server`: the oldest matching hook, whose
    /// remaining count it uses up. Frames too short for an API key match nothing.
    func fault(for request: ByteBuffer, at server: Endpoint) -> InMemoryFault? {
        guard let apiKey = request.getInteger(at: request.readerIndex, as: Int16.self) else { return nil }
        return state.withLock { state -> InMemoryFault? in
            guard let index = state.hooks.firstIndex(where: { $0.apiKey == apiKey && ($0.server ?? server) == server }) else {
                return nil
            }
            let fault = state.hooks[index].fault
            if let remaining = state.hooks[index].remaining {
                if remaining <= 1 { state.hooks.remove(at: index) } else { state.hooks[index].remaining = remaining - 1 }
            }
            return fault
        }
    }
}
